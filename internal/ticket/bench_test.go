package ticket

import (
	"crypto/ed25519"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used: on a busy machine a far
// steadier measure of work than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkQRPNG(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(nil)
	code, _ := Issue(key, 1, 123456)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := QRPNG(code, 512); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkIssue(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(nil)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		Issue(key, 1, 123456)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
