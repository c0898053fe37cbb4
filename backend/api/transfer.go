package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/pricing"
	"github.com/routex-app/routex/backend/store"
)

// The window's import, export and backups: the same code as `routex
// import`, `routex export` and the clients' backups, behind the API.

// exportRoutex answers GET /api/export[?include_keys=1] with a Routex
// export file, as `routex export` writes it.
func (s *Server) exportRoutex(w http.ResponseWriter, r *http.Request) {
	withKeys := r.URL.Query().Get("include_keys") == "1" || r.URL.Query().Get("include_keys") == "true"
	rt, chs, err := s.routing(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	routes, err := json.Marshal(toDoc(rt))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var prices json.RawMessage
	user, err := s.store.Prices(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var mine []pricing.Price
	for _, p := range pricing.NewTable(user).All() {
		if p.Source == pricing.SourceUser {
			mine = append(mine, p)
		}
	}
	if len(mine) > 0 {
		prices, _ = json.Marshal(mine)
	}
	doc := importer.NewExport(s.info.Version, chs, routes, prices, withKeys)
	s.log.Info("exported", "channels", len(doc.Channels), "with_keys", withKeys)
	w.Header().Set("Content-Disposition", `attachment; filename="routex-export.json"`)
	writeJSON(w, http.StatusOK, doc)
}

// importFile answers POST /api/import[?dry_run=1] whose body is the file
// (a Routex export, claude-code-router's config.json or cc-switch's
// database, at most 32 MiB) with what was (or would be) done.
func (s *Server) importFile(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		s.fail(w, r, ValidationError{"body": {Code: "too_long", Message: "the file is larger than 32 MiB"}})
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	plan, err := importer.ReadBytes(filepath.Base(name), data)
	if err != nil {
		var ie *importer.Error
		msg := err.Error()
		if errors.As(err, &ie) {
			msg = ie.Err.Error()
		}
		s.fail(w, r, ValidationError{"file": {Code: "invalid", Message: msg}})
		return
	}
	dry := r.URL.Query().Get("dry_run") == "1" || r.URL.Query().Get("dry_run") == "true"
	res, err := importer.Apply(plan, s.caller(r.Context()), importer.ApplyOptions{
		DryRun: dry,
		IsNotFound: func(err error) bool {
			var ce *callError
			return errors.As(err, &ce) && ce.status == http.StatusNotFound
		},
		Stored: func(id int64) (store.Channel, error) {
			return s.store.Channel(r.Context(), id)
		},
	})
	if err != nil {
		var ce *callError
		if errors.As(err, &ce) && ce.status < 500 {
			writeError(w, http.StatusBadRequest, "import_failed", err.Error(), nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.log.Info("imported", "source", res.Source, "added", res.Added, "updated", res.Updated, "dry_run", dry)
	writeJSON(w, http.StatusOK, res)
}

// callError is an error answer of the API called in-process.
type callError struct {
	status  int
	message string
}

func (e *callError) Error() string { return e.message }

// caller calls the API in-process, for importer.Apply: an import does
// exactly what the same requests from the CLI would.
func (s *Server) caller(ctx context.Context) importer.Caller {
	return func(method, path string, in, out any) error {
		body, err := importer.Body(in)
		if err != nil {
			return err
		}
		req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		if rec.Code >= 400 {
			var e struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			json.Unmarshal(rec.Body.Bytes(), &e)
			if e.Error.Message == "" {
				e.Error.Message = fmt.Sprintf("%s %s: HTTP %d", method, path, rec.Code)
			}
			return &callError{status: rec.Code, message: e.Error.Message}
		}
		if out == nil || rec.Body.Len() == 0 {
			return nil
		}
		return json.Unmarshal(rec.Body.Bytes(), out)
	}
}

// listBackups answers GET /api/backups: every coding tool's settings
// backups, newest first per tool.
func (s *Server) listBackups(w http.ResponseWriter, r *http.Request) {
	if s.clients == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "client settings are not available in this process", nil)
		return
	}
	out := []clients.Backup{}
	for _, name := range clientNames {
		c, err := s.clients.client(name, s)
		if err != nil {
			continue // a tool whose settings path cannot be found has none
		}
		list, err := c.Backups()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, list...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"backups": out})
}

// restoreBackup answers POST /api/backups/restore {"client","name"}: the
// backup becomes the tool's settings file again (the file as it was is
// backed up first).
func (s *Server) restoreBackup(w http.ResponseWriter, r *http.Request) {
	if s.clients == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "client settings are not available in this process", nil)
		return
	}
	var in struct {
		Client string `json:"client"`
		Name   string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.clients.client(in.Client, s)
	if errors.Is(err, errNoSuchClient) {
		s.fail(w, r, ValidationError{"client": {Code: "one_of", Message: "client must be claude, gemini or codex"}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.clients.mu.Lock()
	res, err := c.Restore(in.Name)
	s.clients.mu.Unlock()
	if errors.Is(err, clients.ErrNoSuchBackup) {
		writeError(w, http.StatusNotFound, "not_found", err.Error(), nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
