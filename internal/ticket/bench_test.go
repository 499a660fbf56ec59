package ticket

import (
	"crypto/ed25519"
	"testing"

	"github.com/foyer-events/foyer/internal/benchtest"
)

func BenchmarkQRPNG(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(nil)
	code, _ := Issue(key, 1, 123456)
	b.ReportAllocs()
	start := benchtest.ProcessCPU()
	for b.Loop() {
		if _, err := QRPNG(code, 512); err != nil {
			b.Fatal(err)
		}
	}
	benchtest.ReportCPU(b, start)
}

func BenchmarkIssue(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(nil)
	b.ReportAllocs()
	start := benchtest.ProcessCPU()
	for b.Loop() {
		Issue(key, 1, 123456)
	}
	benchtest.ReportCPU(b, start)
}
