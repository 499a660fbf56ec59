//go:build !linux

package e2e

import "os/exec"

// setProcAttr does nothing where there is no parent-death signal.
func setProcAttr(cmd *exec.Cmd) {}
