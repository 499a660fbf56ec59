package outbox

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	err := errors.New(`550 5.1.1 <anna.müller@example.de>: Recipient address rejected; try zhang.wei@example.cn`)
	got := redact(err)
	if strings.Contains(got, "@") || !strings.Contains(got, "550 5.1.1") {
		t.Errorf("redact = %q", got)
	}
}

func TestRetryDelay(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt <= 30; attempt++ {
		d := retryDelay(attempt)
		if d <= 0 || d > retryCap {
			t.Fatalf("attempt %d: delay %s outside (0, %s]", attempt, d, retryCap)
		}
		// Jitter takes at most a fifth, so the delay still grows until the cap.
		if attempt <= 8 && d < prev {
			t.Errorf("attempt %d: %s after %s", attempt, d, prev)
		}
		prev = d
	}
	if d := retryDelay(1); d > retryBase {
		t.Errorf("first retry after %s, want at most %s", d, retryBase)
	}
}
