package webhooks_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/webhooks"
)

func TestRules(t *testing.T) {
	if err := rules.Validate(webhooks.Rules); err != nil {
		t.Fatal(err)
	}
	for _, r := range webhooks.Rules {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
