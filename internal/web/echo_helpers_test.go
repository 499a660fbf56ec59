package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoUnsafeEchoHelpers: echo v4 has helpers that believe forwarded
// headers from anyone or serve files in ways with known advisories
// (GO-2026-6872, GO-2026-6875, accepted in .ci/govulncheck-accepted on
// the strength of this test). foyer's code uses none of them: the client's
// address comes from the IP extractor, HTTPS from requestIsHTTPS.
func TestNoUnsafeEchoHelpers(t *testing.T) {
	banned := regexp.MustCompile(`\.Scheme\(\)|\.RealIP\(\)|\.IsTLS\(\)|middleware\.Proxy|middleware\.Static|\.Static\(|\.JSONP|HeaderXRealIP`)
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _ := filepath.Glob("../../cmd/*/*.go")
	checked := 0
	for _, f := range append(files, cmd...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if banned.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d uses an echo helper with a known advisory: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the pattern still right?", checked)
	}
}
