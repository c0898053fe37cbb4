// A small worker pool for the dashboard's parallel actions.

/** Runs fn over items, at most `workers` at a time, calling onDone as each finishes. */
export async function runPool<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>, onDone: () => void): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T
      try {
        await fn(item)
      } finally {
        onDone()
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, worker))
}
