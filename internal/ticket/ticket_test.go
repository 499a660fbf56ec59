package ticket_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/ticket"
)

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestRoundTrip(t *testing.T) {
	pub, priv := newKey(t)
	for _, ids := range [][2]int64{{1, 1}, {7, 4242}, {1 << 40, 1<<63 - 1}} {
		code, err := ticket.Issue(priv, ids[0], ids[1])
		if err != nil {
			t.Fatalf("Issue%v: %v", ids, err)
		}
		if !strings.HasPrefix(code, ticket.Prefix) {
			t.Errorf("code %q lacks prefix", code)
		}
		// Only QR alphanumeric characters, and none of them lower case.
		if i := strings.IndexFunc(code, func(r rune) bool {
			return !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", r)
		}); i >= 0 {
			t.Errorf("code %q has non-alphanumeric %q", code, code[i])
		}
		want := ticket.Claims{EventID: ids[0], RegistrationID: ids[1]}
		got, err := ticket.Verify(pub, code)
		if err != nil || got != want {
			t.Errorf("Verify(%q) = %+v, %v; want %+v", code, got, err, want)
		}
		peeked, err := ticket.Peek(code)
		if err != nil || peeked != want {
			t.Errorf("Peek(%q) = %+v, %v; want %+v", code, peeked, err, want)
		}
	}
}

func TestIssueIsRandom(t *testing.T) {
	_, priv := newKey(t)
	a, _ := ticket.Issue(priv, 1, 2)
	b, _ := ticket.Issue(priv, 1, 2)
	if a == b {
		t.Errorf("two codes for one registration are equal: %q", a)
	}
}

func TestIssueRejects(t *testing.T) {
	_, priv := newKey(t)
	if _, err := ticket.Issue(priv, 0, 1); err == nil {
		t.Error("event id 0 accepted")
	}
	if _, err := ticket.Issue(priv, 1, -5); err == nil {
		t.Error("negative registration id accepted")
	}
	if _, err := ticket.Issue(priv[:10], 1, 1); err == nil {
		t.Error("short key accepted")
	}
}

func TestVerifyFailures(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	code, err := ticket.Issue(priv, 3, 99)
	if err != nil {
		t.Fatal(err)
	}
	body := code[len(ticket.Prefix):]
	forged, err := ticket.Issue(otherPriv, 3, 99)
	if err != nil {
		t.Fatal(err)
	}

	// flip changes the i-th character of the base32 body to another valid one.
	flip := func(i int) string {
		c := byte('A')
		if body[i] == 'A' {
			c = 'B'
		}
		return ticket.Prefix + body[:i] + string(c) + body[i+1:]
	}

	tests := []struct {
		name string
		pub  ed25519.PublicKey
		code string
		want error
	}{
		{"empty", pub, "", ticket.ErrMalformed},
		{"prefix only", pub, ticket.Prefix, ticket.ErrMalformed},
		{"no prefix", pub, body, ticket.ErrMalformed},
		{"lower case", pub, strings.ToLower(code), ticket.ErrMalformed},
		{"truncated by one", pub, code[:len(code)-1], ticket.ErrMalformed},
		{"truncated to half", pub, code[:len(code)/2], ticket.ErrMalformed},
		{"trailing garbage", pub, code + "AAAAAAAA", ticket.ErrMalformed},
		{"odd trailing garbage", pub, code + "AAA", ticket.ErrMalformed},
		{"not base32", pub, ticket.Prefix + strings.Repeat("1", len(body)), ticket.ErrMalformed},
		// Character 2 holds bits 10-14, inside the event id's one byte.
		{"flipped in the event id", pub, flip(2), ticket.ErrBadSignature},
		{"flipped in the nonce", pub, flip(10), ticket.ErrBadSignature},
		{"flipped in the signature", pub, flip(len(body) - 5), ticket.ErrBadSignature},
		{"unknown version", pub, ticket.Prefix + "C" + body[1:], ticket.ErrMalformed},
		{"other event's key", otherPub, code, ticket.ErrBadSignature},
		{"signed by other key", pub, forged, ticket.ErrBadSignature},
		{"no key", nil, code, ticket.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ticket.Verify(tt.pub, tt.code)
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify = %+v, %v; want %v", c, err, tt.want)
			}
			if c != (ticket.Claims{}) {
				t.Errorf("claims %+v returned with an error", c)
			}
		})
	}
}

