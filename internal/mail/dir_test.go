package mail_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// TestDirSenderFullDisk writes into a real filesystem that runs full in the
// middle of a message: the send fails as a temporary error (go-mail used to
// panic here), leaves neither an .eml file nor a temporary one, and the same
// message is written whole once space is free again.
func TestDirSenderFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=512k"); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skip("mounting a small filesystem needs root:", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	// Leave about 64 KiB free.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 448<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := confirmation(t)
	big := make([]byte, 256<<10)
	rand.Read(big)
	m.Attachments = append([]mail.Attachment{{Name: "programme.pdf", ContentType: "application/pdf", Data: big}}, m.Attachments...)
	s := mail.DirSender{Dir: filepath.Join(dir, "mail")}

	err := s.Send(context.Background(), m)
	if err == nil || mail.Permanent(err) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("full disk: err %v, permanent %v; want a temporary ENOSPC", err, mail.Permanent(err))
	}
	if names := list(t, s.Dir); len(names) != 0 {
		t.Fatalf("files left after the failed write: %v", names)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("with space again: %v", err)
	}
	names := list(t, s.Dir)
	if len(names) != 1 || !strings.HasSuffix(names[0], ".eml") {
		t.Fatalf("files %v, want one .eml", names)
	}
	data, err := os.ReadFile(filepath.Join(s.Dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	p, err := mailtest.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.ByFilename("programme.pdf"); a == nil || !bytes.Equal(a.Data, big) {
		t.Error("the large attachment was not written whole")
	}
	if p.ByContentID("qr-ticket") == nil {
		t.Error("the inline QR code is missing")
	}
}

// TestRemoveUnfinished deletes what an interrupted write left behind, and
// nothing else.
func TestRemoveUnfinished(t *testing.T) {
	s := mail.DirSender{Dir: filepath.Join(t.TempDir(), "mail")}
	if n, err := s.RemoveUnfinished(); n != 0 || err != nil {
		t.Fatalf("missing folder: %d, %v", n, err)
	}
	m, _ := confirmation(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".writing-123.tmp", ".writing-abc.tmp"} {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte("From: half a message"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.RemoveUnfinished(); n != 2 || err != nil {
		t.Fatalf("removed %d, %v; want 2", n, err)
	}
	names := list(t, s.Dir)
	if len(names) != 1 || !strings.HasSuffix(names[0], ".eml") {
		t.Errorf("left %v, want the one .eml", names)
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
