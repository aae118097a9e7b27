//go:build unix

package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"egov.vn/platform/libs/testenv"
)

func newTestSupervisor(t *testing.T, stopTimeout time.Duration) (*Supervisor, *testenv.Buffer) {
	t.Helper()
	out := &testenv.Buffer{}
	sv := NewSupervisor(slog.New(slog.NewTextHandler(io.Discard, nil)), out, stopTimeout)
	sv.NameWidth = 6
	sv.MinBackoff, sv.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	t.Cleanup(func() { sv.Stop() })
	return sv, out
}

// waitPID reads the PID a shell child wrote into file.
func waitPID(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s was never written", file)
	return 0
}

// processGone reports whether pid no longer runs. A zombie has ended; only its parent can reap it.
func processGone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// The state follows the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}

func assertGone(t *testing.T, what string, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Errorf("%s (pid %d) is still running", what, pid)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSupervisorStopEndsChildAndGrandchildren(t *testing.T) {
	t.Parallel()
	sv, out := newTestSupervisor(t, 5*time.Second)
	pidfile := filepath.Join(t.TempDir(), "grandchild")
	err := sv.Start(Command{Name: "shell", Path: "/bin/sh",
		// The greeting is written before the pid file the test waits for, so Stop cannot come
		// before it.
		Args: []string{"-c", `sleep 300 & echo "hello from $GREETING"; echo $! > "$PIDFILE"; wait`},
		Env:  []string{"PIDFILE=" + pidfile, "GREETING=the stack"}})
	if err != nil {
		t.Fatal(err)
	}
	grandchild := waitPID(t, pidfile)
	st, ok := sv.Status("shell")
	if !ok || st.State != StateRunning || st.PID == 0 {
		t.Fatalf("status %+v %v", st, ok)
	}
	sv.Stop("shell")
	if st, _ := sv.Status("shell"); st.State != StateStopped {
		t.Errorf("state after Stop = %s", st.State)
	}
	assertGone(t, "child", st.PID)
	assertGone(t, "grandchild", grandchild)
	if !strings.Contains(out.String(), "shell  | hello from the stack\n") {
		t.Errorf("output not prefixed by name: %q", out.String())
	}
}

func TestSupervisorKillsWhatIgnoresSIGTERM(t *testing.T) {
	t.Parallel()
	sv, _ := newTestSupervisor(t, 300*time.Millisecond)
	dir := t.TempDir()
	// The leader ignores SIGTERM; its grandchild is started after the trap and inherits it.
	err := sv.Start(Command{Name: "stubborn", Path: "/bin/sh",
		Args: []string{"-c", `trap '' TERM; sleep 300 & echo $! > "$D/gc"; echo $$ > "$D/leader"; wait`},
		Env:  []string{"D=" + dir}})
	if err != nil {
		t.Fatal(err)
	}
	leader, grandchild := waitPID(t, filepath.Join(dir, "leader")), waitPID(t, filepath.Join(dir, "gc"))
	start := time.Now()
	sv.Stop()
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("stopped after %s; SIGTERM was ignored so it should have taken the timeout", d)
	}
	assertGone(t, "leader", leader)
	assertGone(t, "grandchild", grandchild)
}

func TestSupervisorSweepsGrandchildrenOfAnExitedLeader(t *testing.T) {
	t.Parallel()
	sv, _ := newTestSupervisor(t, 300*time.Millisecond)
	pidfile := filepath.Join(t.TempDir(), "gc")
	// The leader obeys SIGTERM, the grandchild ignores it: only the group sweep can end it.
	err := sv.Start(Command{Name: "leaver", Path: "/bin/sh",
		Args: []string{"-c", `(trap '' TERM; exec sleep 300) & echo $! > "$PIDFILE"; wait`},
		Env:  []string{"PIDFILE=" + pidfile}})
	if err != nil {
		t.Fatal(err)
	}
	grandchild := waitPID(t, pidfile)
	sv.Stop("leaver")
	assertGone(t, "grandchild", grandchild)
}

func TestSupervisorRestartsACrashedChild(t *testing.T) {
	t.Parallel()
	sv, out := newTestSupervisor(t, time.Second)
	if err := sv.Start(Command{Name: "crashy", Path: "/bin/sh", Args: []string{"-c", "echo up; exit 3"}}); err != nil {
		t.Fatal(err)
	}
	// Wait until the third run has crashed by itself (it is then waiting to restart), so that
	// Stop ends a backoff, not a run still starting.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := sv.Status("crashy")
		if st.Restarts >= 2 && st.State == StateRestarting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not restarted: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sv.Stop("crashy")
	st, _ := sv.Status("crashy")
	if st.State != StateStopped || st.Detail != "exit code 3" {
		t.Errorf("status %+v", st)
	}
	if n := strings.Count(out.String(), "crashy | up\n"); n < 3 {
		t.Errorf("want every run's output, got %d lines: %q", n, out.String())
	}
}

func TestSupervisorStartFailsForMissingBinary(t *testing.T) {
	t.Parallel()
	sv, _ := newTestSupervisor(t, time.Second)
	err := sv.Start(Command{Name: "ghost", Path: filepath.Join(t.TempDir(), "no-such-binary")})
	if err == nil {
		t.Fatal("no error")
	}
	if _, ok := sv.Status("ghost"); ok {
		t.Error("a child that never started must not be listed")
	}
}

func TestPrefixWriterSplitsLines(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := &prefixWriter{out: &syncWriter{w: &b}, prefix: "x | "}
	_, _ = w.Write([]byte("one\ntw"))
	_, _ = w.Write([]byte("o\nthree"))
	w.Flush()
	if got, want := b.String(), "x | one\nx | two\nx | three\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
