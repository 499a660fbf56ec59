// Package media turns images that organisers hand in (speaker photos, the
// organiser's logo and favicon) into what foyer stores and serves: decoded
// from JPEG, PNG or WebP, turned upright as the camera meant, scaled down to
// the size its purpose needs, and encoded anew. Encoding anew is what strips
// every piece of metadata a file carried (EXIF with the camera and the GPS
// position, XMP, ICC comments): foyer writes pixels and nothing else.
//
// Stored images are named by the hash of their bytes, so their addresses
// never change meaning and can be cached for good.
//
// The package knows no HTTP, no SQL and no other part of foyer.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// Limits on what is accepted: the bytes of an upload, and the pixels of
// the decoded image (a small file can unpack into an enormous image).
const (
	MaxBytes  = 8 << 20
	MaxPixels = 40_000_000
)

// Purpose says what an image is for, and with it the largest size it is
// stored at and its format.
type Purpose struct {
	MaxWidth, MaxHeight int
	// Sharp images (logos, icons) are stored as PNG; others as JPEG unless
	// they are transparent.
	Sharp bool
}

// The purposes foyer stores images for.
var (
	Photo   = Purpose{MaxWidth: 800, MaxHeight: 800}
	Logo    = Purpose{MaxWidth: 960, MaxHeight: 320, Sharp: true}
	Favicon = Purpose{MaxWidth: 128, MaxHeight: 128, Sharp: true}
)

// Image is a processed image, ready to store.
type Image struct {
	Name        string // content hash and extension: 3f9a….jpg
	ContentType string
	Width       int
	Height      int
	Data        []byte
}

// Errors of Process, for a message to the organiser.
var (
	ErrTooLarge = errors.New("media: the file is too large")
	ErrPixels   = errors.New("media: the image has too many pixels")
	ErrFormat   = errors.New("media: not a JPEG, PNG or WebP image")
)

// Process reads an image file and returns it ready to store for purpose.
func Process(data []byte, purpose Purpose) (*Image, error) {
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png" && format != "webp") {
		return nil, ErrFormat
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, ErrPixels
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrFormat
	}
	if format == "jpeg" {
		src = orient(src, jpegOrientation(data))
	}
	out := scale(src, purpose.MaxWidth, purpose.MaxHeight)
	img := &Image{Width: out.Bounds().Dx(), Height: out.Bounds().Dy()}
	var buf bytes.Buffer
	if purpose.Sharp || !opaque(out) {
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		err = enc.Encode(&buf, out)
		img.ContentType = "image/png"
	} else {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85})
		img.ContentType = "image/jpeg"
	}
	if err != nil {
		return nil, err
	}
	img.Data = buf.Bytes()
	sum := sha256.Sum256(img.Data)
	img.Name = hex.EncodeToString(sum[:10]) + Extension(img.ContentType)
	return img, nil
}

// Extension is the file extension of a stored image's media type.
func Extension(contentType string) string {
	if contentType == "image/png" {
		return ".png"
	}
	return ".jpg"
}

// scale fits img within w×h, keeping its proportions; a smaller image is
// only copied (into a plain RGBA or NRGBA image, which drops nothing but
// the file's own format).
func scale(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := sw, sh
	if dw > w {
		dw, dh = w, max(1, sh*w/sw)
	}
	if dh > h {
		dw, dh = max(1, dw*h/dh), h
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	if dw == sw && dh == sh {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// opaque reports whether no pixel of img is transparent.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}
