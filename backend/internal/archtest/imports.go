// Package archtest checks rules of the code base that no compiler checks:
// pure packages stay pure (no database, no file writes, no servers or
// clients), and comments cite sections of docs/ that exist. Its tests run
// with `go test ./...` and in `make lint`.
package archtest

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Module is the import path of this module.
const Module = "github.com/routex-app/routex"

// Pure lists the packages that must do no I/O (docs/ARCHITECTURE.md#packages-and-what-each-may-import),
// relative to Module; a trailing /... takes in the packages below.
var Pure = []string{"backend/protocol/...", "backend/route", "backend/balance", "backend/transform", "backend/credit"}

// Exceptions are the known edges from a pure package to an I/O package,
// each to be removed; the check fails when one is no longer needed, so the
// list only shrinks. It is empty, and is meant to stay so: a pure package
// that needs an I/O package's type gets a small type of its own instead
// (as balance.Candidate replaced store.Channel).
var Exceptions []Edge

// Edge is one import.
type Edge struct{ From, To string }

// ForbiddenAnywhere are packages no pure package may reach, directly or
// through any dependency.
var ForbiddenAnywhere = map[string]string{
	"database/sql":              "a database",
	"modernc.org/sqlite":        "the SQLite driver",
	Module + "/backend/store":   "the store",
	Module + "/backend/config":  "the config files",
	Module + "/backend/logging": "log files",
	Module + "/backend/proxy":   "the HTTP proxy",
	Module + "/backend/api":     "the HTTP API",
	Module + "/backend/engine":  "the engine",
	Module + "/backend/observe": "the request log writer",
	Module + "/backend/clients": "the tools' settings files",
}

// ForbiddenDirect are standard packages the module's own pure code may not
// import (the standard library itself uses them, so only direct imports by
// this module's packages count).
var ForbiddenDirect = map[string]string{
	"os":                "files and the environment",
	"os/exec":           "processes",
	"os/signal":         "signals",
	"io/ioutil":         "files",
	"net":               "sockets",
	"syscall":           "system calls",
	"net/http/httptest": "test servers",
}

// Package is the part of `go list -json` the check reads.
type Package struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Standard   bool
}

// ReadList decodes the stream of JSON objects `go list -json` writes.
func ReadList(r io.Reader) (map[string]Package, error) {
	out := map[string]Package{}
	dec := json.NewDecoder(r)
	for {
		var p Package
		err := dec.Decode(&p)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("archtest: read go list output: %w", err)
		}
		out[p.ImportPath] = p
	}
}

// IsPure reports whether path is one of Pure.
func IsPure(path string) bool {
	rel, ok := strings.CutPrefix(path, Module+"/")
	if !ok {
		return false
	}
	for _, p := range Pure {
		if base, all := strings.CutSuffix(p, "/..."); all {
			if rel == base || strings.HasPrefix(rel, base+"/") {
				return true
			}
		} else if rel == p {
			return true
		}
	}
	return false
}

// Check walks the dependencies of every pure package in pkgs and returns
// one line per violation, and per exception that is no longer needed.
func Check(pkgs map[string]Package, exceptions []Edge) []string {
	var out []string
	allowed := map[Edge]bool{}
	used := map[Edge]bool{}
	for _, e := range exceptions {
		allowed[e] = true
	}
	for root := range pkgs {
		if !IsPure(root) {
			continue
		}
		seen := map[string]bool{}
		var walk func(path string, chain []string)
		walk = func(path string, chain []string) {
			if seen[path] {
				return
			}
			seen[path] = true
			p, ok := pkgs[path]
			if !ok || p.Standard {
				return
			}
			own := strings.HasPrefix(path, Module+"/") || path == Module
			for _, imp := range p.Imports {
				e := Edge{From: path, To: imp}
				if allowed[e] {
					used[e] = true
					continue
				}
				next := append(append([]string(nil), chain...), imp)
				if why, bad := ForbiddenAnywhere[imp]; bad {
					out = append(out, fmt.Sprintf("%s reaches %s (%s): %s", root, imp, why, strings.Join(next, " → ")))
					continue
				}
				if why, bad := ForbiddenDirect[imp]; bad && own {
					out = append(out, fmt.Sprintf("%s imports %s (%s): %s", root, imp, why, strings.Join(next, " → ")))
					continue
				}
				walk(imp, next)
			}
		}
		walk(root, []string{root})
	}
	for _, e := range exceptions {
		if !used[e] {
			out = append(out, fmt.Sprintf("exception %s → %s is no longer needed: remove it from archtest.Exceptions", e.From, e.To))
		}
	}
	sort.Strings(out)
	return out
}
