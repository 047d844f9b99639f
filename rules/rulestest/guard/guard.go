// Package guard is the hang guard of tests that prove something returns:
// a generous bound that only catches a hang, never a speed assertion. It
// imports nothing of clerkguard, so the packages the engine is built on
// can use it too.
package guard

import (
	"testing"
	"time"
)

// Limit is how long Returns waits.
const Limit = 60 * time.Second

// Returns runs f and fails the test when f has not returned within Limit.
// A hung f is left running; the test binary ends it.
func Returns(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(Limit):
		t.Fatalf("%s did not return within %s", what, Limit)
	}
}
