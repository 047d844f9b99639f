package all_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

// TestHandwrittenSuites runs every rule over the hand-written suites in
// testdata/handwritten/<stack>/: small apps written in the shape Clerk's
// documentation gives for each SDK, correct ones (no finding at all) and
// the mistakes a reviewer names (each finding expected at its line). Unlike
// a rule's own testdata, a case here fails on any finding of any rule that
// no marker expects, so it measures the engine as a user meets it.
func TestHandwrittenSuites(t *testing.T) {
	rulestest.RunSuite(t, all.Rules(), filepath.Join("testdata", "handwritten"))
}
