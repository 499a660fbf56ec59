package mail

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DirSender writes each message as an .eml file into Dir instead of sending
// it, for installations without SMTP. Files are named by time and message
// ID, so they sort in the order they were written.
type DirSender struct {
	Dir string
}

// Send writes m to Dir, creating Dir if needed. The file appears whole or
// not at all: it is written under a temporary name and renamed. Like the
// temporary file, it is readable by its owner only: it holds personal data.
func (d DirSender) Send(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: write eml: %w", err)
	}
	if m.ID == "" {
		c := *m
		c.ID = randomID()
		m = &c
	}
	// Compose checks the ID, which makes it safe in a file name.
	msg, err := Compose(m)
	if err != nil {
		return fmt.Errorf("mail: write eml: %w", err)
	}
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("mail: write eml: %w", err)
	}
	name := time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + m.ID + ".eml"
	tmp, err := os.CreateTemp(d.Dir, unfinishedPattern)
	if err != nil {
		return fmt.Errorf("mail: write eml: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(msg.Data); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write eml %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write eml %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write eml %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Dir, name)); err != nil {
		return fmt.Errorf("mail: write eml %s: %w", name, err)
	}
	return nil
}

// unfinishedPattern names files being written. The name does not end in
// .eml, so nobody looking for mail picks up a half-written file.
const unfinishedPattern = ".writing-*.tmp"

// RemoveUnfinished deletes the temporary files that a write interrupted by
// a crash or a power cut left in Dir: they hold personal data and will
// never become messages (the outbox sends those emails again). It returns
// how many it removed; a missing Dir is not an error.
func (d DirSender) RemoveUnfinished() (int, error) {
	names, err := filepath.Glob(filepath.Join(d.Dir, unfinishedPattern))
	if err != nil {
		return 0, fmt.Errorf("mail: remove unfinished: %w", err)
	}
	n := 0
	for _, name := range names {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("mail: remove unfinished: %w", err)
		}
		n++
	}
	return n, nil
}
