package secrets_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/secrets"
)

func TestRules(t *testing.T) {
	if err := rules.Validate(secrets.Rules); err != nil {
		t.Fatal(err)
	}
	for _, r := range secrets.Rules {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
