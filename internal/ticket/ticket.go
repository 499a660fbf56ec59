// Package ticket issues and checks the codes printed in attendees' QR tickets.
//
// A code is "FY1-" followed by the unpadded base32 (RFC 4648, upper case) of
// a payload and its Ed25519 signature made with the event's private key. The
// payload holds a version byte, the event id and the registration id as
// uvarints and an 8-byte random nonce: nothing personal, and verifiable
// offline with the event's public key. Every character of a code is in the QR
// alphanumeric set, which keeps the symbol small.
package ticket

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Prefix starts every ticket code.
const Prefix = "FY1-"

const (
	version   byte = 1
	nonceSize      = 8
	// minPayload is a version byte, two one-byte uvarints and the nonce.
	minPayload = 1 + 1 + 1 + nonceSize
)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

var (
	// ErrMalformed means the text is not a ticket code at all: wrong prefix,
	// bad base32, truncated, or an unknown version.
	ErrMalformed = errors.New("ticket: malformed code")
	// ErrBadSignature means the code is well formed but was not signed with
	// the key it was checked against: forged, altered, or for another event.
	ErrBadSignature = errors.New("ticket: bad signature")
)

// Claims is what a ticket code says about itself.
type Claims struct {
	EventID        int64
	RegistrationID int64
}

// Issue returns a new code for the registration, signed with the event's key.
// Two calls for the same registration give different codes (the nonce).
func Issue(key ed25519.PrivateKey, eventID, registrationID int64) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("ticket: issue: private key has %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if eventID <= 0 || registrationID <= 0 {
		return "", fmt.Errorf("ticket: issue: ids must be positive, got event %d registration %d", eventID, registrationID)
	}
	payload := make([]byte, 0, 1+2*binary.MaxVarintLen64+nonceSize+ed25519.SignatureSize)
	payload = append(payload, version)
	payload = binary.AppendUvarint(payload, uint64(eventID))
	payload = binary.AppendUvarint(payload, uint64(registrationID))
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("ticket: issue: nonce: %w", err)
	}
	payload = append(payload, nonce[:]...)
	signed := append(payload, ed25519.Sign(key, payload)...)
	return Prefix + encoding.EncodeToString(signed), nil
}

// Verify checks code against the event's public key and returns its claims.
// The error is ErrMalformed or ErrBadSignature (test with errors.Is).
func Verify(pub ed25519.PublicKey, code string) (Claims, error) {
	c, payload, sig, err := decode(code)
	if err != nil {
		return Claims{}, err
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, payload, sig) {
		return Claims{}, ErrBadSignature
	}
	return c, nil
}

// Peek decodes code without checking its signature, so that check-in can
// find which event a code claims before choosing the key to verify it with.
// Nothing Peek returns may be trusted until Verify agrees.
func Peek(code string) (Claims, error) {
	c, _, _, err := decode(code)
	return c, err
}

// Nonce returns the random part of a code, in hex, without checking its
// signature. Check-in devices get it in their guest list to tell a
// registration's current code from an older one; without the signature it
// cannot be turned back into a code.
func Nonce(code string) (string, error) {
	_, payload, _, err := decode(code)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(payload[len(payload)-nonceSize:]), nil
}

// decode splits a code into its claims, the signed payload and the signature.
func decode(code string) (Claims, []byte, []byte, error) {
	var c Claims
	body, ok := strings.CutPrefix(code, Prefix)
	if !ok {
		return c, nil, nil, ErrMalformed
	}
	raw, err := encoding.DecodeString(body)
	if err != nil || len(raw) < minPayload+ed25519.SignatureSize {
		return c, nil, nil, ErrMalformed
	}
	// base32 ignores the spare low bits of the last character, so several
	// strings decode to the same bytes. Only the one Issue writes is a code:
	// anything else would not match the code stored for the registration.
	if encoding.EncodeToString(raw) != body {
		return c, nil, nil, ErrMalformed
	}
	payload, sig := raw[:len(raw)-ed25519.SignatureSize], raw[len(raw)-ed25519.SignatureSize:]
	if payload[0] != version {
		return c, nil, nil, ErrMalformed
	}
	rest := payload[1:]
	ids := [2]int64{}
	for i := range ids {
		v, n := binary.Uvarint(rest)
		if n <= 0 || v == 0 || v > math.MaxInt64 {
			return c, nil, nil, ErrMalformed
		}
		ids[i], rest = int64(v), rest[n:]
	}
	if len(rest) != nonceSize {
		return c, nil, nil, ErrMalformed
	}
	c.EventID, c.RegistrationID = ids[0], ids[1]
	return c, payload, sig, nil
}

// Find returns the ticket code inside scanned text, upper-cased, or "" when
// there is none. Scanners deliver more than the bare code: a URL that carries
// it, surrounding whitespace, or (keyboard-wedge scanners with caps lock or a
// lower-case setting) the whole text in lower case. When the prefix occurs
// more than once (a URL whose other parts happen to contain it), the first
// candidate that decodes as a code wins, else the first candidate.
func Find(scanned string) string {
	// Only ASCII letters are folded: strings.ToUpper would turn "ſ" into
	// "S" and make a code out of text that holds none.
	upper := []byte(scanned)
	for i, b := range upper {
		if 'a' <= b && b <= 'z' {
			upper[i] = b - 'a' + 'A'
		}
	}
	text := string(upper)
	first := ""
	for from := 0; ; {
		i := strings.Index(text[from:], Prefix)
		if i < 0 {
			return first
		}
		start := from + i
		end := start + len(Prefix)
		for end < len(text) && isBase32(text[end]) {
			end++
		}
		if end > start+len(Prefix) {
			candidate := text[start:end]
			if _, err := Peek(candidate); err == nil {
				return candidate
			}
			if first == "" {
				first = candidate
			}
		}
		from = start + 1
	}
}

func isBase32(b byte) bool {
	return ('A' <= b && b <= 'Z') || ('2' <= b && b <= '7')
}
