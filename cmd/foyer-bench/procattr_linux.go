package main

import (
	"os/exec"
	"syscall"
)

// setProcAttr has Linux kill foyer when the tool dies, so that no orphan
// server keeps a port or a data folder.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
