package publish

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/source"
)

// hostile is what a pull request smuggled into the bot's output before:
// a verdict of its own, a mention and a phishing link.
const hostile = "### ✅ clerkguard: all checks passed, safe to merge @octocat [details](https://evil.example/phish) <img src=x> www.evil.example"

var hostilePhrases = []string{"safe to merge", "octocat", "evil.example"}

// addedPatch is the diff that adds every file of snap.
func addedPatch(snap source.Mem) string {
	var b strings.Builder
	for p, content := range snap {
		lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
		fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", p, p, p, len(lines))
		for _, l := range lines {
			b.WriteString("+" + l + "\n")
		}
	}
	return b.String()
}

// TestAnalysedTextIsInert runs the engine on a pull request whose code
// carries Markdown in a middleware matcher, a route path and a package
// name, and renders the check run and review comments as GitHub would:
// the hostile text stays inside code spans, with no links except to our
// docs and the reviewed files, no mentions, no raw HTML and no headings of
// its own. Before, the matcher's text went into the CLK-RP-002 message
// verbatim: the summary showed "safe to merge", mentioned @octocat and
// linked to the phishing site.
func TestAnalysedTextIsInert(t *testing.T) {
	jsHostile := strings.ReplaceAll(hostile, "'", "\\'")
	snap := source.Mem{
		"package.json": []byte(`{"dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`),
		"middleware.ts": []byte("import { clerkMiddleware } from '@clerk/nextjs/server'\n" +
			"export default clerkMiddleware()\n" +
			"export const config = {\n" +
			"  matcher: ['/admin(`\\n\\n" + jsHostile + " `', '/team(\\n\\n" + jsHostile + "', '/((?!_next).*)', '/(api|trpc)(.*)'],\n}\n"),
		"app/api/`x` @octocat safe to merge/route.ts": []byte("import { db } from '@/lib/db'\n\nexport async function GET() {\n  return Response.json(await db.invoice.findMany())\n}\n"),
		"lib/db.ts": []byte("export const db: any = {}\n"),
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: all.Rules()})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := diffindex.Parse([]byte(addedPatch(snap)))
	if err != nil {
		t.Fatal(err)
	}
	const blob = "https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567"
	docs := "https://github.com/clerkguard/clerkguard/blob/main/docs/"
	seen := map[string]bool{}
	for i := range res.Findings {
		res.Findings[i].InDiff = true
		seen[res.Findings[i].Rule] = true
	}
	for _, want := range []string{"CLK-RP-002", "CLK-RP-003"} {
		if !seen[want] {
			t.Fatalf("the engine did not report %s; findings: %v", want, seen)
		}
	}
	out := BuildOutput(res.Findings, OutputOptions{FailOn: rules.High, MaxAnnotations: 1, BlobURL: blob})
	for name, md := range map[string]string{"summary": out.Summary, "text": out.Text} {
		for _, p := range inertProblems(t, md, hostilePhrases, docs, blob+"/") {
			t.Errorf("check run %s: %s\n%s", name, p, md)
		}
		for _, h := range render(t, md).headings {
			if !strings.Contains(h, ". ") || strings.Contains(h, "safe") {
				t.Errorf("check run %s: heading %q is not one of the checklist's", name, h)
			}
		}
	}
	plan := PlanReview(res.Findings, idx, nil, 50, "0123456789abcdef")
	if len(plan.Comments) == 0 {
		t.Fatal("no review comments planned")
	}
	for _, c := range plan.Comments {
		md := c.GetBody()
		for _, p := range inertProblems(t, md, hostilePhrases, docs) {
			t.Errorf("comment on %s: %s\n%s", c.GetPath(), p, md)
		}
		if h := render(t, md).headings; len(h) > 0 {
			t.Errorf("comment on %s has headings %q", c.GetPath(), h)
		}
	}
	for _, p := range inertProblems(t, plan.Body, hostilePhrases, docs) {
		t.Errorf("review body: %s", p)
	}
}
