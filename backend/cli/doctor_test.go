package cli

import (
	"encoding/json"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
)

func doctorChecks(t *testing.T, f *flags) (map[string]check, error) {
	t.Helper()
	out, err := run(t, newDoctorCmd(f, en, "test"), "", "--json")
	var doc struct {
		Checks []check `json:"checks"`
	}
	if jerr := json.Unmarshal([]byte(out), &doc); jerr != nil {
		t.Fatalf("doctor --json: %v\n%s", jerr, out)
	}
	m := map[string]check{}
	for _, c := range doc.Checks {
		m[c.Name] = c
	}
	return m, err
}

func TestDoctorOnAHealthyHomeExitsZero(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	run(t, channelCmd(f), "", "add", "a", "--type", "openai", "--base-url", "https://a.example/v1", "--model", "m")
	checks, err := doctorChecks(t, f)
	if err != nil {
		t.Fatalf("doctor failed on a healthy home: %v %+v", err, checks)
	}
	for _, name := range []string{"config", "database", "engine", "channels", "logs", "version"} {
		if checks[name].Status != checkOK {
			t.Errorf("%s: %+v", name, checks[name])
		}
	}
	out, _ := run(t, newDoctorCmd(f, en, "test"), "")
	if !strings.Contains(out, "✓ database") || !strings.Contains(out, "! Claude Code") {
		t.Errorf("text output:\n%s", out)
	}
}

func TestDoctorOnABrokenHome(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	run(t, channelCmd(f), "", "list") // creates config and database
	// Corrupt the database past its header, and hold the port with a listener.
	db := config.DatabasePath(f.home)
	data, _ := os.ReadFile(db)
	for i := 100; i < len(data); i++ {
		data[i] = 0xAB
	}
	os.WriteFile(db, data, 0o600)
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	checks, err := doctorChecks(t, f)
	if err == nil || !strings.Contains(err.Error(), "2 problem") {
		t.Fatalf("doctor should fail with 2 problems: %v %+v", err, checks)
	}
	if c := checks["database"]; c.Status != checkFail || !strings.Contains(c.Fix, "mv ") {
		t.Errorf("database: %+v", c)
	}
	c := checks["engine"]
	if c.Status != checkFail || !strings.Contains(c.Detail, "held by another process") {
		t.Errorf("engine: %+v", c)
	}
	if runtime.GOOS == "linux" && !strings.Contains(c.Detail, "pid ") {
		t.Errorf("on Linux the holder should be named: %+v", c)
	}
}

func TestListenInodesReadsProcNetTCP(t *testing.T) {
	t.Parallel()
	text := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:46A0 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0`
	got := listenInodes(text, 18080)
	if len(got) != 1 || !got["12345"] {
		t.Fatalf("got %v", got)
	}
}
