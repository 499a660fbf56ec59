package programme

import (
	"crypto/sha1"
	"encoding/hex"
)

// foyerNamespace is the UUIDv5 namespace of every guid foyer hands out:
// uuid5(NS_URL, "https://github.com/foyer-events/foyer"). A fixed namespace
// keeps guids the same across servers and base URLs, so an app that stored
// favourites keeps them when the schedule moves host.
var foyerNamespace = uuid5([16]byte{
	0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
}, "https://github.com/foyer-events/foyer")

// uuid5 is a name-based UUID (RFC 9562 version 5, SHA-1).
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func foyerGUID(name string) [16]byte { return uuid5(foyerNamespace, name) }

func uuidString(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
