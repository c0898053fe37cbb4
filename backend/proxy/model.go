package proxy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// badModel says what is wrong with a client's model name, "" when nothing
// is: a blank name routes nowhere, and control characters would reach
// upstream headers, log lines and terminals.
func badModel(model string) string {
	switch {
	case strings.TrimSpace(model) == "":
		return `"model" must not be blank: name the model to use`
	case strings.ContainsFunc(model, unicode.IsControl):
		return `"model" must not contain control characters or line breaks`
	}
	return ""
}

// maxLoggedModel bounds a model name as the request log, the metrics and
// routex.log keep it: a client may send any length, every row would copy it.
const maxLoggedModel = 200

// clipModel cuts a model name past maxLoggedModel bytes, on a character
// boundary, and marks the cut.
func clipModel(model string) string {
	if len(model) <= maxLoggedModel {
		return model
	}
	cut := maxLoggedModel
	for cut > 0 && !utf8.RuneStart(model[cut]) {
		cut--
	}
	return model[:cut] + "…[truncated]"
}
