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

// keepBackups is how many backups of each settings file are kept.
const keepBackups = 10

// resolveLink follows symlinks from path to the file they name, so a write
// replaces the target and the link stays a link (dotfile managers such as
// stow and chezmoi link settings files into a repository). A dangling link
// resolves to its would-be target.
func resolveLink(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", fmt.Errorf("clients: %s: %w", path, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("clients: read link %s: %w", path, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("clients: %s: too many levels of symbolic links", path)
}

// readFile returns a file's bytes, or nil and false when it is missing.
func readFile(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("clients: read %s: %w", path, err)
	}
	return data, true, nil
}

// writeAtomic replaces path (a resolved, non-link path) with data: a temp
// file in the same folder, fsync, rename, fsync of the folder. A reader sees
// the old file or the new one, never half of one. The file keeps its mode;
// a new one is 0600 in a folder created 0700. beforeRename, when not nil,
// runs just before the rename (tests simulate a crash there).
func writeAtomic(path string, data []byte, beforeRename func() error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("clients: create %s: %w", dir, err)
	}
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	removeStaleTemps(path)
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	if beforeRename != nil {
		if err = beforeRename(); err != nil {
			return fmt.Errorf("clients: write %s: %w", path, err)
		}
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("clients: write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// tempPattern names temp files after their target, hidden, so a crash
// leaves an obvious leftover that the next write removes.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".routex-*.tmp" }

// removeStaleTemps deletes temp files a crashed write left beside path.
func removeStaleTemps(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, m := range matches {
		os.Remove(m)
	}
}

// syncDir makes a rename durable. Some systems (Windows) cannot open a
// folder for syncing; the rename is then as durable as the OS makes it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// backup copies data (the file's content before a change) into
// home/backups as <client>-<file>-<UTC time>.bak, 0600, and keeps the
// newest keepBackups copies of that file.
func backup(home, client, path string, data []byte, now time.Time) (string, error) {
	dir := filepath.Join(home, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("clients: create %s: %w", dir, err)
	}
	prefix := client + "-" + filepath.Base(path) + "-"
	stamp := now.UTC().Format("20060102T150405.000000000Z")
	var name string
	for i := 0; ; i++ {
		// The fixed-width stamp sorts by time; the counter only breaks ties.
		name = filepath.Join(dir, fmt.Sprintf("%s%s-%02d.bak", prefix, stamp, i))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 99 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("clients: back up %s to %s: %w", path, name, err)
		}
		_, werr := f.Write(data)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(name)
			return "", fmt.Errorf("clients: back up %s to %s: %w", path, name, werr)
		}
		break
	}
	return name, rotate(dir, prefix)
}

// rotate removes all but the newest keepBackups files starting with prefix.
func rotate(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("clients: rotate backups in %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), ".bak") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for len(names) > keepBackups {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clients: rotate backups in %s: %w", dir, err)
		}
		names = names[1:]
	}
	return nil
}
