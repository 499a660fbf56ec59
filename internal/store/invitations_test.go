package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// claimInvitation takes the queued invitation email of the outbox, as
// the mail worker would, and returns its token.
func claimInvitation(t *testing.T, s *Store) OutboxItem {
	t.Helper()
	items, err := s.ClaimMail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != MailInvitation || items[0].Secret == "" || items[0].RegistrationID != 0 {
		t.Fatalf("claimed %+v, want one invitation with its token", items)
	}
	return items[0]
}

// TestInvitationToken: the token is stored only as its hash, works for
// InvitationLifetime and once, leaves the outbox once sent, and a new
// invitation replaces the open one.
func TestInvitationToken(t *testing.T) {
	ctx := WithActor(context.Background(), Actor{UserID: 0, Email: "admin@example.org", From: "192.0.2.1"})
	s := openStore(t)
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	u, err := s.CreateInvitedUser(ctx, "mei@example.org", "Li Mei", RoleOrganiser, "zh", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInvitedUser(ctx, "MEI@example.org", "Li Mei", RoleStaff, "zh", t0); !errors.Is(err, ErrConflict) {
		t.Errorf("a second account for the address: %v, want ErrConflict", err)
	}
	// Before the invitation is accepted, no password signs in.
	if _, err := s.Authenticate(ctx, "mei@example.org", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("an invited account signed in with an empty password: %v", err)
	}
	it := claimInvitation(t, s)
	token := it.Secret

	var stored string
	if err := s.read.QueryRow("SELECT token_hash FROM invitations WHERE user_id = ?", u.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != hashSecret(token) || strings.Contains(stored, token) {
		t.Errorf("stored %q, want the SHA-256 of the token", stored)
	}
	// Sent: the token leaves the outbox.
	if err := s.MailSent(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.read.QueryRow("SELECT count(*) FROM outbox WHERE secret IS NOT NULL").Scan(&left); err != nil || left != 0 {
		t.Errorf("tokens left in the outbox after sending: %d, %v", left, err)
	}

	inv, err := s.InvitationByToken(ctx, token, t0.Add(time.Hour))
	if err != nil || inv.User.ID != u.ID || inv.Language != "zh" || !inv.ExpiresAt.Equal(t0.Add(InvitationLifetime)) {
		t.Fatalf("InvitationByToken: %+v, %v", inv, err)
	}
	if _, err := s.InvitationByToken(ctx, token, t0.Add(InvitationLifetime)); !errors.Is(err, ErrInvitationExpired) {
		t.Errorf("at the expiry: %v, want ErrInvitationExpired", err)
	}
	if _, err := s.InvitationByToken(ctx, token+"x", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown token: %v, want ErrNotFound", err)
	}
	if _, err := s.AcceptInvitation(ctx, token, "a long password", t0.Add(InvitationLifetime+time.Second)); !errors.Is(err, ErrInvitationExpired) {
		t.Errorf("accepted after the expiry: %v", err)
	}
	var perr *PasswordError
	if _, err := s.AcceptInvitation(ctx, token, "short", t0.Add(time.Hour)); !errors.As(err, &perr) || perr.Key != "password.error.short" {
		t.Errorf("a short password: %v, want a PasswordError", err)
	}
	got, err := s.AcceptInvitation(ctx, token, "a long password", t0.Add(InvitationLifetime-time.Second))
	if err != nil || got.ID != u.ID {
		t.Fatalf("accept: %+v, %v", got, err)
	}
	if _, err := s.Authenticate(ctx, "mei@example.org", "a long password"); err != nil {
		t.Errorf("sign in with the chosen password: %v", err)
	}
	if _, err := s.AcceptInvitation(ctx, token, "another long password", t0.Add(2*time.Hour)); !errors.Is(err, ErrInvitationUsed) {
		t.Errorf("second use: %v, want ErrInvitationUsed", err)
	}
	if _, err := s.Authenticate(ctx, "mei@example.org", "another long password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the second use changed the password: %v", err)
	}
	entries, err := s.AuditLog(ctx, AuditFilter{Target: userTarget(u.ID), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, e := range entries {
		actions[e.Action] = e.Actor
	}
	if actions[AuditUserInvite] != "admin@example.org" || actions[AuditUserInviteAccept] != "mei@example.org" {
		t.Errorf("audit log: %v, want the invitation by the admin and its acceptance by the invited", actions)
	}
}

// TestInvitationReplacedAndDisabled: a new invitation ends the open one and
// drops its unsent email; a password set otherwise ends it too; a disabled
// account accepts none; an account that has signed in gets no invitation.
func TestInvitationReplacedAndDisabled(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	admin := addUser(t, s, "admin@example.org", "Admin", RoleAdmin)
	u, err := s.CreateInvitedUser(ctx, "jonas@example.org", "Jonas", RoleStaff, "de", t0)
	if err != nil {
		t.Fatal(err)
	}
	first := claimInvitation(t, s)
	if err := s.MailRetry(ctx, first.ID, "421 try later", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, u.ID, "en", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	second := claimInvitation(t, s) // the first email, still waiting, is gone
	if _, err := s.InvitationByToken(ctx, first.Secret, t0.Add(2*time.Hour)); !errors.Is(err, ErrInvitationReplaced) {
		t.Errorf("the replaced invitation: %v", err)
	}
	if inv, err := s.InvitationByToken(ctx, second.Secret, t0.Add(2*time.Hour)); err != nil || inv.Language != "en" {
		t.Errorf("the new invitation: %+v, %v", inv, err)
	}
	if err := s.UpdateMember(ctx, u.ID, "Jonas", RoleStaff, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvitation(ctx, second.Secret, "a long password", t0.Add(2*time.Hour)); !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("a disabled account accepted: %v", err)
	}
	if err := s.Invite(ctx, u.ID, "en", t0.Add(3*time.Hour)); !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("invite a disabled account: %v", err)
	}
	// A password set by an admin or foyer user passwd ends the invitation.
	if _, err := s.CreateInvitedUser(ctx, "ana@example.org", "Ana", RoleStaff, "en", t0); err != nil {
		t.Fatal(err)
	}
	third := claimInvitation(t, s)
	if _, err := s.SetPassword(ctx, "ana@example.org", "a long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvitation(ctx, third.Secret, "another long password", t0.Add(time.Hour)); !errors.Is(err, ErrInvitationReplaced) {
		t.Errorf("accepted after a password was set: %v", err)
	}
	if _, err := s.CreateWebSession(ctx, admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, admin.ID, "en", t0); !errors.Is(err, ErrSignedIn) {
		t.Errorf("invite an account that has signed in: %v", err)
	}
}
