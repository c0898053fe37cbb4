package autostart

import (
	"encoding/xml"
	"strings"
)

// desktopEntry is the XDG autostart file for e. Exec quoting follows the
// Desktop Entry Specification: arguments with reserved characters are
// double-quoted, and the value is then escaped as any string value is.
func desktopEntry(e Entry) string {
	parts := make([]string, 0, 1+len(e.Args))
	for _, a := range append([]string{e.Exec}, e.Args...) {
		parts = append(parts, execArg(a))
	}
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Name=Routex\n")
	b.WriteString("Comment=Local AI gateway for coding tools\n")
	b.WriteString("Exec=" + strings.Join(parts, " ") + "\n")
	b.WriteString("Icon=routex\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("X-GNOME-Autostart-enabled=true\n")
	return b.String()
}

// execArg quotes one Exec argument. Inside quotes ", `, $ and \ take a
// backslash; the string-value escaping then doubles every backslash; a
// literal % is written %% so it is not read as a field code.
func execArg(a string) string {
	a = strings.ReplaceAll(a, "%", "%%")
	if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`=") {
		return a
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	quoted := `"` + r.Replace(a) + `"`
	return strings.ReplaceAll(quoted, `\`, `\\`)
}

// launchAgent is the macOS LaunchAgent property list for e: started at
// login (RunAtLoad), as an interactive app, never restarted when it quits.
func launchAgent(e Entry) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString(`<plist version="1.0">` + "\n<dict>\n")
	b.WriteString("\t<key>Label</key>\n\t<string>" + xmlText(e.Name) + "</string>\n")
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n")
	for _, a := range append([]string{e.Exec}, e.Args...) {
		b.WriteString("\t\t<string>" + xmlText(a) + "</string>\n")
	}
	b.WriteString("\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n")
	b.WriteString("\t<key>KeepAlive</key>\n\t<false/>\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Interactive</string>\n")
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
