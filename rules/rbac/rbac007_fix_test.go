package rbac

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestRBAC007FixNamesProjectSDK is a regression test: an Expo app that
// also lists @clerk/clerk-react was told to import useSession from
// @clerk/clerk-react; the fix names the project's framework SDK.
func TestRBAC007FixNamesProjectSDK(t *testing.T) {
	for _, tc := range []struct{ deps, want, not string }{
		{`{"dependencies":{"@clerk/clerk-expo":"^2.19.11","@clerk/clerk-react":"^5.58.1","expo":"~54.0.0"}}`, "from '@clerk/clerk-expo'", "clerk-react"},
		{`{"dependencies":{"@clerk/expo":"^3.0.0","@clerk/react":"^6.0.0"}}`, "from '@clerk/expo'", "from '@clerk/react'"},
		{`{"dependencies":{"@clerk/clerk-react":"^5.58.1","vite":"^6.0.0"}}`, "from '@clerk/clerk-react'", ""},
		{`{"dependencies":{"@clerk/nextjs":"^6.20.0","@clerk/clerk-react":"^5.58.1"}}`, "from '@clerk/nextjs'", "clerk-react"},
		{`{"dependencies":{"@supabase/supabase-js":"^2.0.0"}}`, "the Clerk session (its getToken method)", "import {"},
	} {
		snap := source.Mem{"package.json": []byte(tc.deps)}
		m, err := project.Build(context.Background(), rules.NewFileSet(snap, []string{"package.json"}))
		if err != nil {
			t.Fatal(err)
		}
		got := fixRBAC007(m, "lib/supabase.ts")
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("deps %s: fix = %q, want %q and not %q", tc.deps, got, tc.want, tc.not)
		}
	}
}
