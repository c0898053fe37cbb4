package autostart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestExecArg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"a plain path stays bare", "/usr/bin/routex", "/usr/bin/routex"},
		{"a space makes it quoted", "/opt/my apps/routex", `"/opt/my apps/routex"`},
		{"a dollar is escaped inside quotes and the backslash doubled", "/opt/$x/routex", `"/opt/\\$x/routex"`},
		{"a double quote is escaped inside quotes and the backslash doubled", `/opt/a"b`, `"/opt/a\\"b"`},
		{"a backslash becomes four", `/opt/a\b`, `"/opt/a\\\\b"`},
		{"a percent sign is doubled so it is no field code", "/opt/100%/routex", "/opt/100%%/routex"},
		{"an empty argument is kept as empty quotes", "", `""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := execArg(tc.in); got != tc.want {
				t.Errorf("execArg(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestDesktopEntry(t *testing.T) {
	t.Parallel()
	got := desktopEntry(Entry{Name: "routex", Exec: "/usr/bin/routex", Args: []string{"serve"}})
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Exec=/usr/bin/routex serve", "Icon=routex", "Terminal=false"} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("entry lacks %q:\n%s", line, got)
		}
	}
	if !strings.HasPrefix(got, "[Desktop Entry]\n") {
		t.Errorf("entry must start with its group header:\n%s", got)
	}
}

func TestLaunchAgent(t *testing.T) {
	t.Parallel()
	e := Entry{Name: "dev.routex", Exec: "/Applications/Routex & Co.app/Contents/MacOS/Routex", Args: []string{"<x>"}}
	got := launchAgent(e)
	// The property list must be well-formed XML whose strings read back as written.
	var doc struct {
		Dict struct {
			Keys    []string `xml:"key"`
			Strings []string `xml:"string"`
			Array   struct {
				Strings []string `xml:"string"`
			} `xml:"array"`
		} `xml:"dict"`
	}
	dec := xml.NewDecoder(strings.NewReader(got))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("plist is not XML: %v\n%s", err, got)
	}
	if want := []string{"Label", "ProgramArguments", "RunAtLoad", "KeepAlive", "ProcessType"}; strings.Join(doc.Dict.Keys, ",") != strings.Join(want, ",") {
		t.Errorf("keys = %v, want %v", doc.Dict.Keys, want)
	}
	if doc.Dict.Strings[0] != "dev.routex" {
		t.Errorf("label = %q", doc.Dict.Strings[0])
	}
	if args := doc.Dict.Array.Strings; len(args) != 2 || args[0] != e.Exec || args[1] != "<x>" {
		t.Errorf("program arguments = %q", args)
	}
	if !strings.Contains(got, "<key>RunAtLoad</key>\n\t<true/>") {
		t.Errorf("plist does not run at load:\n%s", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    Entry
		ok   bool
	}{
		{"an absolute unix path is accepted", Entry{Name: "routex", Exec: "/usr/bin/routex"}, true},
		{"a windows drive path is accepted", Entry{Name: "Routex", Exec: `C:\Program Files\Routex\routex.exe`}, true},
		{"a relative path is refused", Entry{Name: "routex", Exec: "routex"}, false},
		{"an empty path is refused", Entry{Name: "routex"}, false},
		{"a name with a slash is refused", Entry{Name: "../x", Exec: "/usr/bin/routex"}, false},
		{"an empty name is refused", Entry{Exec: "/usr/bin/routex"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.e.validate(); (err == nil) != tc.ok {
				t.Errorf("validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
