package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/foyerproc"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/waittest"
)

// guestBody is a registration for the demo forum by a guest whose personal
// data must never reach the log.
func guestBody(email string) map[string]any {
	return map[string]any{
		"first_name": "Xiaoming", "last_name": "Zhang", "email": email,
		"organisation": "Qingdao Precision Works", "country": "CN", "language": "en",
		"consent": true, "answers": map[string]any{"industry": "research"},
	}
}

// manageLink registers email at the demo forum and returns the manage link
// from the confirmation that reaches smtp.
func manageLink(t *testing.T, in *Instance, smtp *mailtest.Server, email string) string {
	t.Helper()
	in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", guestBody(email)).Want(t, http.StatusCreated)
	msgs := smtp.WaitUntil(t, 30*time.Second, func(m []mailtest.Received) bool {
		for _, r := range m {
			if r.To[0] == email {
				return true
			}
		}
		return false
	})
	for _, m := range msgs {
		if m.To[0] != email {
			continue
		}
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if link := regexp.MustCompile(`/m/[A-Za-z0-9_-]+`).FindString(p.Text); link != "" {
			return link
		}
		t.Fatalf("no manage link in:\n%s", p.Text)
	}
	panic("unreachable")
}

// logLine is one line of FOYER_LOG_FORMAT=json.
type logLine map[string]any

// jsonLog parses every line the server logged; each must be a JSON object
// with a time, a level and a message.
func jsonLog(t *testing.T, in *Instance) []logLine {
	t.Helper()
	var lines []logLine
	for _, raw := range strings.Split(strings.TrimSpace(in.Stderr()), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, raw)
		}
		if l["time"] == nil || l["level"] == nil || l["msg"] == nil {
			t.Errorf("log line without time, level or msg: %s", raw)
		}
		lines = append(lines, l)
	}
	return lines
}

// requestLine waits for the log line of the request with that id.
func requestLine(t *testing.T, in *Instance, id string) logLine {
	t.Helper()
	var line logLine
	waittest.For(t, 10*time.Second, func() error {
		for _, l := range jsonLog(t, in) {
			if l["msg"] == "request" && l["request_id"] == id {
				line = l
				return nil
			}
		}
		return fmt.Errorf("no request line with request_id %s in:\n%s", id, in.Stderr())
	})
	return line
}

// TestJSONLogs runs foyer with FOYER_LOG_FORMAT=json and FOYER_LOG_LEVEL=debug: every line is JSON,
// every request has a line with its id, the id in an error answer finds
// that line, and no line holds the guest's name, address or manage token.
func TestJSONLogs(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	// At debug, so that successful requests have their lines too (they are
	// left out at the default level) and every line is checked.
	in := startFoyer(t, Options{Demo: true, Env: []string{"FOYER_SMTP_URL=" + smtp.URL(), "FOYER_LOG_FORMAT=json", "FOYER_LOG_LEVEL=debug"}})
	const email = "zhang.xiaoming@example.cn"
	link := manageLink(t, in, smtp, email)
	token := strings.TrimPrefix(link, "/m/")

	// The manage page and its files: logged by route, the token left out.
	for _, path := range []string{link, link + "/event.ics", link + "/ticket.png", link + "/no-such-file", link + "x"} {
		r := in.get(t, path)
		id := r.Header.Get("X-Request-ID")
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
			t.Fatalf("GET %s: X-Request-ID %q", path, id)
		}
		l := requestLine(t, in, id)
		if l["status"] != float64(r.Status) || !strings.HasPrefix(l["path"].(string), "/m/:token") {
			t.Errorf("GET %s (%d) logged as %v", path, r.Status, l)
		}
	}
	if r := in.get(t, link); r.Status != http.StatusOK {
		t.Errorf("manage page: %s", r)
	} else if l := requestLine(t, in, r.Header.Get("X-Request-ID")); l["route"] != "/m/:token" || l["method"] != "GET" {
		t.Errorf("manage page logged as %v", l)
	}

	// An API error carries the id of its request, and the id finds it.
	r := in.api(t, "GET", "/api/v1/events/no-such-event", "", nil)
	var body struct {
		Error struct {
			Code      string `json:"code"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	r.Want(t, http.StatusNotFound).Decode(t, &body)
	if body.Error.RequestID == "" || body.Error.RequestID != r.Header.Get("X-Request-ID") {
		t.Errorf("error request_id %q, header %q", body.Error.RequestID, r.Header.Get("X-Request-ID"))
	}
	if l := requestLine(t, in, body.Error.RequestID); l["status"] != float64(404) || l["route"] != "/api/v1/events/:slug" || l["path"] != "/api/v1/events/no-such-event" {
		t.Errorf("404 logged as %v", l)
	}

	// An error page shows the id for the guest to read out.
	page := in.get(t, "/events/no-such-event", "Accept-Language", "de")
	id := page.Header.Get("X-Request-ID")
	if page.Status != http.StatusNotFound || !strings.Contains(string(page.Body), "<code>"+id+"</code>") || !strings.Contains(string(page.Body), "Fehlernummer") {
		t.Errorf("error page without its reference %s:\n%s", id, page)
	}
	requestLine(t, in, id)

	// A client's own X-Request-ID is not taken: foyer makes every id.
	if got := in.get(t, "/", "X-Request-ID", "forged-by-client").Header.Get("X-Request-ID"); got == "forged-by-client" || got == "" {
		t.Errorf("X-Request-ID %q", got)
	}

	// Organisers' API: a search by name stays out of the log (the query
	// string is not logged).
	tok := in.token(t, "organiser")
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?q=Zhang", tok, nil).Want(t, http.StatusOK)

	for _, l := range jsonLog(t, in) {
		raw, _ := json.Marshal(l)
		for _, secret := range []string{email, "Xiaoming", "Zhang", "Qingdao", token} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("log line holds %q: %s", secret, raw)
			}
		}
	}
}

// TestLogFormatChecked: a wrong FOYER_LOG_FORMAT stops foyer at start with a
// message that names the variable.
func TestLogFormatChecked(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, foyerBin, "serve")
	cmd.Env = append(foyerproc.Environ(), "FOYER_DATA="+t.TempDir(), "FOYER_ADDR=127.0.0.1:0", "FOYER_LOG_FORMAT=yaml")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "FOYER_LOG_FORMAT") {
		t.Errorf("foyer serve with FOYER_LOG_FORMAT=yaml: %v\n%s", err, out)
	}
}
