package ticket

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	qr "github.com/piglig/go-qr"
)

// quietZone is the white margin around the symbol, in modules: the four
// that the QR standard asks for.
const quietZone = 4

// QRPNG renders code as a PNG QR image at most size pixels wide (larger only
// if size cannot fit one pixel per module), with medium error correction
// (15%: survives a crease or a scuffed phone screen). Every module gets the
// same whole number of pixels: go-qrcode would otherwise stretch the symbol
// to exactly size, making some modules a pixel wider than others.
func QRPNG(code string, size int) ([]byte, error) {
	if code == "" {
		return nil, fmt.Errorf("ticket: qr: empty code")
	}
	segs, err := qr.MakeSegments(code)
	if err != nil {
		return nil, fmt.Errorf("ticket: qr: %w", err)
	}
	q, err := qr.EncodeSegments(segs, qr.Medium, qr.MinVersion, qr.MaxVersion, -1, false)
	if err != nil {
		return nil, fmt.Errorf("ticket: qr: %w", err)
	}
	// The symbol inside a quiet zone of quietZone modules.
	n := q.Size() + 2*quietZone
	bitmap := make([][]bool, n)
	for y := range bitmap {
		bitmap[y] = make([]bool, n)
		for x := range bitmap[y] {
			bitmap[y][x] = q.Module(x-quietZone, y-quietZone)
		}
	}
	scale := max(1, size/n)
	png, err := bitmapPNG(bitmap, scale)
	if err != nil {
		return nil, fmt.Errorf("ticket: qr: %w", err)
	}
	return png, nil
}

// bitmapPNG writes a black-on-white bitmap as a 1-bit greyscale PNG with
// each module scale pixels square. Drawn and written here rather than
// through image/png: that encoder asks for every pixel's colour through an
// interface, which made the QR image most of a confirmation email's cost.
// Every pixel row but the first of a module's row repeats the row above, so
// it is written with PNG's "up" filter as zeros, which compress to almost
// nothing.
func bitmapPNG(bitmap [][]bool, scale int) ([]byte, error) {
	side := len(bitmap) * scale
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
	for _, modules := range bitmap {
		clear(line[1:])
		for x, dark := range modules {
			if dark {
				continue
			}
			for px := x * scale; px < (x+1)*scale; px++ {
				line[1+px/8] |= 0x80 >> (px % 8) // 1 is white
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
