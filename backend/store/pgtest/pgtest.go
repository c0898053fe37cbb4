// Package pgtest gives tests a real PostgreSQL server: a throwaway cluster
// made with the system's initdb in a temporary folder, started on a free
// loopback port on first use and stopped when the test binary ends (call
// Main from TestMain). Each test gets a database of its own, dropped when
// the test ends, so tests run in parallel without seeing each other's rows.
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
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	if err := Available(); err != nil {
		unavailable(t, err)
	}
	name := newName()
	create := "CREATE DATABASE " + name
	if srv.versionNum >= 150000 {
		// Copying the template's files is cheaper than the default of
		// logging every page to the WAL, and durability is off anyway.
		create += " STRATEGY FILE_COPY"
	}
	if err := srv.exec(create); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := srv.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(srv.admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
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

// Main runs the tests and then stops the server if they started one:
// func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stop the PostgreSQL test server: %v\n", err)
		}
	}
	return code
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := "PostgreSQL tests SKIPPED: " + err.Error() +
		" (run scripts/deps.sh to install Debian's postgresql package, or set " + EnvURL + ")"
	if os.Getenv(EnvRequire) != "" {
		t.Fatalf("pgtest: %s is set and %s", EnvRequire, msg)
	}
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

func start() (*server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		s := &server{admin: u}
		return s, s.connect(30 * time.Second)
	}
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, owner, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "routex-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir}
	if err := s.initAndRun(bin, cred, owner); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// binDir finds initdb and postgres: ROUTEX_TEST_PG_BIN, then Debian's
// /usr/lib/postgresql/<newest>/bin, then PATH.
func binDir() (string, error) {
	if d := os.Getenv(EnvBinDir); d != "" {
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("initdb not found under /usr/lib/postgresql/*/bin or on PATH")
}

func versionOf(initdb string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(initdb))), 64)
	return v
}

// runAs returns the credentials to run initdb and postgres with: they
// refuse to run as root, so as root they run as the "postgres" user.
func runAs() (*syscall.Credential, *user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, u, nil
}

func (s *server) initAndRun(bin string, cred *syscall.Credential, owner *user.User) error {
	data := filepath.Join(s.dir, "data")
	pwfile := filepath.Join(s.dir, "pw")
	if err := os.WriteFile(pwfile, []byte(Password+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		for _, p := range []string{s.dir, pwfile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("give %s to %s: %w", p, owner.Username, err)
			}
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "routex", "--pwfile", pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = s.dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, lastLines(string(out), 5))
	}
	var lastErr error
	for range 3 { // a free port can be taken between the probe and the bind
		port, err := freePort()
		if err != nil {
			return err
		}
		if lastErr = s.run(bin, data, port, cred); lastErr == nil {
			return nil
		}
	}
	return lastErr
}

func (s *server) run(bin, data string, port int, cred *syscall.Credential) error {
	logPath := filepath.Join(s.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Durability is off: the cluster is thrown away, and fsyncs would
	// make every test wait on a shared disk.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB",
		"-c", "log_min_messages=warning", "-c", "log_min_error_statement=panic")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig stops the server if the test binary dies without Main's
	// cleanup (a panic, a timeout); SIGINT is PostgreSQL's fast shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	s.admin = fmt.Sprintf("postgres://routex:%s@127.0.0.1:%d/postgres?sslmode=disable", Password, port)
	if err := s.connect(30 * time.Second); err != nil {
		s.kill()
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("postgres did not accept connections: %v: %s", err, lastLines(string(log), 5))
	}
	return nil
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

func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

func (s *server) stop() error {
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
	s.kill()
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
