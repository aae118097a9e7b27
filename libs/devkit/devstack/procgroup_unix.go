//go:build unix

package devstack

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// setProcGroup puts the child in a process group of its own, so that one signal to the group
// reaches its children too (go run, shell wrappers, workers), and so that Ctrl-C in the terminal
// reaches only egov-dev, which then stops the children in order.
func setProcGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends sig to every process in the group led by pid.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// groupAlive reports whether any process of the group led by pid still runs. Zombies do not
// count: they have ended, and reaping orphans is init's job (which may take a while).
func groupAlive(pid int) bool {
	return syscall.Kill(-pid, 0) == nil && groupHasLiveMember(pid)
}

// lockDir takes an exclusive lock on dir/egov-dev.lock for the life of the process: two runners on
// one var folder would start two MinIOs on the same data. The kernel drops the lock when egov-dev
// exits, however it exits.
func lockDir(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "egov-dev.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("another egov-dev is using %s (%s is locked); stop it first: %w", dir, f.Name(), err)
	}
	return func() { _ = f.Close() }, nil
}
