package server_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestProtectionChangesInCheckRun: a pull request edits the matcher so
// that the middleware's auth.protect() no longer runs on /api/invoices
// (unchanged, it relies on the middleware) and adds /api/export, which
// touches data unguarded. The check run annotates the regression at the
// matcher line and lists both entries under "Protection changes".
func TestProtectionChangesInCheckRun(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	const mw = `import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware(async (auth) => {
  await auth.protect()
})

export const config = {
  matcher: ['/((?!_next).*)', '/(api|trpc)(.*)'],
}
`
	base := with(baseFiles, map[string]string{"middleware.ts": mw, "app/api/invoices/route.ts": unprotected})
	head := with(base, map[string]string{
		"middleware.ts":           strings.Replace(mw, "['/((?!_next).*)', '/(api|trpc)(.*)']", "['/((?!_next|api/invoices|api/export).*)']", 1),
		"app/api/export/route.ts": strings.Replace(unprotected, "invoice", "export", 1),
	})
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 3, BaseFiles: base, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	sha, _ := gh.HeadSHA("acme", "shop", 3)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 3, 42))
	cr := h.waitCompleted("acme", "shop", sha, 1)[0]
	if cr.Conclusion != "failure" {
		t.Errorf("conclusion %q, want failure", cr.Conclusion)
	}
	var found bool
	for _, a := range cr.Annotations {
		if strings.HasPrefix(a.Title, "CLK-RP-020") {
			found = true
			if a.Path != "middleware.ts" || a.StartLine != 8 || !strings.Contains(a.Message, "`GET /api/invoices`") {
				t.Errorf("regression annotated at %s:%d: %s", a.Path, a.StartLine, a.Message)
			}
		}
	}
	if !found {
		t.Errorf("no CLK-RP-020 annotation: %+v", cr.Annotations)
	}
	sum := cr.Output.Summary
	for _, want := range []string{
		"#### Protection changes (2 entry point(s))",
		"- `GET /api/invoices` — `app/api/invoices/route.ts:3` — became unguarded (yes → no)",
		"- `GET /api/export` — `app/api/export/route.ts:3` — new and unguarded",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	h.assertClean()
}

// TestDeletedMiddlewareInCheckRun: the pull request deletes the middleware
// file that protected the routes. The regression is reported at the
// deletion (the old path, which has no line in the head: no inline
// comment, an annotation and the summary), and the routes it guarded were
// read although no route file changed.
func TestDeletedMiddlewareInCheckRun(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	base := with(baseFiles, map[string]string{"middleware.ts": `import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware(async (auth) => {
  await auth.protect()
})
`, "app/api/invoices/route.ts": unprotected})
	head := with(base, nil)
	delete(head, "middleware.ts")
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 4, BaseFiles: base, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	sha, _ := gh.HeadSHA("acme", "shop", 4)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 4, 42))
	cr := h.waitCompleted("acme", "shop", sha, 1)[0]
	var titles []string
	for _, a := range cr.Annotations {
		titles = append(titles, a.Title)
		if strings.HasPrefix(a.Title, "CLK-RP-020") && (a.Path != "middleware.ts" || a.StartLine != 1 || !strings.Contains(a.Message, "`middleware.ts` was deleted")) {
			t.Errorf("regression annotated at %s:%d: %s", a.Path, a.StartLine, a.Message)
		}
	}
	if cr.Conclusion != "failure" || !strings.Contains(strings.Join(titles, "\n"), "CLK-RP-020") {
		t.Errorf("conclusion %q, annotations %v", cr.Conclusion, titles)
	}
	if !strings.Contains(cr.Output.Summary, "- `GET /api/invoices` — `app/api/invoices/route.ts:3` — became unguarded (yes → no)") {
		t.Errorf("summary:\n%s", cr.Output.Summary)
	}
	h.assertClean()
}
