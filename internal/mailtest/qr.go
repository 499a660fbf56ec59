package mailtest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // registers the PNG decoder for image.Decode

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the QR code in a PNG (or other registered image format)
// and returns its text. It first searches the image like a camera would; as
// gozxing's finder misses about one clean symbol in a hundred that other
// decoders (zbar) read, it then retries assuming a generated image that holds
// nothing but the symbol.
func DecodeQR(png []byte) (string, error) {
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return "", fmt.Errorf("mailtest: decode qr image: %w", err)
	}
	var first error
	for _, pure := range []bool{false, true} {
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			return "", fmt.Errorf("mailtest: decode qr bitmap: %w", err)
		}
		hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
		if pure {
			hints[gozxing.DecodeHintType_PURE_BARCODE] = true
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err == nil {
			return res.GetText(), nil
		}
		if first == nil {
			first = err
		}
	}
	return "", fmt.Errorf("mailtest: decode qr: %w", first)
}
