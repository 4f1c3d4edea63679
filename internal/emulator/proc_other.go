//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts the emulator in its own process group, so Close can kill
// it and anything it forks.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the process group led by pid; a group that is
// already gone is not an error.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// children returns nil: without /proc the bootstrap's id is not looked up, so
// PID reports 0 and Close relies on the emulator's own group.
func children(int) []int {
	return nil
}
