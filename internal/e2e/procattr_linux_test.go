package e2e

import (
	"os/exec"
	"syscall"
)

// setProcAttr has Linux kill the server when the test binary dies (a panic,
// go test's -timeout), so that no orphan keeps a port or a data folder.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
