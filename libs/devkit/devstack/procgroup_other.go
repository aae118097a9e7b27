//go:build !unix

package devstack

import (
	"os"
	"os/exec"
	"syscall"
)

// Without Unix process groups only the direct child can be stopped, and only by killing it; the
// dev runner is meant for Linux and macOS, this keeps the module building elsewhere.
func setProcGroup(*exec.Cmd) {}

func signalGroup(pid int, _ syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	return p.Kill()
}

func groupAlive(int) bool { return false }

func lockDir(string) (func(), error) { return func() {}, nil }
