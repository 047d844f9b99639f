package webhooks

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

func model(t *testing.T, files map[string]string) *project.Model {
	t.Helper()
	snap := source.Mem{}
	var paths []string
	for p, c := range files {
		snap[p] = []byte(c)
		paths = append(paths, p)
	}
	m, err := project.Build(context.Background(), rules.NewFileSet(snap, paths))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestVerifyFixByVersion(t *testing.T) {
	for _, tc := range []struct {
		deps, path string
		want, not  string
	}{
		{`{"dependencies":{"@clerk/nextjs":"^6.13.0"}}`, "app/api/webhooks/route.ts", "from '@clerk/nextjs/webhooks'", "predates"},
		{`{"dependencies":{"@clerk/nextjs":"^6.12.2"}}`, "app/api/webhooks/route.ts", "predates `verifyWebhook()` (added in 6.13.0)", ""},
		{`{"dependencies":{"@clerk/nextjs":"^6.14.0","next":"15.2.0"}}`, "pages/api/webhooks.ts", "predates", ""},
		{`{"dependencies":{"@clerk/nextjs":"^6.16.0","next":"15.2.0"}}`, "pages/api/webhooks.ts", "bodyParser: false", "predates"},
		{`{"dependencies":{"@clerk/nextjs":"^5.7.0"}}`, "app/api/webhooks/route.ts", "new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET).verify(await req.text()", ""},
		{`{"dependencies":{"@clerk/express":"^1.4.0"}}`, "server/index.ts", "express.raw({ type: 'application/json' })", ""},
		{`{"dependencies":{"@clerk/nuxt":"^1.5.0"}}`, "server/api/webhooks.post.ts", "NUXT_CLERK_WEBHOOK_SIGNING_SECRET", ""},
		{`{"dependencies":{"svix":"^1.0.0"}}`, "server/index.ts", "from `svix`", ""},
		// The release that added verifyWebhook is read from the SDK table:
		// @clerk/astro 2.5 has no /webhooks entry point (it came in 2.6).
		{`{"dependencies":{"@clerk/astro":"^2.5.0"}}`, "src/pages/api/webhooks.ts", "predates `verifyWebhook()` (added in 2.6.0)", ""},
		{`{"dependencies":{"@clerk/astro":"^2.6.0"}}`, "src/pages/api/webhooks.ts", "from '@clerk/astro/webhooks'", "predates"},
		{`{"dependencies":{"@clerk/nextjs":"^6.14.0","next":"15.2.0"}}`, "pages/api/webhooks.ts", "(added in 6.15.1)", ""},
	} {
		// The handler file is in the snapshot: whether it is a Pages
		// Router API route is the project's route table's answer.
		m := model(t, map[string]string{"package.json": tc.deps, tc.path: "export default async function handler() {}\n"})
		got := verifyFix(m, tc.path)
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%s %s: fix %q, want %q without %q", tc.deps, tc.path, got, tc.want, tc.not)
		}
	}
}

// TestPathPattern: WH-006 compiles public route patterns as Clerk does
// (the model's path-to-regexp port) in the review's bounded pattern set.
func TestPathPattern(t *testing.T) {
	set := boundedre.NewSet(boundedre.DefaultLimits())
	for _, tc := range []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"/api(.*)", []string{"/api", "/api/users", "/api-docs"}, []string{"/apx"}},
		{"/api/:path*", []string{"/api", "/api/a", "/api/a/b"}, []string{"/apix"}},
		{"/api/webhooks(.*)", []string{"/api/webhooks", "/api/webhooks/clerk", "/api/webhooks-admin"}, []string{"/api/users"}},
		{"/api/webhooks/clerk", []string{"/api/webhooks/clerk", "/api/webhooks/clerk/"}, []string{"/api/webhooks/clerk/x"}},
		{"/api/:id", []string{"/api/1"}, []string{"/api/1/2", "/api"}},
		{"/((?!api).*)", []string{"/dashboard"}, []string{"/api/x"}},
	} {
		p := project.CompileRoutePattern(set, "middleware.ts", tc.pattern, 1)
		for _, u := range tc.match {
			if p.Eval(u) != boundedre.Match {
				t.Errorf("%s (%s) should match %s", tc.pattern, p.Regexp(), u)
			}
		}
		for _, u := range tc.miss {
			if p.Eval(u) != boundedre.NoMatch {
				t.Errorf("%s (%s) should not match %s", tc.pattern, p.Regexp(), u)
			}
		}
	}
}

// TestRawBodyFixByVersion: WH-002's remedy names verifyWebhook() only when
// the project's SDK has it (an Express app on @clerk/express 1.3 was seen
// re-serialising req.body; the fix must not send it to a missing export).
func TestRawBodyFixByVersion(t *testing.T) {
	for _, tc := range []struct {
		deps, want, not string
	}{
		{`{"dependencies":{"@clerk/express":"^1.4.0"}}`, "call `verifyWebhook(req)`", "predates"},
		{`{"dependencies":{"@clerk/express":"^1.3.4"}}`, "verify(req.body, { 'svix-id'", "call `verifyWebhook(req)`"},
		{`{"dependencies":{"@clerk/express":"^1.3.4"}}`, "predates `verifyWebhook()` (added in 1.4.0)", ""},
		{`{"dependencies":{"@clerk/fastify":"^2.1.0"}}`, "predates `verifyWebhook()` (added in 2.2.0)", ""},
		{`{"dependencies":{"@clerk/fastify":"^2.2.0"}}`, "`verifyWebhook()` re-serialises", "predates"},
	} {
		m := model(t, map[string]string{"package.json": tc.deps})
		got := rawBodyFix(m, "src/server.ts")
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%s: fix %q, want %q without %q", tc.deps, got, tc.want, tc.not)
		}
	}
	// A Go handler gets the Go order, not the JavaScript one.
	m := model(t, map[string]string{"go.mod": "module example.com/api\n"})
	if got := rawBodyFix(m, "api/webhooks.go"); !strings.Contains(got, "`wh.Verify(payload, r.Header)`") || strings.Contains(got, "express") {
		t.Errorf("Go fix %q", got)
	}
}
