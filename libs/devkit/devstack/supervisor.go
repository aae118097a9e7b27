package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// State is where a service of the stack stands.
type State int

const (
	StateNotInstalled State = iota // no code at the service's package path yet
	StateBuilding
	StateBuildFailed
	StateRunning    // the process is alive (it may still be opening its port)
	StateRestarting // the process exited on its own and waits for its next start
	StateStopped
)

func (s State) String() string {
	return [...]string{"not installed", "building", "build failed", "running", "restarting", "stopped"}[s]
}

// Vietnamese is the state as the landing page and problem messages show it.
func (s State) Vietnamese() string {
	return [...]string{"chưa cài đặt", "đang biên dịch", "biên dịch lỗi", "đang chạy", "đã dừng bất thường, đang khởi động lại", "đã dừng"}[s]
}

// Status is a service's state with what a person needs to act on it.
type Status struct {
	State    State
	Detail   string // e.g. the last exit status
	Restarts int
	PID      int
}

// Command is one long-running child of the stack.
type Command struct {
	Name string
	Path string
	Args []string
	Dir  string
	// Env is added to egov-dev's own environment; later entries win over earlier ones.
	Env []string
}

// Supervisor runs children in their own process groups, prefixes their output with their name,
// restarts a child that exits on its own (with backoff) and stops them all on shutdown: SIGTERM
// to the whole group, SIGKILL after StopTimeout, so no grandchild outlives the stack.
type Supervisor struct {
	log         *slog.Logger
	out         *syncWriter
	stopTimeout time.Duration

	// NameWidth pads output prefixes so the columns line up; set it before Start.
	NameWidth int
	// MinBackoff and MaxBackoff bound the wait before a crashed child is started again; the wait
	// doubles per crash and starts over once a child has stayed up for StableAfter.
	MinBackoff, MaxBackoff, StableAfter time.Duration

	mu    sync.Mutex
	procs map[string]*proc
}

// NewSupervisor writes children's output, line by line, to out.
func NewSupervisor(log *slog.Logger, out io.Writer, stopTimeout time.Duration) *Supervisor {
	return &Supervisor{
		log:         log,
		out:         &syncWriter{w: out},
		stopTimeout: stopTimeout,
		MinBackoff:  time.Second,
		MaxBackoff:  30 * time.Second,
		StableAfter: time.Minute,
		procs:       map[string]*proc{},
	}
}

type proc struct {
	sv   *Supervisor
	cmd  Command
	stop chan struct{} // closed by Stop; the loop then starts nothing more
	done chan struct{} // closed when the loop has reaped its last process

	mu       sync.Mutex
	stopping bool
	status   Status
}

// Start starts the child and keeps it running until Stop. It fails only if the very first start
// fails (binary missing, not executable); later crashes are logged and retried.
func (s *Supervisor) Start(c Command) error {
	s.mu.Lock()
	if _, dup := s.procs[c.Name]; dup {
		s.mu.Unlock()
		return fmt.Errorf("supervisor: %s is already started", c.Name)
	}
	p := &proc{sv: s, cmd: c, stop: make(chan struct{}), done: make(chan struct{})}
	s.procs[c.Name] = p
	s.mu.Unlock()

	cmd, flush, err := p.spawn()
	if err != nil {
		s.mu.Lock()
		delete(s.procs, c.Name)
		s.mu.Unlock()
		return err
	}
	go p.loop(cmd, flush)
	return nil
}

// Status reports a child's state; ok is false for a name never started.
func (s *Supervisor) Status(name string) (st Status, ok bool) {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil {
		return Status{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, true
}

// Stop stops the named children (all of them when none is named) in parallel and returns when
// every process of their groups is gone or was killed.
func (s *Supervisor) Stop(names ...string) {
	s.mu.Lock()
	var ps []*proc
	if len(names) == 0 {
		for _, p := range s.procs {
			ps = append(ps, p)
		}
	}
	for _, n := range names {
		if p := s.procs[n]; p != nil {
			ps = append(ps, p)
		}
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(p.terminate)
	}
	wg.Wait()
}

// spawn starts one process of the child. Holding p.mu while starting means terminate either sees
// the new PID or stops spawn from starting anything.
func (p *proc) spawn() (*exec.Cmd, func(), error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return nil, nil, errStopping
	}
	// Not CommandContext: a context would SIGKILL the child at once, while terminate gives it
	// SIGTERM and a grace period first.
	c := exec.Command(p.cmd.Path, p.cmd.Args...) //nolint:noctx // see above
	c.Dir = p.cmd.Dir
	c.Env = append(os.Environ(), p.cmd.Env...)
	w := &prefixWriter{out: p.sv.out, prefix: fmt.Sprintf("%-*s | ", p.sv.NameWidth, p.cmd.Name)}
	// One writer for both streams: exec then shares one pipe and lines never interleave.
	c.Stdout, c.Stderr = w, w
	// A grandchild that keeps the pipe open must not hold Wait forever once the child is gone.
	c.WaitDelay = 2 * time.Second
	setProcGroup(c)
	if err := c.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s (%s): %w", p.cmd.Name, p.cmd.Path, err)
	}
	p.status.State = StateRunning
	p.status.PID = c.Process.Pid
	p.sv.log.Debug("started", "service", p.cmd.Name, "pid", c.Process.Pid)
	return c, w.Flush, nil
}

