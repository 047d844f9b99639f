package hardening_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules/hardening"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

func TestRules(t *testing.T) {
	for _, r := range hardening.Rules {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
