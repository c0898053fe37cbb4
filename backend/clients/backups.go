package clients

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Backup is one copy of a tool's settings file that Routex took before
// changing it (ROUTEX_HOME/backups/<client>-<file>-<UTC time>-NN.bak).
type Backup struct {
	Name   string    `json:"name"`
	Client string    `json:"client"`
	File   string    `json:"file"` // the settings file it is a copy of
	Time   time.Time `json:"time"`
	Size   int64     `json:"size"`
}

// ErrNoSuchBackup says a backup name is not one of this client's backups.
var ErrNoSuchBackup = errors.New("no such backup")

// backupPrefix starts the names of this client's backups of its file.
func (c *Client) backupPrefix() string { return c.name + "-" + filepath.Base(c.path) + "-" }

// Backups lists the client's backups of its settings file, newest first.
func (c *Client) Backups() ([]Backup, error) {
	dir := filepath.Join(c.home, "backups")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Backup{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("clients: list backups in %s: %w", dir, err)
	}
	prefix := c.backupPrefix()
	out := []Backup{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".bak") || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		b := Backup{Name: name, Client: c.name, File: c.path, Size: info.Size(), Time: info.ModTime().UTC()}
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "-")
		if t, err := time.Parse("20060102T150405.000000000Z", stamp); err == nil {
			b.Time = t
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Backup) int { return strings.Compare(b.Name, a.Name) })
	return out, nil
}

// Restore puts the backup named name back as the settings file, taking a
// backup of the file as it is first (so a restore can be undone too), and
// forgets the attach record: the restored file is the user's choice, and
// a later Detach must not undo changes it no longer holds.
func (c *Client) Restore(name string) (Result, error) {
	if name != filepath.Base(name) || !strings.HasPrefix(name, c.backupPrefix()) || !strings.HasSuffix(name, ".bak") {
		return Result{}, fmt.Errorf("%w: %q", ErrNoSuchBackup, name)
	}
	data, ok, err := readFile(filepath.Join(c.home, "backups", name))
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{}, fmt.Errorf("%w: %q", ErrNoSuchBackup, name)
	}
	if _, err := c.format.parse(c.path, data); err != nil {
		return Result{}, fmt.Errorf("clients: backup %s is not a valid settings file: %w", name, err)
	}
	target, err := resolveLink(c.path)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: c.path, Changed: true}
	if cur, exists, err := readFile(target); err != nil {
		return Result{}, err
	} else if exists {
		if res.Backup, err = backup(c.home, c.name, c.path, cur, c.now()); err != nil {
			return Result{}, err
		}
	}
	if err := writeAtomic(target, data, c.beforeRename); err != nil {
		return Result{}, err
	}
	st, err := loadState(c.home, c.name)
	if err == nil && st.Files[c.path] != nil {
		err = saveState(c.home, c.name, st.withRecord(c.path, nil))
	}
	if err != nil {
		return res, err
	}
	c.log.Info("client settings restored", "client", c.name, "path", c.path, "from", name, "backup", res.Backup)
	return res, nil
}
