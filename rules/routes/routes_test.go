package routes_test

import (
	"path/filepath"
	"testing"

	"github.com/clerkguard/clerkguard/rules/routes"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

func TestRules(t *testing.T) {
	for _, r := range routes.Rules {
		rulestest.Run(t, r, filepath.Join("testdata", r.ID))
	}
}
