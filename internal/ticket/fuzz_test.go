package ticket

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify feeds Verify arbitrary text, and valid codes with one
// character changed. Whatever it is given, it answers ErrMalformed or
// ErrBadSignature, or accepts a code only as it was issued: no change to a
// real code is ever accepted. The seed corpus runs in every go test.
func FuzzVerify(f *testing.F) {
	// A fixed key and a code issued with it once: fuzzing runs the target
	// in worker processes, which must all know the one genuine code.
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat("f", ed25519.SeedSize)))
	pub := priv.Public().(ed25519.PublicKey)
	const code = "FY1-AEDZEINMWCHIWN4FXQWO6DWUBSPZ74JCWL2MWHGTBBB2ZVIVKUHTJO5CKK7SV6JFFZ6YRSR4NRP3RH3KGMLHP3C6CRKHT4VR6TSV5O3ZMB7CREQ6X7TTC4ZZBI"
	if c, err := Verify(pub, code); err != nil || c != (Claims{EventID: 7, RegistrationID: 4242}) {
		f.Fatalf("the fixed code does not verify: %+v, %v", c, err)
	}
	for _, seed := range []string{code, "", Prefix, Prefix + "A", strings.ToLower(code), code + "A", code[:len(code)-1],
		" " + code, Prefix + strings.Repeat("7", 200), "FY2-" + code[4:], "\x00\xff\xfe"} {
		f.Add(seed, uint16(0), byte(0))
	}
	f.Add(code, uint16(5), byte('B'))
	f.Add(code, uint16(len(code)-1), byte('A'))
	f.Fuzz(func(t *testing.T, text string, at uint16, b byte) {
		check := func(s string) {
			c, err := Verify(pub, s)
			switch {
			case err == nil:
				// Only the one code the key signed verifies.
				if s != code || c != (Claims{EventID: 7, RegistrationID: 4242}) {
					t.Fatalf("Verify accepted %q with %+v, which was never issued", s, c)
				}
			case !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature):
				t.Fatalf("Verify(%q): %v, want ErrMalformed or ErrBadSignature", s, err)
			}
			if _, perr := Peek(s); perr == nil && errors.Is(err, ErrMalformed) {
				t.Fatalf("Peek accepts %q that Verify calls malformed", s)
			}
			if found := Find(s); found != "" {
				if again := Find(found); again != found {
					t.Fatalf("Find(%q) = %q, but Find of that is %q", s, found, again)
				}
			}
		}
		check(text)
		// The real code with one byte changed.
		i := int(at) % len(code)
		changed := code[:i] + string([]byte{b}) + code[i+1:]
		if changed != code {
			check(changed)
		}
	})
}
