package webhooks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/source"
	"github.com/clerkguard/clerkguard/rules/webhooks"
)

// hostilePR is the pull request that held the CLI for over 11 minutes:
// public route patterns with catastrophic backtracking next to a webhook
// route. /^((.*)*)*x/ needs no look-around (linear engine, a real answer);
// the look-ahead variant needs backtracking (bounded: could not evaluate).
func hostilePR(pattern string) source.Mem {
	return source.Mem{
		"package.json": []byte(`{"dependencies": {"@clerk/nextjs": "^6.20.0", "next": "15.3.0"}}`),
		"middleware.ts": []byte(`import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'

const isPublicRoute = createRouteMatcher([
  '/api/webhooks/clerk',
  ` + pattern + `,
  '/api(.*)',
])

export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect()
})
`),
		"app/api/webhooks/clerk/route.ts": []byte("export async function POST(req: Request) { return new Response('ok') }\n"),
		"app/api/billing/route.ts":        []byte("export async function POST(req: Request) { return new Response('ok') }\n"),
	}
}

func runWH006(t *testing.T, snap source.Snapshot) *rules.Result {
	t.Helper()
	res, err := rulestest.RunGuarded(context.Background(), t, snap, rules.Options{Rules: []*rules.Rule{webhooks.WH006}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCatastrophicPublicPatternIsLinear(t *testing.T) {
	res := runWH006(t, hostilePR(`/^((.*)*)*x/`))
	if len(res.Errors) != 0 {
		t.Errorf("errors = %+v, want none: the pattern has a definite answer", res.Errors)
	}
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, "`/api(.*)`") {
		t.Errorf("findings = %+v, want the one for /api(.*)", res.Findings)
	}
}

func TestBacktrackingPublicPatternCouldNotBeEvaluated(t *testing.T) {
	res := runWH006(t, hostilePR(`/^((?=.)(.*)*)*x/`))
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, "`/api(.*)`") {
		t.Errorf("findings = %+v, want only the one for /api(.*): nothing is claimed from the unevaluable pattern", res.Findings)
	}
	if len(res.Errors) != 1 || res.Errors[0].Rule != rules.EngineID || res.Errors[0].Path != "middleware.ts" ||
		!strings.Contains(res.Errors[0].Err, "could not be evaluated") || !strings.Contains(res.Errors[0].Err, "middleware.ts:5") {
		t.Errorf("errors = %+v, want one note that the pattern on middleware.ts:5 could not be evaluated", res.Errors)
	}
}
