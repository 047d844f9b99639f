package rbac_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rbac"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

func TestRules(t *testing.T) {
	if err := rules.Validate(rbac.Rules); err != nil {
		t.Fatal(err)
	}
	for _, r := range rbac.Rules {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
