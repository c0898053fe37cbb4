package store

import (
	"encoding/base64"
	"net/url"
)

// Secrets lists what of the channel must never be shown or logged: its
// keys, the value of every custom header (an Authorization, a project id,
// a cookie: Routex cannot tell which are sensitive, so all are), and the
// password of its base_url, also in the Basic credentials an HTTP client
// derives from it. Empty values are left out.
func (c *Channel) Secrets() []string {
	var out []string
	for _, k := range c.Keys() {
		if k != "" {
			out = append(out, k)
		}
	}
	for _, v := range c.Headers {
		if v != "" {
			out = append(out, v)
		}
	}
	if u, err := url.Parse(c.BaseURL); err == nil && u.User != nil {
		if pass, ok := u.User.Password(); ok && pass != "" {
			out = append(out, pass, url.QueryEscape(pass),
				base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
		}
	}
	return out
}
