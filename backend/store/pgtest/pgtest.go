// Package pgtest gives tests a real PostgreSQL server: a throwaway cluster
// made with the system's initdb in a temporary folder, started on a free
// loopback port on first use and stopped when the test binary ends: by Main
// from TestMain, else by the kernel (the server gets SIGINT when the test
// process dies) and its folder by the next run's sweep of stale folders.
// Each test gets a database of its own, dropped when the test ends, so
// tests run in parallel without seeing each other's rows.
//
// Where PostgreSQL is missing (scripts/deps.sh installs Debian's
// `postgresql` package) the tests that need it are skipped with a loud
// message on stderr; with ROUTEX_TEST_REQUIRE_PG=1 (CI) they fail instead.
// ROUTEX_TEST_DATABASE_URL points the tests at a server of your own (a
// superuser URL; each test creates and drops its database there).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables the helper reads.
const (
	// EnvURL names an existing server to use instead of starting one.
	EnvURL = "ROUTEX_TEST_DATABASE_URL"
	// EnvRequire makes an unavailable server fail the tests, not skip them.
	EnvRequire = "ROUTEX_TEST_REQUIRE_PG"
	// EnvBinDir names the folder of initdb and postgres when they are
	// neither under /usr/lib/postgresql/*/bin nor on PATH.
	EnvBinDir = "ROUTEX_TEST_PG_BIN"
)

// Password is the password of the test cluster's superuser "routex". Tests
// that check a password never shows up in logs or errors look for it.
const Password = "pgtest-Secret-7f3a9c"

// server is the one cluster of this test binary.
type server struct {
	admin      string // superuser URL of the maintenance database
	dir        string // temporary folder (removed on stop); "" for an external server
	cmd        *exec.Cmd
	exited     chan struct{}
	version    string
	versionNum int

	mu   sync.Mutex // serialises CREATE/DROP DATABASE on conn
	conn *pgx.Conn
}

var (
	once     sync.Once
	srv      *server
	startErr error
	warnOnce sync.Once
	seq      int
	seqMu    sync.Mutex
)

// Available starts the server if need be and reports why it cannot run.
func Available() error {
	once.Do(func() { srv, startErr = start() })
	return startErr
}

// URL returns the URL of a new empty database for t, dropped when t ends.
// It skips t, loudly, when no PostgreSQL server can be had.
func URL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
}

// templates are the databases TemplateURL made, by name.
var (
	templatesMu sync.Mutex
	templates   = map[string]*template{}
)

type template struct {
	once sync.Once
	db   string
	err  error
}

// TemplateURL returns the URL of a new database for t, dropped when t ends,
// copied from a template that prepare filled once per test binary (say,
// with the application's migrations): copying is much cheaper than
// repeating the work in every test. prepare must close its connections.
func TemplateURL(t testing.TB, name string, prepare func(url string) error) string {
	t.Helper()
	if err := Available(); err != nil {
		unavailable(t, err)
	}
	templatesMu.Lock()
	tp := templates[name]
	if tp == nil {
		tp = &template{}
		templates[name] = tp
	}
	templatesMu.Unlock()
	tp.once.Do(func() {
		tp.db = newName()
		if tp.err = srv.exec(srv.createSQL(tp.db, "")); tp.err == nil {
			tp.err = prepare(srv.url(tp.db))
		}
	})
	if tp.err != nil {
		t.Fatalf("pgtest: prepare template %s: %v", name, tp.err)
	}
	return newDatabase(t, tp.db)
}

// newDatabase creates a database for t, from template when not "".
func newDatabase(t testing.TB, template string) string {
	t.Helper()
	if err := Available(); err != nil {
		unavailable(t, err)
	}
	name := newName()
	var err error
	for try := 0; try < 50; try++ {
		// A template's last session may still be ending after prepare
		// closed it: PostgreSQL refuses to copy a database in use.
		if err = srv.exec(srv.createSQL(name, template)); err == nil || !strings.Contains(err.Error(), "being accessed") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := srv.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return srv.url(name)
}

// createSQL is the CREATE DATABASE statement for name, copied from template
// when not "".
func (s *server) createSQL(name, template string) string {
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	if s.versionNum >= 150000 {
		// Copying the template's files is cheaper than the default of
		// logging every page to the WAL, and durability is off anyway.
		q += " STRATEGY FILE_COPY"
	}
	return q
}

// url is the URL of database name on the server.
func (s *server) url(name string) string {
	u, err := url.Parse(s.admin)
	if err != nil {
		panic("pgtest: the admin URL does not parse: " + err.Error())
	}
	u.Path = "/" + name
	return u.String()
}

// Version is the server's version string, once started.
func Version() string {
	if srv == nil {
		return ""
	}
	return srv.version
}

// Database makes a new empty database for a program that is not a test
// (the benchmark), starting the server if need be, and returns its URL and
// a function that drops it. Call Stop when done.
func Database() (url string, drop func() error, err error) {
	if err := Available(); err != nil {
		return "", nil, err
	}
	name := newName()
	if err := srv.exec(srv.createSQL(name, "")); err != nil {
		return "", nil, fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return srv.url(name), func() error { return srv.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") }, nil
}

// Stop stops the server this process started, if any, as Main does after
// the tests; programs that are not tests call it when done.
func Stop() error {
	if srv == nil {
		return nil
	}
	return srv.stop()
}

// Main runs the tests and then stops the server if they started one:
// func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if srv != nil && srv.dir == "" { // a server of someone else's: leave it clean
		for _, tp := range templates {
			if tp.db != "" {
				srv.exec("DROP DATABASE IF EXISTS " + tp.db + " WITH (FORCE)")
			}
		}
	}
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stop the PostgreSQL test server: %v\n", err)
		}
	}
	return code
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	why := err.Error() + " (run scripts/deps.sh to install Debian's postgresql package, or set " + EnvURL + ")"
	if os.Getenv(EnvRequire) != "" {
		t.Fatalf("pgtest: PostgreSQL is required (%s is set) but cannot run: %s", EnvRequire, why)
	}
	msg := "PostgreSQL tests SKIPPED: " + why
	warnOnce.Do(func() { fmt.Fprintln(os.Stderr, "!!! pgtest: "+msg) })
	t.Log("!!! " + msg)
	t.Skip(msg)
}

func newName() string {
	seqMu.Lock()
	seq++
	n := seq
	seqMu.Unlock()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("rx_%d_%d_%s", os.Getpid(), n, hex.EncodeToString(b))
}

func (s *server) exec(sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.conn == nil || s.conn.IsClosed() {
		c, err := pgx.Connect(ctx, s.admin)
		if err != nil {
			return err
		}
		s.conn = c
	}
	_, err := s.conn.Exec(ctx, sql)
	return err
}

// connect waits until the server answers, keeps the admin connection and
// reads the version.
func (s *server) connect(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, s.admin)
		if err == nil {
			err = c.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('server_version_num')::int").
				Scan(&s.version, &s.versionNum)
			cancel()
			if err != nil {
				c.Close(context.Background())
				return err
			}
			s.conn = c
			return nil
		}
		cancel()
		select {
		case <-s.exited:
			return errors.New("the server exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *server) stop() error {
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
	if s.cmd != nil {
		s.kill()
	}
	if s.dir != "" {
		return os.RemoveAll(s.dir)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// start connects to ROUTEX_TEST_DATABASE_URL, or starts a throwaway server.
func start() (*server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		s := &server{admin: u}
		return s, s.connect(30 * time.Second)
	}
	return startLocal()
}
