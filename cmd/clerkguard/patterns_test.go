package main

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

// TestScanOfHostilePatternsReturns: the pull request that held the CLI
// for over 11 minutes (public route patterns with catastrophic
// backtracking) is scanned to the end; the pattern that needs
// backtracking is reported as not evaluated, the rest is judged.
func TestScanOfHostilePatternsReturns(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json": `{"dependencies": {"@clerk/nextjs": "^6.20.0", "next": "15.3.0"}}`,
		"middleware.ts": `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isPublicRoute = createRouteMatcher(['/api/webhooks/clerk', /^((.*)*)*x/, /^((?=.)(.*)*)*x/, '/api(.*)'])
export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect()
})
`,
		"app/api/webhooks/clerk/route.ts": "export async function POST(req: Request) { return new Response('ok') }\n",
		"app/api/billing/route.ts":        "export async function POST(req: Request) { return new Response('ok') }\n",
	})
	var o struct {
		code           int
		stdout, stderr string
	}
	guard.Returns(t, "clerkguard scan", func() { o.code, o.stdout, o.stderr = runCLI(t, "scan", dir) })
	if o.code == 2 {
		t.Fatalf("exit 2, stderr %s", o.stderr)
	}
	if !strings.Contains(o.stdout, "CLK-WH-006") || !strings.Contains(o.stdout, "/api(.*)") {
		t.Errorf("the /api(.*) exemption is not reported:\n%s", o.stdout)
	}
	if !strings.Contains(o.stdout, "warning: pattern `^((?=.)(.*)*)*x` (middleware.ts:2) could not be evaluated") {
		t.Errorf("the unevaluable pattern is not reported:\n%s", o.stdout)
	}
}
