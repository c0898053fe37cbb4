package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/store"
)

// Check states: ok and warn leave the exit code 0, fail makes it 1.
const (
	checkOK   = "ok"
	checkWarn = "warn"
	checkFail = "fail"
)

// check is one line of `routex doctor`.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// doctor runs the checks of one home; tr words them.
type doctor struct {
	tr      *i18n.Translator
	f       *flags
	version string
	home    string
	cfg     config.Config
	cfgOK   bool
	dbOK    bool
	checks  []check
}

// add appends one check; nameKey is the locale key of its name.
func (d *doctor) add(nameKey, status, detail, fix string) {
	d.checks = append(d.checks, check{Name: d.tr.T(nameKey), Status: status, Detail: detail, Fix: fix})
}

func newDoctorCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var asJSON, withNet bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: tr.T("cli.doctorShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := resolveHome(f)
			if err != nil {
				return err
			}
			d := &doctor{tr: tr, f: f, version: version, home: home}
			d.run(cmd.Context(), withNet, cmd.ErrOrStderr())
			if asJSON {
				if err := printJSON(cmd.OutOrStdout(), map[string]any{"checks": d.checks}); err != nil {
					return err
				}
			} else {
				printChecks(cmd.OutOrStdout(), d.checks, tr)
			}
			failed := 0
			for _, c := range d.checks {
				if c.Status == checkFail {
					failed++
				}
			}
			if failed > 0 {
				return errors.New(tr.T("cli.doctorFailed", "count", strconv.Itoa(failed)))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, tr.T("cli.flagJSON"))
	cmd.Flags().BoolVar(&withNet, "net", false, tr.T("cli.doctorFlagNet"))
	return cmd
}

func (d *doctor) run(ctx context.Context, withNet bool, errOut io.Writer) {
	if ctx == nil {
		ctx = context.Background()
	}
	d.checkConfig()
	d.checkDatabase()
	running := d.checkEngine()
	d.checkChannels(ctx, withNet, errOut)
	url := "http://" + d.cfg.Listen
	d.checkAttach("cli.doctorNameClaude", claudeState(url), "cli.doctorFixClaude")
	d.checkAttach("cli.doctorNameGemini", geminiState(url), "cli.doctorFixGemini")
	d.checkCodex(engineURL(d.cfg.Listen))
	d.checkDisk()
	d.checkLogDir()
	detail := "routex " + d.version
	if running != "" && running != d.version {
		d.add("cli.doctorNameVersion", checkWarn, detail, d.tr.T("cli.doctorFixVersion", "engine", running))
		return
	}
	d.add("cli.doctorNameVersion", checkOK, detail, "")
}

func (d *doctor) checkConfig() {
	path := config.Path(d.home)
	d.cfg = config.Defaults()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		d.add("cli.doctorNameConfig", checkWarn, d.tr.T("cli.doctorConfigMissing", "path", path), d.tr.T("cli.doctorFixStart"))
		return
	}
	cfg, err := config.Load(d.home)
	if err != nil {
		d.add("cli.doctorNameConfig", checkFail, err.Error(), d.tr.T("cli.doctorFixConfig", "path", path))
		return
	}
	cfg.Listen = listenFor(d.f, d.home, cfg.Listen)
	d.cfg, d.cfgOK = cfg, true
	d.add("cli.doctorNameConfig", checkOK, d.tr.T("cli.doctorConfigOK", "path", path), "")
}

func (d *doctor) checkDatabase() {
	if target := config.DatabaseTarget(d.home); store.IsPostgresURL(target) {
		d.checkPostgres(target)
		return
	}
	path := config.DatabasePath(d.home)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		d.add("cli.doctorNameDatabase", checkWarn, d.tr.T("cli.doctorDBMissing", "path", path), d.tr.T("cli.doctorFixStart"))
		return
	}
	if err == nil {
		err = quickCheck(path)
	}
	if err != nil {
		d.add("cli.doctorNameDatabase", checkFail, d.tr.T("cli.doctorDBBroken", "path", path, "error", err.Error()),
			d.tr.T("cli.doctorFixDB", "path", path))
		return
	}
	d.dbOK = true
	d.add("cli.doctorNameDatabase", checkOK, d.tr.T("cli.doctorDBOK", "path", path, "size", humanBytes(uint64(fi.Size()))), "")
}

