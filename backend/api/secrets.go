package api

import (
	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/store"
)

// restoreMasked puts stored secrets back where a write sent their masked
// form, as GET shows it: a client that saves back what it was shown (a
// base_url with its password hidden, header values as previews) keeps the
// real values rather than storing the masks, as an empty api_key keeps
// the key.
func restoreMasked(c *store.Channel, stored store.Channel) {
	c.BaseURL = keepMasked(c.BaseURL, stored.BaseURL, logging.RedactURL)
	for k, v := range c.Headers {
		c.Headers[k] = keepMasked(v, stored.Headers[k], logging.Redact)
	}
}

// keepMasked returns stored when in is stored's masked form.
func keepMasked(in, stored string, mask func(string) string) string {
	if stored != "" && in != stored && in == mask(stored) {
		return stored
	}
	return in
}
