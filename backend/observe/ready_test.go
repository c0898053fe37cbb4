package observe

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeDB lets a test make the database unreachable or read-only without
// breaking a real file.
type fakeDB struct{ ping, write error }

func (f fakeDB) Ping(context.Context) error          { return f.ping }
func (f fakeDB) CheckWritable(context.Context) error { return f.write }

func TestReady(t *testing.T) {
	t.Parallel()
	healthy := []ChannelReadiness{{Name: "a", Enabled: true, Healthy: true}, {Name: "b", Enabled: true}}
	tests := []struct {
		name       string
		db         fakeDB
		channels   []ChannelReadiness
		heap, free uint64
		wantCode   int
		want       string
		wantChecks map[string]string
	}{
		{"everything fine is ok", fakeDB{}, healthy, 100 << 20, 10 << 30, 200, StatusOK,
			map[string]string{"database": "ok", "channels": "ok", "memory": "ok", "disk": "ok"}},
		{"an unwritable database is unhealthy and answers 503", fakeDB{write: errors.New("attempt to write a readonly database")},
			healthy, 100 << 20, 10 << 30, 503, StatusUnhealthy, map[string]string{"database": "unhealthy"}},
		{"an unreachable database is unhealthy", fakeDB{ping: errors.New("sql: database is closed")},
			healthy, 100 << 20, 10 << 30, 503, StatusUnhealthy, map[string]string{"database": "unhealthy"}},
		{"no enabled channel is unhealthy", fakeDB{}, []ChannelReadiness{{Name: "a", Healthy: true}},
			100 << 20, 10 << 30, 503, StatusUnhealthy, map[string]string{"channels": "unhealthy"}},
		{"every enabled channel failing is degraded", fakeDB{}, []ChannelReadiness{{Name: "a", Enabled: true}},
			100 << 20, 10 << 30, 200, StatusDegraded, map[string]string{"channels": "degraded"}},
		{"a large heap is degraded", fakeDB{}, healthy, 2 << 30, 10 << 30, 200, StatusDegraded,
			map[string]string{"memory": "degraded"}},
		{"little free disk is degraded", fakeDB{}, healthy, 100 << 20, 200 << 20, 200, StatusDegraded,
			map[string]string{"disk": "degraded"}},
		{"almost no free disk is unhealthy", fakeDB{}, healthy, 100 << 20, 10 << 20, 503, StatusUnhealthy,
			map[string]string{"disk": "unhealthy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd := NewReady(ReadyOptions{
				DB:        tc.db,
				Channels:  func(context.Context) ([]ChannelReadiness, error) { return tc.channels, nil },
				Home:      t.TempDir(),
				HeapBytes: func() uint64 { return tc.heap },
				FreeDisk:  func(string) (uint64, error) { return tc.free, nil },
			})
			rec := httptest.NewRecorder()
			rd.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
			var rep ReadyReport
			if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.wantCode || rep.Status != tc.want {
				t.Fatalf("%d %s, want %d %s: %s", rec.Code, rep.Status, tc.wantCode, tc.want, rec.Body)
			}
			got := map[string]Check{}
			for _, c := range rep.Checks {
				got[c.Name] = c
				if c.Message == "" {
					t.Errorf("check %s has no message", c.Name)
				}
			}
			for name, st := range tc.wantChecks {
				if got[name].Status != st {
					t.Errorf("check %s = %+v, want %s", name, got[name], st)
				}
			}
		})
	}
}

func TestReadyRealDisk(t *testing.T) {
	t.Parallel()
	rd := NewReady(ReadyOptions{Home: t.TempDir()})
	rep := rd.Check(t.Context())
	if len(rep.Checks) != 2 || rep.Checks[1].Name != "disk" || rep.Checks[1].Message == "" {
		t.Fatalf("checks = %+v", rep.Checks)
	}
}

func TestReadySharedDatabase(t *testing.T) {
	t.Parallel()
	const name = "PostgreSQL at postgres://routex:xxxxx@db:5432/routex"
	tests := []struct {
		name   string
		db     fakeDB
		feed   error
		status string
		says   []string
	}{
		{"reachable, writable and listening is ok", fakeDB{}, nil, StatusOK,
			[]string{name, "writable", "at once"}},
		{"a change feed that is down is degraded, not unhealthy", fakeDB{}, errors.New("not listening"), StatusDegraded,
			[]string{name, "change feed is down", "not listening", "re-reading"}},
		{"an unreachable server names the server and database_url", fakeDB{ping: errors.New("connection refused")}, nil,
			StatusUnhealthy, []string{"cannot reach " + name, "connection refused", "database_url", "routex doctor"}},
		{"a read-only server is unhealthy", fakeDB{write: errors.New("cannot execute INSERT in a read-only transaction")}, nil,
			StatusUnhealthy, []string{name + " refuses writes", "read-only replica"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd := NewReady(ReadyOptions{DB: tc.db, DBName: name, ChangeFeed: func() error { return tc.feed }})
			rep := rd.Check(context.Background())
			var db Check
			for _, c := range rep.Checks {
				if c.Name == "database" {
					db = c
				}
			}
			if db.Status != tc.status {
				t.Errorf("database check = %+v, want %s", db, tc.status)
			}
			for _, s := range tc.says {
				if !strings.Contains(db.Message, s) {
					t.Errorf("message %q does not say %q", db.Message, s)
				}
			}
			if len(rep.Checks) != 2 { // database and memory: the others were not asked for
				t.Errorf("checks = %+v", rep.Checks)
			}
		})
	}
}

func TestDiskStatusThresholds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		free uint64
		want string
	}{{0, StatusUnhealthy}, {DiskFail - 1, StatusUnhealthy}, {DiskFail, StatusDegraded}, {DiskWarn - 1, StatusDegraded}, {DiskWarn, StatusOK}} {
		if got := DiskStatus(tc.free); got != tc.want {
			t.Errorf("DiskStatus(%d) = %s, want %s", tc.free, got, tc.want)
		}
	}
}
