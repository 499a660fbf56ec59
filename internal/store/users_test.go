package store

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestDummyHashCost: the hash an unknown account's login is checked against
// costs what a real password's hash costs, so both take the same time.
func TestDummyHashCost(t *testing.T) {
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if cost != bcrypt.DefaultCost {
		t.Errorf("dummy hash cost %d, new passwords get %d", cost, bcrypt.DefaultCost)
	}
	if err := bcrypt.CompareHashAndPassword(dummyHash, []byte("not a password")); err != nil {
		t.Errorf("the dummy hash is no bcrypt hash: %v", err)
	}
}
