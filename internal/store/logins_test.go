package store

import (
	"context"
	"testing"
	"time"
)

func TestLoginThrottleWindow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	u := addUser(t, s, "door@example.org", "Door", RoleStaff)
	fail := func(email string) *LoginLock {
		t.Helper()
		lock, err := s.RecordLoginFailure(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return lock
	}
	// Failures older than the window do not count.
	old := formatTime(time.Now().Add(-LoginWindow - time.Minute))
	for range LoginFailureLimit {
		if _, err := s.write.Exec("INSERT INTO login_failures (email_key, at) VALUES ('door@example.org', ?)", old); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < LoginFailureLimit; i++ {
		if lock := fail("door@example.org"); lock != nil {
			t.Fatalf("failure %d locked: %+v", i, lock)
		}
	}
	// A good sign-in starts the count again.
	if err := s.ClearLoginFailures(ctx, "Door@Example.org"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < LoginFailureLimit; i++ {
		if lock := fail("DOOR@example.org"); lock != nil {
			t.Fatalf("after a good sign-in, failure %d locked", i)
		}
	}
	lock := fail(" door@example.org")
	if lock == nil || lock.User == nil || lock.User.ID != u.ID || time.Until(lock.Until) < LoginLockout-time.Minute {
		t.Fatalf("tenth failure: lock %+v", lock)
	}
	if until, err := s.LoginLockedUntil(ctx, "door@EXAMPLE.org"); err != nil || !until.Equal(lock.Until) {
		t.Errorf("locked until %v, %v; want %v", until, err, lock.Until)
	}
	locks, err := s.LoginLocks(ctx)
	if err != nil || len(locks) != 1 || locks[0].User.Email != "door@example.org" || locks[0].Failures != LoginFailureLimit {
		t.Errorf("locks = %+v, %v", locks, err)
	}
	// When the lock ends the name is free, with a fresh count.
	if _, err := s.write.Exec("UPDATE login_locks SET locked_until = ?", formatTime(time.Now().Add(-time.Second))); err != nil {
		t.Fatal(err)
	}
	if until, _ := s.LoginLockedUntil(ctx, "door@example.org"); !until.IsZero() {
		t.Errorf("still locked until %v", until)
	}
	if lock := fail("door@example.org"); lock != nil {
		t.Errorf("the first failure after a lock locked again")
	}
	if locks, _ := s.LoginLocks(ctx); len(locks) != 0 {
		t.Errorf("ended locks listed: %+v", locks)
	}
}
