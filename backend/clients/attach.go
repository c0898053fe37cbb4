package clients

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// Attach points the tool at o.BaseURL with o.Token: it sets the tool's keys
// in its settings file and leaves every other byte of meaning alone. The
// file is backed up first and written atomically; what the keys held before
// is recorded so Detach can put it back. Attaching again (another mode,
// other models) updates the keys and keeps the original record.
func (c *Client) Attach(o AttachOptions) (Result, error) {
	mode, err := ParseMode(string(o.Mode))
	if err != nil {
		return Result{}, err
	}
	o.Mode = mode
	if err := checkBaseURL(o.BaseURL); err != nil {
		return Result{}, err
	}
	target, err := resolveLink(c.path)
	if err != nil {
		return Result{}, err
	}
	data, exists, err := readFile(target)
	if err != nil {
		return Result{}, err
	}
	d, err := c.format.parse(c.path, data)
	if err != nil {
		return Result{}, err
	}
	st, err := loadState(c.home, c.name)
	if err != nil {
		return Result{}, err
	}
	old := st.Files[c.path]
	if !exists {
		old = nil // the user deleted the file: what it held is gone
	}
	var oldKeys []keyRecord
	if old != nil {
		oldKeys = old.Keys
	}
	hadContainer := d.hasContainer()
	keys, err := apply(d, oldKeys, c.format.changes(o))
	if err != nil {
		return Result{}, fmt.Errorf("clients: edit %s: %w", c.path, err)
	}
	out, err := d.render()
	if err != nil {
		return Result{}, err
	}

	rec := &record{Mode: mode, AttachedAt: c.now().UTC(), Keys: keys, Written: digest(out), BaseURL: c.format.toolURL(o)}
	if old == nil {
		orig := string(data)
		rec.Original = &orig
		rec.CreatedFile = !exists
		rec.CreatedDir = !exists && missing(filepath.Dir(target))
		rec.CreatedContainer = !hadContainer
	} else {
		rec.CreatedFile, rec.CreatedDir, rec.CreatedContainer = old.CreatedFile, old.CreatedDir, old.CreatedContainer
		if digest(data) == old.Written {
			rec.Original = old.Original
		}
	}

	res := Result{Path: c.path, Changed: !exists || !bytes.Equal(out, data), BaseURL: rec.BaseURL}
	// The record is saved before the file: a crash in between leaves a
	// record whose values the file does not hold, which Detach skips.
	if err := saveState(c.home, c.name, st.withRecord(c.path, rec)); err != nil {
		return Result{}, err
	}
	if res.Changed {
		if exists {
			if res.Backup, err = backup(c.home, c.name, c.path, data, c.now()); err != nil {
				c.rollback(st)
				return Result{}, err
			}
		}
		if err := writeAtomic(target, out, c.beforeRename); err != nil {
			c.rollback(st)
			return Result{}, err
		}
	}
	c.log.Info("client attached", "client", c.name, "path", c.path, "mode", string(mode),
		"changed", res.Changed, "backup", res.Backup)
	return res, nil
}

// rollback restores the record file after a failed write, so it does not
// claim a change the settings file never got.
func (c *Client) rollback(st *state) {
	if err := saveState(c.home, c.name, st); err != nil {
		c.log.Warn("restore the attach record failed", "client", c.name, "error", err)
	}
}

// Detach undoes Attach: every key that still holds what Routex wrote gets
// its earlier value back (or goes, if Routex added it); keys the user has
// changed since are left as they are and listed in Result.Kept. When the
// file is exactly as Routex left it, the original comes back byte for byte.
// Without a record it returns ErrNotAttached and changes nothing.
func (c *Client) Detach() (Result, error) {
	target, err := resolveLink(c.path)
	if err != nil {
		return Result{}, err
	}
	st, err := loadState(c.home, c.name)
	if err != nil {
		return Result{}, err
	}
	rec := st.Files[c.path]
	if rec == nil {
		return Result{Path: c.path}, fmt.Errorf("%w: %s", ErrNotAttached, c.path)
	}
	data, exists, err := readFile(target)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: c.path}
	if !exists {
		return res, saveState(c.home, c.name, st.withRecord(c.path, nil))
	}

	var out []byte
	remove := false
	if rec.Original != nil && digest(data) == rec.Written {
		out, remove = []byte(*rec.Original), rec.CreatedFile
	} else {
		d, err := c.format.parse(c.path, data)
		if err != nil {
			return Result{}, err
		}
		if res.Kept, err = revert(d, rec.Keys, rec.CreatedContainer); err != nil {
			return Result{}, fmt.Errorf("clients: edit %s: %w", c.path, err)
		}
		if out, err = d.render(); err != nil {
			return Result{}, err
		}
		empty := bytes.TrimSpace(out)
		remove = rec.CreatedFile && (len(empty) == 0 || string(empty) == "{}")
	}

	if remove || !bytes.Equal(out, data) {
		res.Changed = true
		if res.Backup, err = backup(c.home, c.name, c.path, data, c.now()); err != nil {
			return Result{}, err
		}
		if remove {
			if err := os.Remove(target); err != nil {
				return Result{}, fmt.Errorf("clients: remove %s: %w", target, err)
			}
			if rec.CreatedDir {
				os.Remove(filepath.Dir(target)) // only if empty: the tool may have put files there since
			}
		} else if err := writeAtomic(target, out, c.beforeRename); err != nil {
			return Result{}, err
		}
	}
	if err := saveState(c.home, c.name, st.withRecord(c.path, nil)); err != nil {
		return Result{}, err
	}
	c.log.Info("client detached", "client", c.name, "path", c.path, "changed", res.Changed,
		"kept", res.Kept, "backup", res.Backup)
	return res, nil
}

// Status reads the tool's base URL and compares it with engineURL (and, in
// direct mode, with the URL Routex wrote).
func (c *Client) Status(engineURL string) (Status, error) {
	s := Status{State: NotAttached, Path: c.path}
	target, err := resolveLink(c.path)
	if err != nil {
		return s, err
	}
	data, exists, err := readFile(target)
	if err != nil || !exists {
		return s, err
	}
	d, err := c.format.parse(c.path, data)
	if err != nil {
		return s, err
	}
	value := c.format.base(d)
	if value == "" {
		return s, nil
	}
	s.BaseURL, s.State = value, AttachedElsewhere
	if sameURL(value, c.format.toolURL(AttachOptions{Mode: ModeProxy, BaseURL: engineURL})) {
		s.State, s.Mode = Attached, ModeProxy
		return s, nil
	}
	st, err := loadState(c.home, c.name)
	if err != nil {
		return s, err
	}
	if rec := st.Files[c.path]; rec != nil && rec.Mode == ModeDirect {
		if sameURL(rec.BaseURL, value) {
			s.State, s.Mode = Attached, ModeDirect
		}
		for _, k := range rec.Keys { // records written before BaseURL was kept
			if k.Key == c.format.baseKey() && k.Wrote != nil && *k.Wrote == value {
				s.State, s.Mode = Attached, ModeDirect
			}
		}
	}
	return s, nil
}

// checkBaseURL refuses a URL a tool could not call.
func checkBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("clients: base URL %q must be an http:// or https:// URL", u)
	}
	return nil
}

func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}
