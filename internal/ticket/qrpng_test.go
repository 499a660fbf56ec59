package ticket

import (
	"bytes"
	"image/png"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// TestQRPNGPixels: the PNG is the symbol inside its quiet zone, every
// module a square of the same whole number of pixels, dark where the
// symbol is dark and white elsewhere, at sizes whose rows do and do not
// end on a whole byte.
func TestQRPNGPixels(t *testing.T) {
	code := "FY1-AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4QCAQB"
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	// The symbol with go-qrcode's own quiet zone of four modules, as the
	// standard asks for.
	symbol := q.Bitmap()
	n := len(symbol)
	for _, size := range []int{512, 320, n * 3, n, 10} {
		data, err := QRPNG(code, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		scale := max(1, size/n)
		if b := img.Bounds(); b.Dx() != n*scale || b.Dy() != n*scale {
			t.Fatalf("size %d: %v, want %d px square", size, b, n*scale)
		}
		for y := range n * scale {
			for x := range n * scale {
				r, g, b, _ := img.At(x, y).RGBA()
				dark := symbol[y/scale][x/scale]
				if white := r == 0xffff && g == 0xffff && b == 0xffff; white == dark || (!white && r|g|b != 0) {
					t.Fatalf("size %d: pixel (%d,%d) is %v, module dark %v", size, x, y, img.At(x, y), dark)
				}
			}
		}
	}
}
