package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is an SMTP server on 127.0.0.1 that counts the messages it
// receives and discards them. Messages are counted per tag: the part of the
// first recipient's address before its first "-" (mail-000001@… → "mail"),
// so each scenario counts only the emails of its own registrations.
type mailSink struct {
	srv  *smtp.Server
	addr string

	mu   sync.Mutex
	tags map[string]*MailTally
}

// MailTally counts the messages of one tag.
type MailTally struct {
	Messages int       `json:"messages"`
	WithQR   int       `json:"with_qr_png"` // messages with an image/png part
	WithICS  int       `json:"with_ics"`    // messages with a text/calendar part
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// startSink listens on a free loopback port and serves until Close.
func startSink() (*mailSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp sink: %w", err)
	}
	s := &mailSink{addr: ln.Addr().String(), tags: map[string]*MailTally{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	s.srv.Domain = "foyer-bench.localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 25 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln)
	return s, nil
}

// URL is the FOYER_SMTP_URL of the sink.
func (s *mailSink) URL() string { return "smtp://" + s.addr + "?tls=none" }

// Close stops the server and drops its connections.
func (s *mailSink) Close() { s.srv.Close() }

// Tally returns the counts of a tag so far.
func (s *mailSink) Tally(tag string) MailTally {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tags[tag]; t != nil {
		return *t
	}
	return MailTally{}
}

// Wait waits until n messages of tag have arrived, ctx ends or timeout
// passes, and returns the tally at that moment.
func (s *mailSink) Wait(ctx context.Context, tag string, n int, timeout time.Duration) MailTally {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		t := s.Tally(tag)
		if t.Messages >= n || time.Now().After(deadline) {
			return t
		}
		select {
		case <-ctx.Done():
			return t
		case <-tick.C:
		}
	}
}

func (s *mailSink) add(tag string, data []byte) {
	now := time.Now()
	// Parts' headers are never encoded, so a byte search finds them.
	qr := bytes.Contains(data, []byte("image/png"))
	ics := bytes.Contains(data, []byte("text/calendar"))
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tags[tag]
	if t == nil {
		t = &MailTally{First: now}
		s.tags[tag] = t
	}
	t.Messages++
	t.Last = now
	if qr {
		t.WithQR++
	}
	if ics {
		t.WithICS++
	}
}

// sinkSession is one SMTP connection to the sink.
type sinkSession struct {
	sink *mailSink
	tag  string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.tag == "" {
		local, _, _ := strings.Cut(to, "@")
		ss.tag, _, _ = strings.Cut(local, "-")
	}
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.sink.add(ss.tag, data)
	return nil
}

func (ss *sinkSession) Reset() { ss.tag = "" }

func (ss *sinkSession) Logout() error { return nil }
