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

// ScanMix is the order in which the doors of a forum scan the tickets of
// b.N scans: each of guests tickets (0 to guests-1) once, with a repeat of
// an earlier ticket after every fourth. It stops b when the guests' tickets
// cannot make b.N scans.
func ScanMix(b *testing.B, guests int) []int {
	var mix []int
	for t := range guests {
		mix = append(mix, t)
		if t%4 == 3 {
			mix = append(mix, t/2)
		}
	}
	if b.N > len(mix) {
		b.Fatalf("at most %d scans (-benchtime %dx)", len(mix), len(mix))
	}
	return mix[:b.N]
}
