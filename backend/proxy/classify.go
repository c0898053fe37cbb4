package proxy

import (
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/balance"
)

// classify says what an upstream error status means for failover and
// health. A 404 is this channel's: a base_url that points nowhere, or a
// model the account lacks; so is a 400 or 422 whose message says the model
// does not exist (DeepSeek's "Model Not Exist", OpenRouter's "is not a valid
// model ID"). Either may work on the next channel. Any other 4xx is the
// request's fault, which every channel would repeat, so the client hears it
// at once.
func classify(status int, msg string) balance.FailureKind {
	switch {
	case status == http.StatusNotFound:
		return balance.NotFound
	case (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) && missingModel(msg):
		return balance.NotFound
	}
	return failureKind(status)
}

// missingModelPhrases are how providers say a model does not exist.
var missingModelPhrases = []string{
	"not exist", "not found", "unknown model", "no such model", "invalid model",
	"not a valid model", "model_not_found", "unsupported model",
}

// missingModel reports whether an upstream error message says the model
// does not exist.
func missingModel(msg string) bool {
	m := strings.ToLower(msg)
	if !strings.Contains(m, "model") {
		return false
	}
	for _, p := range missingModelPhrases {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}
