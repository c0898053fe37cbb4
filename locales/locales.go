// Package locales embeds the translation files shared by the Go side (go-i18n)
// and the frontend (i18next), so that one file per language holds every
// user-visible string of the CLI, the tray and the dashboard.
package locales

import "embed"

// Files holds en.json and zh.json. Interpolations are written {{.name}}, which
// both go-i18n and the frontend's i18next configuration understand.
//
//go:embed *.json
var Files embed.FS
