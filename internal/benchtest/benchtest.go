// Package benchtest measures benchmarks by the CPU time the process uses,
// user and system: on a busy machine a far steadier measure of work than
// the wall clock.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package benchtest

import (
	"syscall"
	"testing"
	"time"
)

// ProcessCPU returns the CPU time this process has used so far.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU adds the CPU time used since start (a ProcessCPU reading) per
// operation to b's results, as cpu-ns/op.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(ProcessCPU()-start)/float64(b.N), "cpu-ns/op")
}
