//go:build unix

package mototest

import (
	"os/exec"
	"syscall"
	"time"
)

// ownGroup makes cmd the leader of a new process group, whose id is its
// pid.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// stopGroup ends every process of cmd's group and reaps cmd: SIGTERM to
// the group, then SIGKILL to whatever is still in it after two seconds.
func stopGroup(cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	for range 40 {
		if syscall.Kill(-pgid, 0) == syscall.ESRCH {
			break // no process left in the group
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-waited
}