var errStopping = errors.New("stopping")

func (p *proc) loop(cmd *exec.Cmd, flush func()) {
	defer close(p.done)
	sv := p.sv
	backoff := sv.MinBackoff
	for {
		started := time.Now()
		err := cmd.Wait()
		flush()
		pid := cmd.Process.Pid
		select {
		case <-p.stop:
			p.setStatus(StateStopped, exitText(cmd, err))
			return
		default:
		}
		// It died on its own: whatever it left in its group goes too, so the next start finds
		// its port free.
		sv.endGroup(pid)
		if time.Since(started) >= sv.StableAfter {
			backoff = sv.MinBackoff
		}
		detail := exitText(cmd, err)
		p.setStatus(StateRestarting, detail)
		sv.log.Error("service exited; restarting", "service", p.cmd.Name, "exit", detail, "in", backoff)
		for {
			select {
			case <-p.stop:
				p.setStatus(StateStopped, detail)
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, sv.MaxBackoff)
			var err error
			cmd, flush, err = p.spawn()
			if errors.Is(err, errStopping) {
				p.setStatus(StateStopped, detail)
				return
			}
			if err == nil {
				p.mu.Lock()
				p.status.Restarts++
				p.mu.Unlock()
				break
			}
			sv.log.Error("restart failed", "service", p.cmd.Name, "err", err, "retry_in", backoff)
		}
	}
}

func (p *proc) setStatus(s State, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status.State, p.status.Detail = s, detail
	if s != StateRunning {
		p.status.PID = 0
	}
}

// terminate asks the child's whole group to stop, kills it after the timeout and waits until the
// group is empty.
func (p *proc) terminate() {
	p.mu.Lock()
	if !p.stopping {
		p.stopping = true
		close(p.stop)
	}
	pid := p.status.PID
	p.mu.Unlock()
	if pid == 0 {
		<-p.done
		return
	}
	sv := p.sv
	deadline := time.Now().Add(sv.stopTimeout)
	if err := signalGroup(pid, syscall.SIGTERM); err != nil {
		sv.log.Warn("signal failed", "service", p.cmd.Name, "err", err)
	}
	select {
	case <-p.done:
	case <-time.After(time.Until(deadline)):
		sv.log.Warn("did not stop in time; killing", "service", p.cmd.Name, "timeout", sv.stopTimeout)
		_ = signalGroup(pid, syscall.SIGKILL)
		<-p.done
	}
	// The leader is gone; its children got the same SIGTERM and may still be finishing.
	for groupAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	sv.endGroup(pid)
	p.mu.Lock()
	detail := p.status.Detail
	p.mu.Unlock()
	sv.log.Info("stopped", "service", p.cmd.Name, "exit", detail)
}

// endGroup kills whatever is left of a group whose leader has exited.
func (s *Supervisor) endGroup(pid int) {
	if !groupAlive(pid) {
		return
	}
	_ = signalGroup(pid, syscall.SIGKILL)
	for i := 0; i < 100 && groupAlive(pid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if groupAlive(pid) {
		s.log.Warn("process group still has members after SIGKILL", "pgid", pid)
	}
}

func exitText(cmd *exec.Cmd, err error) string {
	if cmd.ProcessState == nil {
		if err != nil {
			return err.Error()
		}
		return "unknown"
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit code %d", cmd.ProcessState.ExitCode())
}

// syncWriter serialises whole lines from several children onto one stream.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) writeLine(prefix string, line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.w, prefix)
	_, _ = s.w.Write(line)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		_, _ = io.WriteString(s.w, "\n")
	}
}

// prefixWriter turns a child's byte stream into whole lines, each prefixed with its name.
type prefixWriter struct {
	out    *syncWriter
	prefix string
	mu     sync.Mutex
	buf    []byte
}

// maxLine caps a line held back waiting for its newline, so a child writing without newlines
// cannot grow memory without bound.
const maxLine = 64 << 10

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) >= maxLine {
				w.out.writeLine(w.prefix, w.buf)
				w.buf = w.buf[:0]
			}
			return len(p), nil
		}
		w.out.writeLine(w.prefix, w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
}

// Flush writes a last line that had no newline.
func (w *prefixWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(strings.TrimSpace(string(w.buf))) > 0 {
		w.out.writeLine(w.prefix, w.buf)
	}
	w.buf = nil
}
