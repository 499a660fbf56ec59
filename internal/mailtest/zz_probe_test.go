package mailtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"image"
	"testing"

	"github.com/foyer-events/foyer/internal/ticket"
)

func TestZZProbe(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	for _, size := range []int{-4, 100, 256, 320, 400} {
		fails := 0
		var w int
		for i := 0; i < 1000; i++ {
			code, _ := ticket.Issue(key, int64(size+10), int64(i+1))
			png, _ := ticket.QRPNG(code, size)
			cfg, _, _ := image.DecodeConfig(bytes.NewReader(png))
			w = cfg.Width
			if got, err := DecodeQR(png); err != nil || got != code {
				fails++
			}
		}
		t.Logf("size %d (%d px): fails %d/1000", size, w, fails)
	}
}
