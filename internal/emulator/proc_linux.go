package emulator

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr puts the emulator in its own process group, so Close can kill
// it and anything it forks, and kills it if the parent thread dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup sends SIGKILL to the process group led by pid; a group that is
// already gone is not an error.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// children lists the ids of the live processes whose parent is pid, in
// ascending order, by reading /proc/<id>/stat.
func children(pid int) []int {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil
	}
	var kids []int
	for _, path := range stats {
		ppid, ok := parentOf(path)
		if !ok || ppid != pid {
			continue
		}
		id, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil {
			kids = append(kids, id)
		}
	}
	slices.Sort(kids)
	return kids
}

// parentOf reads the parent id from a /proc/<id>/stat file. The command name
// in parentheses may contain spaces, so fields are counted after the last ')'.
func parentOf(statPath string) (int, bool) {
	data, err := os.ReadFile(statPath)
	if err != nil {
		return 0, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 3 || fields[0] == "Z" {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}
