package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
)

// exifJPEG is a w×h JPEG whose left half is red and right half blue, with
// an EXIF block that names an orientation and a GPS position.
func exifJPEG(t *testing.T, w, h, orientation int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{220, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// TIFF, little-endian: IFD0 with Orientation and a GPS IFD pointer,
	// then a GPS IFD with a latitude reference "N" and a marker text.
	var tiff bytes.Buffer
	le := binary.LittleEndian
	tiff.WriteString("II")
	binary.Write(&tiff, le, uint16(42))
	binary.Write(&tiff, le, uint32(8))
	binary.Write(&tiff, le, uint16(2))
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&tiff, le, tag)
		binary.Write(&tiff, le, typ)
		binary.Write(&tiff, le, count)
		binary.Write(&tiff, le, value)
	}
	entry(0x0112, 3, 1, uint32(orientation))
	entry(0x8825, 4, 1, 8+2+2*12+4) // GPS IFD right after IFD0
	binary.Write(&tiff, le, uint32(0))
	binary.Write(&tiff, le, uint16(1))
	entry(0x0001, 2, 2, uint32('N'))
	binary.Write(&tiff, le, uint32(0))
	tiff.WriteString("GPS-SECRET-52.3759N")
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write([]byte{0xFF, 0xD8, 0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(app1)+2))
	out.Write(app1)
	out.Write(plain.Bytes()[2:])
	return out.Bytes()
}

func TestPhotoLosesMetadataAndStandsUpright(t *testing.T) {
	in := exifJPEG(t, 1600, 1000, 6) // stored on its side: turn 90° clockwise
	if !bytes.Contains(in, []byte("GPS-SECRET")) || jpegOrientation(in) != 6 {
		t.Fatal("the test photo has no EXIF")
	}
	img, err := Process(in, Photo)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(img.Data, []byte("GPS-SECRET")) || bytes.Contains(img.Data, []byte("Exif")) {
		t.Error("the stored photo still carries EXIF")
	}
	if img.ContentType != "image/jpeg" || img.Name[len(img.Name)-4:] != ".jpg" {
		t.Errorf("stored as %s %s", img.ContentType, img.Name)
	}
	// Upright it is 1000 wide and 1600 high; fitted into 800×800: 500×800.
	if img.Width != 500 || img.Height != 800 {
		t.Errorf("size %d×%d, want 500×800", img.Width, img.Height)
	}
	out, err := jpeg.Decode(bytes.NewReader(img.Data))
	if err != nil {
		t.Fatal(err)
	}
	// Turned clockwise, the red left half is now on top.
	top, bottom := out.At(250, 100), out.At(250, 700)
	if r, _, b, _ := top.RGBA(); r < b {
		t.Errorf("top is not red: %v", top)
	}
	if r, _, b, _ := bottom.RGBA(); b < r {
		t.Errorf("bottom is not blue: %v", bottom)
	}
	again, err := Process(in, Photo)
	if err != nil || again.Name != img.Name {
		t.Errorf("the same photo is named %s, then %s", img.Name, again.Name)
	}
}

func TestLogoKeepsTransparencyAsPNG(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 2000, 400))
	src.Set(10, 10, color.NRGBA{255, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, src)
	img, err := Process(b.Bytes(), Logo)
	if err != nil {
		t.Fatal(err)
	}
	if img.ContentType != "image/png" || img.Width != 960 || img.Height != 192 {
		t.Errorf("logo %s %d×%d, want PNG 960×192", img.ContentType, img.Width, img.Height)
	}
	out, _ := png.Decode(bytes.NewReader(img.Data))
	if _, _, _, a := out.At(900, 150).RGBA(); a != 0 {
		t.Error("the transparent background became opaque")
	}
}

func TestWebPIsRead(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.webp")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Process(data, Photo)
	if err != nil {
		t.Fatal(err)
	}
	if img.Width == 0 || img.ContentType != "image/jpeg" {
		t.Errorf("webp became %s %d×%d", img.ContentType, img.Width, img.Height)
	}
}

func TestRefused(t *testing.T) {
	// A PNG header that claims 100,000 × 100,000 pixels: refused before
	// anything is decoded.
	var huge bytes.Buffer
	png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1)))
	data := huge.Bytes()
	binary.BigEndian.PutUint32(data[16:], 100000)
	binary.BigEndian.PutUint32(data[20:], 100000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"text":       {[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ErrFormat},
		"gif":        {[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ErrFormat},
		"too big":    {make([]byte, MaxBytes+1), ErrTooLarge},
		"bomb":       {data, ErrPixels},
		"cut short":  {exifJPEG(t, 100, 100, 1)[:300], ErrFormat},
		"empty file": {nil, ErrFormat},
	} {
		if _, err := Process(tc.data, Photo); err != tc.want {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