// checkPostgres connects to the team database and compares its schema
// version with this Routex's, changing nothing; the URL is shown with its
// password masked.
func (d *doctor) checkPostgres(target string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := store.InspectPostgres(ctx, target)
	args := []string{"where", info.Where, "version", info.ServerVersion,
		"schema", strconv.Itoa(info.SchemaVersion), "latest", strconv.Itoa(info.LatestVersion)}
	switch {
	case err != nil:
		d.add("cli.doctorNameDatabase", checkFail, d.tr.T("cli.doctorPGFail", "where", info.Where, "error", err.Error()),
			d.tr.T("cli.doctorFixPG"))
		return
	case info.SchemaVersion > info.LatestVersion:
		d.add("cli.doctorNameDatabase", checkFail, d.tr.T("cli.doctorPGNewer", args...), d.tr.T("cli.doctorFixPGNewer"))
		return
	case info.SchemaVersion < info.LatestVersion:
		d.add("cli.doctorNameDatabase", checkWarn, d.tr.T("cli.doctorPGBehind", args...), d.tr.T("cli.doctorFixPGBehind"))
	default:
		d.add("cli.doctorNameDatabase", checkOK, d.tr.T("cli.doctorPGOK", args...), "")
	}
	d.dbOK = true
}

// quickCheck runs PRAGMA quick_check over a read-only connection, so a
// broken file is never written to.
func quickCheck(path string) error {
	head := make([]byte, 16)
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	_, err = io.ReadFull(fh, head)
	fh.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return errors.New("not a SQLite database")
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro&_pragma=busy_timeout(3000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query("PRAGMA quick_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkEngine says whether this home's engine answers, else whether its
// port is free, else who holds it. It returns the running engine's version.
func (d *doctor) checkEngine() string {
	listen := d.cfg.Listen
	if d.cfgOK {
		base := "http://" + listen
		if info, ok := askInfo(base, d.cfg.AdminToken, 2*time.Second); ok {
			up := (time.Duration(info.UptimeS) * time.Second).String()
			d.add("cli.doctorNameEngine", checkOK, d.tr.T("cli.statusEngineUp", "url", base, "version", info.Version, "uptime", up), "")
			return info.Version
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err == nil {
		ln.Close()
		d.add("cli.doctorNameEngine", checkOK, d.tr.T("cli.doctorPortFree", "listen", listen), "")
		return ""
	}
	holder := d.tr.T("cli.doctorHolderUnknown")
	if _, port, err := net.SplitHostPort(listen); err == nil {
		if p, err := strconv.Atoi(port); err == nil {
			if who := portHolder(p); who != "" {
				holder = who
			}
		}
	}
	d.add("cli.doctorNameEngine", checkFail, d.tr.T("cli.doctorPortHeld", "listen", listen, "holder", holder), d.tr.T("cli.doctorFixPort"))
	return ""
}

func (d *doctor) checkChannels(ctx context.Context, withNet bool, errOut io.Writer) {
	if !d.dbOK {
		return
	}
	st, err := store.Open(config.DatabaseTarget(d.home))
	if err != nil {
		fix := d.tr.T("cli.doctorFixDB", "path", config.DatabasePath(d.home))
		if store.IsPostgresURL(config.DatabaseTarget(d.home)) {
			fix = d.tr.T("cli.doctorFixPG")
		}
		d.add("cli.doctorNameChannels", checkFail, err.Error(), fix)
		return
	}
	defer st.Close()
	chs, err := st.Channels(ctx)
	if err != nil {
		d.add("cli.doctorNameChannels", checkFail, err.Error(), "")
		return
	}
	var enabled []store.Channel
	for _, ch := range chs {
		if ch.Enabled {
			enabled = append(enabled, ch)
		}
	}
	if len(enabled) == 0 {
		d.add("cli.doctorNameChannels", checkWarn, d.tr.T("cli.doctorNoChannels"), d.tr.T("cli.doctorFixChannels"))
		return
	}
	fix := ""
	if !withNet {
		fix = d.tr.T("cli.doctorFixNet")
	}
	d.add("cli.doctorNameChannels", checkOK, d.tr.T("cli.doctorChannels", "total", strconv.Itoa(len(chs)), "enabled", strconv.Itoa(len(enabled))), fix)
	if !withNet {
		return
	}
	for _, r := range testChannels(ctx, enabled, errOut, d.tr) {
		c := check{Name: d.tr.T("cli.doctorNameChannel", "name", r.Channel), Status: checkOK,
			Detail: fmt.Sprintf("HTTP %d, %dms", r.Status, r.LatencyMS)}
		if !r.OK {
			c.Status, c.Detail, c.Fix = checkFail, r.Error, d.tr.T("cli.doctorFixChannel", "name", r.Channel)
			if r.Status != 0 {
				c.Detail = fmt.Sprintf("HTTP %d: %s", r.Status, r.Error)
			}
		}
		d.checks = append(d.checks, c)
	}
}

func (d *doctor) checkAttach(nameKey string, s attachState, fixKey string) {
	switch s.State {
	case attached:
		d.add(nameKey, checkOK, d.tr.T("cli.statusAttached")+" ("+s.File+")", "")
	case attachedElswhere:
		d.add(nameKey, checkWarn, d.tr.T("cli.statusAttachedElsewhere", "url", s.BaseURL), d.tr.T(fixKey))
	default:
		d.add(nameKey, checkWarn, d.tr.T("cli.statusNotAttached"), d.tr.T(fixKey))
	}
}

// checkCodex reads Codex's config.toml with the code that attaches it, so
// a file doctor finds fine is one `routex codex attach` can edit, and a
// malformed one is reported with its line.
func (d *doctor) checkCodex(url string) {
	st := attachState{State: notAttached}
	c, err := clients.NewCodex(d.home, quiet())
	if err == nil {
		st.File = c.Path()
		var s clients.Status
		if s, err = c.Status(url); err == nil {
			st.State, st.BaseURL = string(s.State), s.BaseURL
		}
	}
	if err != nil {
		d.add("cli.doctorNameCodex", checkWarn, err.Error(), d.tr.T("cli.doctorFixCodexFile"))
		return
	}
	d.checkAttach("cli.doctorNameCodex", st, "cli.doctorFixCodex")
}

// geminiState reads GOOGLE_GEMINI_BASE_URL from Gemini CLI's ~/.gemini/.env.
func geminiState(engineURL string) attachState {
	h, _ := os.UserHomeDir()
	path := filepath.Join(h, ".gemini", ".env")
	st := attachState{State: notAttached, File: path}
	fh, err := os.Open(path)
	if err != nil {
		return st
	}
	defer fh.Close()
	got := ""
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "GOOGLE_GEMINI_BASE_URL" {
			got = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return compareURL(st, got, engineURL)
}

// checkDisk measures and rates the free space under the home (or, before
// the first start, the folder that will hold it) as readiness does
// (observe.DiskStatus), so `routex doctor` and /health/ready agree.
func (d *doctor) checkDisk() {
	dir := d.home
	if _, err := os.Stat(dir); err != nil {
		dir = filepath.Dir(dir)
	}
	free, err := observe.FreeDisk(dir)
	if err != nil {
		d.add("cli.doctorNameDisk", checkWarn, d.tr.T("cli.doctorDiskUnknown", "error", err.Error()), "")
		return
	}
	detail := d.tr.T("cli.doctorDiskFree", "free", humanBytes(free))
	switch observe.DiskStatus(free) {
	case observe.StatusUnhealthy:
		d.add("cli.doctorNameDisk", checkFail, detail, d.tr.T("cli.doctorFixDisk"))
	case observe.StatusDegraded:
		d.add("cli.doctorNameDisk", checkWarn, detail, d.tr.T("cli.doctorFixDisk"))
	default:
		d.add("cli.doctorNameDisk", checkOK, detail, "")
	}
}

// checkLogDir writes and removes a file in logs/ (or, before the first
// start, in the home that will hold it).
func (d *doctor) checkLogDir() {
	dir := config.LogDir(d.home)
	target := dir
	if _, err := os.Stat(dir); err != nil {
		target = d.home
	}
	fh, err := os.CreateTemp(target, ".doctor-*")
	if err == nil {
		fh.Close()
		err = os.Remove(fh.Name())
	}
	if err != nil {
		d.add("cli.doctorNameLogs", checkFail, d.tr.T("cli.doctorLogsBroken", "path", dir, "error", err.Error()), d.tr.T("cli.doctorFixLogs", "path", dir))
		return
	}
	d.add("cli.doctorNameLogs", checkOK, d.tr.T("cli.doctorLogsOK", "path", dir), "")
}

func printChecks(out io.Writer, checks []check, tr *i18n.Translator) {
	marks := map[string]string{checkOK: "✓", checkWarn: "!", checkFail: "✗"}
	width := 0
	for _, c := range checks {
		width = max(width, len([]rune(c.Name)))
	}
	for _, c := range checks {
		pad := strings.Repeat(" ", width-len([]rune(c.Name)))
		fmt.Fprintf(out, "%s %s%s  %s\n", marks[c.Status], c.Name, pad, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(out, "  %s  → %s\n", strings.Repeat(" ", width), c.Fix)
		}
	}
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// portHolder names the process listening on a TCP port, from Linux's
// /proc (best effort: empty elsewhere or when /proc hides it).
func portHolder(port int) string {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for ino := range listenInodes(string(data), port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid := strings.Split(fd, "/")[2]
			comm, _ := os.ReadFile("/proc/" + pid + "/comm")
			return fmt.Sprintf("pid %s (%s)", pid, strings.TrimSpace(string(comm)))
		}
	}
	return ""
}

// listenInodes parses /proc/net/tcp text: the socket inodes in state LISTEN
// (0A) on the port.
func listenInodes(text string, port int) map[string]bool {
	out := map[string]bool{}
	want := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(text, "\n")[1:] {
		fields := strings.Fields(line)
		if len(fields) < 10 || fields[3] != "0A" || !strings.HasSuffix(fields[1], want) {
			continue
		}
		out[fields[9]] = true
	}
	return out
}
