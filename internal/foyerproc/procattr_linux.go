package foyerproc

import (
	"os/exec"
	"syscall"
)

// setProcAttr has Linux kill foyer when its parent dies (a panic, go test's
// -timeout, an interrupted benchmark), so that no orphan keeps a port or a
// data folder.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
