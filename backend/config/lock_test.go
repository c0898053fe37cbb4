package config

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

func TestHomeLockIsExclusive(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	first, err := LockHome(home)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Running(home); !ok {
		t.Error("Running says no engine while the lock is held")
	}
	if err := first.Publish(RunningEngine{URL: "http://127.0.0.1:18081", PID: os.Getpid()}); err != nil {
		t.Fatal(err)
	}
	_, err = LockHome(home)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Running.URL != "http://127.0.0.1:18081" || locked.Running.PID != os.Getpid() {
		t.Fatalf("a second lock: %v, want a LockedError naming the first engine", err)
	}
	if r, ok := Running(home); !ok || r.URL != "http://127.0.0.1:18081" {
		t.Errorf("Running = %+v %v", r, ok)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("a second Release: %v", err)
	}
	if _, ok := Running(home); ok {
		t.Error("Running reports an engine after Release")
	}
	if _, err := os.Stat(EnginePath(home)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("engine.json outlives the lock: %v", err)
	}
	again, err := LockHome(home)
	if err != nil {
		t.Fatalf("the lock after Release: %v", err)
	}
	again.Release()
}

// A stale engine.json (left by an engine killed before it could remove
// it) names no running engine.
func TestStaleEngineFileIsIgnored(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	l, err := LockHome(home)
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	os.WriteFile(EnginePath(home), []byte(`{"url":"http://127.0.0.1:1","pid":1}`), 0o600)
	if r, ok := Running(home); ok {
		t.Errorf("a stale engine.json reads as running: %+v", r)
	}
}

// The lock holds across processes, and the operating system drops it when
// the holder is killed: kill -9 never leaves a home locked.
func TestHomeLockAcrossProcessesAndKill(t *testing.T) {
	if runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no file locks here")
	}
	t.Parallel()
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$")
	cmd.Env = append(os.Environ(), "ROUTEX_LOCK_HOLDER="+home)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("holder said %q, %v", line, err)
	}
	var locked *LockedError
	if _, err := LockHome(home); !errors.As(err, &locked) || locked.Running.PID != cmd.Process.Pid {
		t.Fatalf("lock held by another process: %v, want a LockedError with its pid", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := LockHome(home)
		if err == nil {
			l.Release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lock of a killed process is still held: %v", err)
		}
	}
}

// TestLockHolderProcess is the other process of the test above.
func TestLockHolderProcess(t *testing.T) {
	home := os.Getenv("ROUTEX_LOCK_HOLDER")
	if home == "" {
		t.Skip("run by TestHomeLockAcrossProcessesAndKill")
	}
	l, err := LockHome(home)
	if err != nil {
		t.Fatal(err)
	}
	l.Publish(RunningEngine{URL: "http://127.0.0.1:9", PID: os.Getpid()})
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
}
