package routes_test

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/routes"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestUnevaluableMatcherClaimsNothing: a config.matcher entry that needs
// backtracking and times out on a route's path is "could not evaluate":
// CLK-RP-002 must not report that the matcher skips the route (it used to
// read the timeout as "does not run"), and the review says what it could
// not judge.
func TestUnevaluableMatcherClaimsNothing(t *testing.T) {
	seg := strings.Repeat("a", 34)
	snap := source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"middleware.ts": []byte(`import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware()
export const config = { matcher: ['/((?=.)(?:a|aa)*)x'] }
`),
		"app/" + seg + "!/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
export async function GET() {
  const { userId } = await auth()
  return Response.json({ userId })
}
`),
	}
	res, err := rulestest.RunGuarded(context.Background(), t, snap, rules.Options{Rules: []*rules.Rule{routes.RP002}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("finding claimed from an unevaluable matcher: %s", f.Message)
	}
	if len(res.Errors) != 1 || res.Errors[0].Rule != rules.EngineID || !strings.Contains(res.Errors[0].Err, "middleware.ts:3") {
		t.Errorf("errors = %+v, want the note that the matcher on middleware.ts:3 could not be evaluated", res.Errors)
	}
}
