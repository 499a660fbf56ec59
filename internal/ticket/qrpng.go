package ticket

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// quietZone is the white margin around the symbol, in modules: the four
// that the QR standard asks for.
const quietZone = 4

// QRPNG renders code as a PNG QR image at most size pixels wide (larger only
// if size cannot fit one pixel per module), with medium error correction
// (15%: survives a crease or a scuffed phone screen). The symbol comes from
// go-qrcode; the image is drawn here, with every module the same whole
// number of pixels (go-qrcode's own images stretch the symbol to exactly
// size, making some modules a pixel wider than others).
func QRPNG(code string, size int) ([]byte, error) {
	if code == "" {
		return nil, fmt.Errorf("ticket: qr: empty code")
	}
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("ticket: qr: %w", err)
	}
	q.DisableBorder = true // the quiet zone is drawn with the image
	symbol := q.Bitmap()
	n := len(symbol) + 2*quietZone
	scale := max(1, size/n)
	png, err := bitmapPNG(symbol, quietZone, scale)
	if err != nil {
		return nil, fmt.Errorf("ticket: qr: %w", err)
	}
	return png, nil
}

// bitmapPNG writes a black-on-white bitmap inside a white margin of quiet
// modules as a 1-bit greyscale PNG, each module scale pixels square. Drawn
// and written here rather than through image/png: that encoder asks for
// every pixel's colour through an interface, which made the QR image most
// of a confirmation email's cost. Every pixel row but the first of a
// module's row repeats the row above, so it is written with PNG's "up"
// filter as zeros, which compress to almost nothing.
func bitmapPNG(bitmap [][]bool, quiet, scale int) ([]byte, error) {
	modules := len(bitmap) + 2*quiet
	side := modules * scale
	stride := (side + 7) / 8
	var out bytes.Buffer
	out.Grow(4096)
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(side))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(side))
	ihdr[8] = 1 // bit depth; colour type 0 (greyscale), deflate, filters, no interlace
	writeChunk(&out, "IHDR", ihdr[:])

	w := pngWriters.Get().(*pngWriter)
	defer pngWriters.Put(w)
	w.idat.Reset()
	w.z.Reset(&w.idat)
	line := make([]byte, 1+stride) // filter byte, then the pixels
	up := make([]byte, 1+stride)
	up[0] = 2 // "up": each byte minus the one above; a repeated row is zeros
	for y := range modules {
		// 1 is white: a row starts white and the dark modules are cleared.
		for i := range stride {
			line[1+i] = 0xff
		}
		if r := y - quiet; r >= 0 && r < len(bitmap) {
			for x, dark := range bitmap[r] {
				if !dark {
					continue
				}
				for px := (quiet + x) * scale; px < (quiet+x+1)*scale; px++ {
					line[1+px/8] &^= 0x80 >> (px % 8)
				}
			}
		}
		if _, err := w.z.Write(line); err != nil {
			return nil, err
		}
		for range scale - 1 {
			if _, err := w.z.Write(up); err != nil {
				return nil, err
			}
		}
	}
	if err := w.z.Close(); err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", w.idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// pngWriter is a compressor and its output, kept between images: setting
// up a compressor costs more than compressing a QR code.
type pngWriter struct {
	idat bytes.Buffer
	z    *zlib.Writer
}

var pngWriters = sync.Pool{New: func() any {
	w := &pngWriter{}
	w.z, _ = zlib.NewWriterLevel(&w.idat, zlib.BestSpeed)
	return w
}}

func writeChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
