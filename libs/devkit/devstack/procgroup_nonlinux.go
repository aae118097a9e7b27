//go:build unix && !linux

package devstack

import "syscall"

// setParentDeathSignal has no equivalent outside Linux; the process group still lets a clean
// shutdown reach every descendant.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// groupHasLiveMember cannot tell zombies apart without /proc; a signalable group counts as alive.
func groupHasLiveMember(int) bool { return true }