// A code whose last character differs only in the bits base32 ignores
// decodes to the same bytes; it is still not a code we issued.
func TestNonCanonicalBase32(t *testing.T) {
	pub, priv := newKey(t)
	// Event 1 and registration 200 make 1+1+2+8 payload bytes and 64 of
	// signature: 76 bytes, 122 characters, the last with 2 spare bits.
	code, _ := ticket.Issue(priv, 1, 200)
	if len(code) != len(ticket.Prefix)+122 {
		t.Fatalf("code has %d characters, want %d", len(code), len(ticket.Prefix)+122)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	last := strings.IndexByte(alphabet, code[len(code)-1])
	twin := code[:len(code)-1] + string(alphabet[last^1])
	if _, err := ticket.Verify(pub, twin); !errors.Is(err, ticket.ErrMalformed) {
		t.Errorf("Verify(non-canonical twin) = %v, want ErrMalformed", err)
	}
}

func TestPeekWrongEvent(t *testing.T) {
	_, priv := newKey(t)
	code, _ := ticket.Issue(priv, 12, 34)
	c, err := ticket.Peek(code)
	if err != nil || c.EventID != 12 {
		t.Errorf("Peek = %+v, %v; want event 12", c, err)
	}
	if _, err := ticket.Peek("FY1-NOTACODE"); !errors.Is(err, ticket.ErrMalformed) {
		t.Errorf("Peek(garbage) = %v, want ErrMalformed", err)
	}
}

func TestFind(t *testing.T) {
	pub, priv := newKey(t)
	code, _ := ticket.Issue(priv, 5, 6)
	lower := strings.ToLower(code)
	tests := []struct {
		name, scanned, want string
	}{
		{"bare", code, code},
		{"whitespace", "  \t" + code + "\r\n", code},
		{"lower case", lower, code},
		{"url", "https://x/?c=" + lower, code},
		{"url with more query", "https://foyer.example/t/?c=" + code + "&lang=de", code},
		{"path", "https://foyer.example/t/" + code + "/", code},
		{"nothing", "hello world", ""},
		{"prefix only", "FY1-", ""},
		{"prefix twice", "FY1- " + code, code},
		{"a false start first", "https://x/?ref=fy1-abc&c=" + code, code},
		{"only false starts", "fy1-abc fy1-def", "FY1-ABC"},
		{"unicode that upper-cases to ASCII", "ſ" + code, code},
		{"long s is not an S", "fy1-ſ", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ticket.Find(tt.scanned)
			if got != tt.want {
				t.Fatalf("Find(%q) = %q, want %q", tt.scanned, got, tt.want)
			}
			if got == code {
				if _, err := ticket.Verify(pub, got); err != nil {
					t.Errorf("Verify(Find(...)): %v", err)
				}
			}
		})
	}
}

// TestQRPNG: the image, read back by a QR decoder, holds the ticket code
// exactly, for codes of small and large ids and at the sizes emails and
// pages use.
func TestQRPNG(t *testing.T) {
	_, priv := newKey(t)
	for _, ids := range [][2]int64{{2024, 100001}, {1, 1}, {1 << 40, 1 << 50}} {
		code, _ := ticket.Issue(priv, ids[0], ids[1])
		for _, size := range []int{320, 512, 160} {
			png, err := ticket.QRPNG(code, size)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(png), "\x89PNG") {
				t.Fatalf("not a PNG: % x", png[:8])
			}
			got, err := mailtest.DecodeQR(png)
			if err != nil {
				t.Fatalf("%s at %d px: %v", code, size, err)
			}
			if got != code {
				t.Errorf("QR at %d px holds %q, want %q", size, got, code)
			}
		}
	}
	if _, err := ticket.QRPNG("", 320); err == nil {
		t.Error("QRPNG of empty code succeeded")
	}
}

func TestNonce(t *testing.T) {
	_, priv := newKey(t)
	a, _ := ticket.Issue(priv, 1, 2)
	b, _ := ticket.Issue(priv, 1, 2)
	na, err := ticket.Nonce(a)
	if err != nil || len(na) != 16 {
		t.Fatalf("Nonce = %q, %v", na, err)
	}
	if nb, _ := ticket.Nonce(b); nb == na {
		t.Errorf("two codes share the nonce %s", na)
	}
	if again, _ := ticket.Nonce(a); again != na {
		t.Errorf("Nonce is not stable: %s, %s", na, again)
	}
	if _, err := ticket.Nonce("FY1-ABC"); !errors.Is(err, ticket.ErrMalformed) {
		t.Errorf("Nonce(garbage): %v", err)
	}
}
