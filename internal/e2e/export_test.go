package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/exporttest"
)

// registerGuests registers n guests of the demo forum through the API,
// some with a workshop seat, in German and Chinese.
func registerGuests(t testing.TB, in *Instance, n int) {
	t.Helper()
	for i := range n {
		g := map[string]any{
			"first_name": []string{"Jürgen", "小明", "Anna", "Wei"}[i%4], "last_name": fmt.Sprintf("%s %d", []string{"Müller", "王", "Schäfer", "Chen"}[i%4], i),
			"email": fmt.Sprintf("guest%d@example.org", i), "organisation": []string{"Müller & Söhne GmbH", "华为", "=cmd", "+86 10"}[i%4],
			"country": []string{"DE", "CN", "AT", "CN"}[i%4], "language": []string{"de", "zh", "en"}[i%3], "consent": true,
			"answers": map[string]any{"industry": []string{"machinery", "research", "automotive"}[i%3]},
		}
		if i%3 == 0 {
			g["sessions"] = []string{"ws-maintenance"}
		}
		in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", g).Want(t, http.StatusCreated)
	}
}

// TestExportCommandMatchesAPI: `foyer export attendees` with filter flags
// writes the same list as the API with the same filters, to a file or to
// standard output, as CSV (byte for byte) and as XLSX (cell for cell).
func TestExportCommandMatchesAPI(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	registerGuests(t, in, 24)
	token := in.token(t, "organiser")
	dir := t.TempDir()

	cases := []struct {
		flags []string
		query string
	}{
		{nil, ""},
		{[]string{"--status", "confirmed"}, "status=confirmed"},
		{[]string{"--session", "ws-maintenance", "--checked-in", "false"}, "session=ws-maintenance&checked_in=false"},
		{[]string{"--status", "confirmed", "--session", "ws-maintenance", "--preset", "catering"}, "status=confirmed&session=ws-maintenance&preset=catering"},
		{[]string{"--checked-in", "true"}, "checked_in=true"},
		{[]string{"--q", "müller", "--lang", "zh"}, "q=m%C3%BCller&lang=zh"},
	}
	for i, c := range cases {
		api := in.api(t, "GET", "/api/v1/events/"+demoSlug+"/attendees.csv?"+c.query, token, nil).Want(t, http.StatusOK)
		file := filepath.Join(dir, fmt.Sprintf("list-%d.csv", i))
		args := append([]string{"export", "attendees", "--event", demoSlug, "-o", file}, c.flags...)
		_, _, stderr := in.runInput(t, "", args...)
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("foyer %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		if !bytes.Equal(got, api.Body) {
			t.Errorf("foyer %s differs from GET attendees.csv?%s:\n%s\n---\n%s", strings.Join(args, " "), c.query, apitest.Clip(string(got), 600), apitest.Clip(string(api.Body), 600))
		}
		lines := bytes.Count(got, []byte("\r\n"))
		if c.query == "checked_in=true" && lines != 1 {
			t.Errorf("nobody is checked in, yet %d lines", lines)
		}
		if c.query == "" && lines != 25 {
			t.Errorf("the whole list has %d lines, want a header and 24 guests", lines)
		}
		// Without -o the list goes to standard output.
		stdout := in.mustRun(t, "", append([]string{"export", "attendees", "--event", demoSlug}, c.flags...)...)
		if stdout != string(api.Body) {
			t.Errorf("standard output of foyer export attendees %s differs from the API", strings.Join(c.flags, " "))
		}
	}

	// XLSX: the same cells.
	api := in.api(t, "GET", "/api/v1/events/"+demoSlug+"/attendees.xlsx?status=confirmed", token, nil).Want(t, http.StatusOK)
	file := filepath.Join(dir, "list.xlsx")
	in.mustRun(t, "", "export", "attendees", "--event", demoSlug, "--status", "confirmed", "-o", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fromAPI, fromCommand := exporttest.ReadXLSX(t, api.Body), exporttest.ReadXLSX(t, data)
	if len(fromAPI) < 2 || !slices.EqualFunc(fromAPI, fromCommand, slices.Equal) {
		t.Errorf("XLSX from the command differs from the API's:\n%q\n%q", fromCommand, fromAPI)
	}

	// Wrong flags: exit 2 naming the flag, and no file.
	for _, args := range [][]string{
		{"export", "attendees", "--event", demoSlug, "--checked-in", "maybe"},
		{"export", "attendees", "--event", demoSlug, "--status", "happy"},
		{"export", "attendees", "--event", demoSlug, "--session", "no-such-session"},
		{"export", "attendees", "--event", demoSlug, "--format", "pdf"},
		{"export", "attendees"},
		{"export", "speakers"},
	} {
		code, _, stderr := in.run(t, args...)
		if code != 2 || stderr == "" {
			t.Errorf("foyer %s: exit %d, %q; want 2 and a message", strings.Join(args, " "), code, stderr)
		}
		for _, flag := range []string{"--checked-in", "--status", "--session", "--format"} {
			if slices.Contains(args, flag) && !strings.Contains(stderr, flag) {
				t.Errorf("foyer %s: the message %q does not name %s", strings.Join(args, " "), stderr, flag)
			}
		}
	}
	if code, _, stderr := in.run(t, "export", "attendees", "--event", "no-such-event"); code != 1 || !strings.Contains(stderr, "no-such-event") {
		t.Errorf("unknown event: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(cases)+1 {
		t.Errorf("%d files in the output folder, want %d: a half-written file left behind?", len(entries), len(cases)+1)
	}
}
