package routes

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

func TestServerRules(t *testing.T) {
	rs := serverRules()
	if err := rules.Validate(rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
