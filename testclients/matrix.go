package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// matrix is the run's result: every cell, what Routex offered, and the
// versions of the clients that ran.
type matrix struct {
	Strict       bool              `json:"strict"`
	Capabilities capabilities      `json:"capabilities"`
	Versions     map[string]string `json:"versions"`
	Cells        []*cellResult     `json:"cells"`
}

// failures counts the cells that failed (expected failures do not count).
func (m matrix) failures() int {
	n := 0
	for _, c := range m.Cells {
		if c.Status == statusFail {
			n++
		}
	}
	return n
}

// print writes the client × channel table, then each cell's reason.
func (m matrix) print(w io.Writer) {
	var rows []string
	seen := map[string]bool{}
	byKey := map[string]*cellResult{}
	for _, c := range m.Cells {
		if !seen[c.Client] {
			seen[c.Client] = true
			rows = append(rows, c.Client)
		}
		byKey[c.Client+"/"+c.Channel] = c
	}
	fmt.Fprintf(w, "\n%-22s", "client \\ channel")
	for _, ch := range channels {
		fmt.Fprintf(w, " %-18s", ch.Type)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		name := r
		if v := m.Versions[clientPackage(r)]; v != "" {
			name += " " + v
		}
		fmt.Fprintf(w, "%-22s", clip(name, 22))
		for _, ch := range channels {
			cell := "-"
			if c := byKey[r+"/"+ch.Type]; c != nil {
				cell = c.Status
				if c.Status != statusXFail && c.Seconds > 0 {
					cell = fmt.Sprintf("%s %.0fs/%d", c.Status, c.Seconds, c.Calls)
				}
			}
			fmt.Fprintf(w, " %-18s", cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "(seconds of the client run / upstream calls; direct: the client without Routex, in its own format)")
	for _, c := range m.Cells {
		if c.Status != statusPass {
			fmt.Fprintf(w, "  %s %s/%s: %s\n", c.Status, c.Client, c.Channel, c.Reason)
		}
	}
	var pass, warn, fail, xfail int
	for _, c := range m.Cells {
		switch c.Status {
		case statusPass:
			pass++
		case statusWarn:
			warn++
		case statusFail:
			fail++
		case statusXFail:
			xfail++
		}
	}
	fmt.Fprintf(w, "\n%d passed with warnings; skipped cells are expected failures (XFAIL)\n", warn)
	fmt.Fprintf(w, "cells: %d passed, %d failed, %d skipped\n", pass+warn, fail, xfail)
}

func (m matrix) write(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}

func clientPackage(name string) string {
	for _, c := range clients {
		if c.Name == name {
			return c.Package
		}
	}
	return ""
}

// clientVersions reads the installed version of each client package.
func clientVersions(modules string) map[string]string {
	out := map[string]string{}
	for _, c := range clients {
		raw, err := os.ReadFile(filepath.Join(modules, filepath.FromSlash(c.Package), "package.json"))
		if err != nil {
			continue
		}
		var p struct {
			Version string `json:"version"`
		}
		if json.Unmarshal(raw, &p) == nil {
			out[c.Package] = strings.TrimSpace(p.Version)
		}
	}
	return out
}
