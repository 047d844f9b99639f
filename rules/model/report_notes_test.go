package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// TestReportNotesUnevaluableMatcher: a config.matcher entry that needs
// backtracking and times out on a route's path leaves the middleware
// layer "could not be evaluated", and the routes report says which
// pattern it could not evaluate and why, instead of a verdict that
// silently depends on it.
func TestReportNotesUnevaluableMatcher(t *testing.T) {
	seg := strings.Repeat("a", 34)
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"middleware.ts": []byte(`import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware()
export const config = { matcher: ['/((?=.)(?:a|aa)*)x'] }
`),
		"app/" + seg + "!/route.ts": []byte(`export async function GET() {
  return Response.json({ ok: true })
}
`),
	})
	rep, err := m.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var why []string
	for _, e := range rep.Entries {
		for _, l := range e.Chain {
			why = append(why, l.Why)
		}
	}
	if !strings.Contains(strings.Join(why, "\n"), "could not be evaluated") {
		t.Errorf("chain = %q, want the matcher layer to say it could not be evaluated", why)
	}
	var notes []string
	for _, n := range rep.Notes {
		notes = append(notes, n.Where+": "+n.What)
	}
	if got := strings.Join(notes, "\n"); !strings.Contains(got, "middleware.ts:3") || !strings.Contains(got, "could not be evaluated") {
		t.Errorf("notes = %q, want the unevaluable matcher on middleware.ts:3", got)
	}
}
