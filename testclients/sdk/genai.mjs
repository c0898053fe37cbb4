// The official Google GenAI SDK through Routex, with its default API
// version: a function-calling loop with generateContent and one with
// generateContentStream (the model's turn goes back as it came, thought
// signatures included), countTokens, and a structured-output request
// (responseMimeType + responseJsonSchema) whose answer must be JSON.
import { GoogleGenAI } from '@google/genai'
import { env, shellSchema, answerSchema, runShell, checkJSON, main, maxTurns } from './common.mjs'

const ai = new GoogleGenAI({ apiKey: env.key, httpOptions: { baseUrl: env.base } })
const model = 'gemini-3-pro-preview'
const config = { tools: [{ functionDeclarations: [{ name: 'run_shell', description: 'Run a shell command and return its output', parametersJsonSchema: shellSchema }] }] }

async function turn(contents, stream) {
  if (!stream) {
    const r = await ai.models.generateContent({ model, contents, config })
    return r.candidates?.[0]?.content ?? { role: 'model', parts: [] }
  }
  const parts = []
  for await (const chunk of await ai.models.generateContentStream({ model, contents, config })) {
    parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []))
  }
  return { role: 'model', parts }
}

async function loop(stream) {
  const contents = [{ role: 'user', parts: [{ text: env.prompt }] }]
  for (let i = 0; i < maxTurns; i++) {
    const content = await turn(contents, stream)
    contents.push(content)
    const calls = content.parts.filter((p) => p.functionCall)
    if (calls.length === 0) return content.parts.filter((p) => p.text && !p.thought).map((p) => p.text).join('')
    contents.push({
      role: 'user',
      parts: calls.map((p) => ({
        functionResponse: { name: p.functionCall.name, id: p.functionCall.id, response: { output: runShell(p.functionCall.args?.command) } },
      })),
    })
  }
  throw new Error(`no final answer after ${maxTurns} turns`)
}

await main([
  ['generateContent', () => loop(false)],
  ['generateContentStream', () => loop(true)],
  ['countTokens', async () => {
    const r = await ai.models.countTokens({ model, contents: [{ role: 'user', parts: [{ text: env.prompt }] }] })
    if (!(r.totalTokens > 0)) throw new Error(`no token count: ${JSON.stringify(r)}`)
  }],
  ['generateContent responseJsonSchema', async () => {
    const r = await ai.models.generateContent({
      model,
      contents: 'Answer in JSON: which gateway is this?',
      config: { responseMimeType: 'application/json', responseJsonSchema: answerSchema },
    })
    checkJSON('responseJsonSchema', r.text)
  }],
])
