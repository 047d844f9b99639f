package all_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/report"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// checkNoSecrets is the redaction oracle: no value the secret detector
// recognises in any file of snap, nor the clipped start of one (its
// prefix and eight more characters), appears in any string of the result,
// in any CLI format's output, or in the markdown the App posts. SARIF's rule metadata is static text,
// written whatever the findings, so a value that also occurs there is
// only checked in the rest of the log.
func checkNoSecrets(t *testing.T, snap source.Mem, res *rules.Result, rs []*rules.Rule) {
	t.Helper()
	var secrets []string
	for _, b := range snap {
		secrets = append(secrets, detect.Secrets(string(b))...)
	}
	if len(secrets) == 0 {
		return
	}
	outputs := map[string]string{}
	for _, f := range res.Findings {
		s := f.Message + "\n" + f.Fix + "\n" + f.Fingerprint
		if f.Suggestion != nil {
			s += "\n" + f.Suggestion.Text
		}
		outputs["finding "+f.Rule] += s + "\n"
	}
	for _, e := range res.Errors {
		outputs["rule error"] += e.Err + "\n"
	}
	for _, s := range res.Skipped {
		outputs["skipped"] += s.Reason + "\n"
	}
	for _, format := range report.Formats {
		var b bytes.Buffer
		if err := report.Write(&b, format, res, rs, report.Options{Deterministic: true}); err != nil {
			t.Fatalf("format %s: %v", format, err)
		}
		outputs["format "+format] = b.String()
	}
	// What the App posts: the check summary and each comment's markdown.
	outputs["app summary"] = report.Summary("Clerk security review", res.Findings, "https://github.com/o/r/blob/sha")
	for _, f := range res.Findings {
		outputs["app comment"] += report.FindingMarkdown(f, "https://github.com/o/r/blob/sha") + "\n"
	}
	var static bytes.Buffer
	if err := report.SARIF(&static, &rules.Result{}, rs, report.Options{Deterministic: true}); err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		shown := s[:min(len(s), len(prefixOf(s))+8)]
		for where, text := range outputs {
			if where == "format sarif" && strings.Contains(static.String(), shown) {
				continue
			}
			if strings.Contains(text, shown) {
				t.Errorf("%s shows the secret %s (%d chars) in %d bytes of text", where, redact.Secret(s), len(s), len(text))
			}
		}
	}
}

func prefixOf(s string) string {
	for _, p := range []string{"sk_live_", "sk_test_", "whsec_", "ak_live_", "ak_test_", "ak_", "live_", "test_"} {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

// TestRedactionIsAnEngineInvariant: CLK-WH-004 quotes the comparison
// `sign("whsec_…", b) !== sig` in its message; the engine redacts the
// webhook secret (whole, or clipped by the quote's 60-character limit)
// from every finding and every output format.
func TestRedactionIsAnEngineInvariant(t *testing.T) {
	key := rulestest.Expand("{{whsec}}")
	route := `import crypto from 'crypto'
import type { WebhookEvent } from '@clerk/nextjs/server'

const sign = (k: string, b: string) => crypto.createHmac('sha256', k).update(b).digest('base64')

export async function POST(req: Request) {
  const b = await req.text()
  const sig = req.headers.get('svix-signature')
  if (sign("` + key + `", b) !== sig) return new Response('bad', { status: 401 })
  if (computeSignature(secret = "` + key + `", b) !== sig) return new Response('bad', { status: 401 })
  const evt = JSON.parse(b) as WebhookEvent
  return new Response(evt.type)
}
`
	snap := source.Mem{"app/api/webhooks/clerk/route.ts": []byte(route),
		"package.json": []byte(`{"dependencies": {"next": "15.1.0", "@clerk/nextjs": "6.9.0"}}`)}
	rs := all.Rules()
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	quoted := 0
	for _, f := range res.Findings {
		if f.Rule == "CLK-WH-004" && strings.Contains(f.Message, "compares the Svix signature") {
			quoted++
			if !strings.Contains(f.Message, "whsec_…") {
				t.Errorf("CLK-WH-004 message %q does not show the redacted key", f.Message)
			}
		}
	}
	if quoted != 2 {
		t.Fatalf("want 2 CLK-WH-004 comparisons quoted, got %d in %v", quoted, res.Findings)
	}
	checkNoSecrets(t, snap, res, rs)
}

// deepBlob is the reported blob: `[[[…]]]` nested 950,000 times (1.9 MB,
// 2 KB gzipped).
func deepBlob() []byte {
	return []byte("export const x = " + strings.Repeat("[", 950_000) + strings.Repeat("]", 950_000) + ";\n")
}

// TestDeepBlobIsSkippedAndNamed: the blob committed at two route handlers
// is refused before parsing, both paths are named with the reason, the
// run allocates a bounded amount, and the other files are still reviewed.
func TestDeepBlobIsSkippedAndNamed(t *testing.T) {
	blob := append([]byte("import { auth } from '@clerk/nextjs/server'\nexport async function GET() {\n  return Response.json(await db.users())\n}\n"), deepBlob()...)
	snap := source.Mem{
		"app/api/users/route.ts": blob,
		"app/api/admin/route.ts": blob,
		"package.json":           []byte(`{"dependencies": {"next": "15.1.0", "@clerk/nextjs": "6.9.0"}}`),
		// A combined has() check makes the vulnerable @clerk/nextjs matter
		// (CLK-RP-019 reports package.json only then).
		"app/settings/actions.ts": []byte("'use server'\nimport { auth } from '@clerk/nextjs/server'\nexport async function canDelete() {\n  const { has } = await auth()\n  return has({ permission: 'org:x:delete', reverification: 'strict' })\n}\n"),
	}
	before := allocated()
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: all.Rules()})
	if err != nil {
		t.Fatal(err)
	}
	// The unbounded parse of one copy allocated 881 MB of Go heap.
	if got := allocated() - before; got > 96<<20 {
		t.Errorf("the run allocated %d MB", got>>20)
	}
	reasons := map[string]string{}
	for _, s := range res.Skipped {
		reasons[s.Path] = s.Reason
	}
	for _, p := range []string{"app/api/users/route.ts", "app/api/admin/route.ts"} {
		if !strings.Contains(reasons[p], "more than 1000 levels of nesting") {
			t.Errorf("%s: skipped reason %q, want the nesting limit (skipped: %v)", p, reasons[p], res.Skipped)
		}
	}
	if res.Stats.FilesSkipped != len(res.Skipped) {
		t.Errorf("FilesSkipped = %d, want %d", res.Stats.FilesSkipped, len(res.Skipped))
	}
	reviewed := false
	for _, f := range res.Findings {
		reviewed = reviewed || f.Path == "package.json"
	}
	if !reviewed {
		t.Errorf("package.json was not reviewed: %v", res.Findings)
	}
	var text, js bytes.Buffer
	if err := report.Write(&text, "text", res, all.Rules(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := report.Write(&js, "json", res, all.Rules(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), js.String()} {
		if !strings.Contains(out, "app/api/admin/route.ts") || !strings.Contains(out, "levels of nesting") {
			t.Errorf("output does not name the skipped file:\n%s", out)
		}
	}
}

// TestRunBudget: the byte and node budgets of a run stop reading and
// parsing; the files refused are named.
func TestRunBudget(t *testing.T) {
	route := func(n int) []byte {
		return []byte("import { auth } from '@clerk/nextjs/server'\nexport async function GET() {\n  return Response.json(" +
			strings.Repeat("1 + ", n) + "1)\n}\n")
	}
	snap := source.Mem{"app/a/route.ts": route(1), "app/b/route.ts": route(2), "app/c/route.ts": route(3)}
	ctx := context.Background()

	res, err := rules.Run(ctx, snap, rules.Options{Rules: all.Rules(), Workers: 1, Budget: rules.Budget{Bytes: int64(len(snap["app/a/route.ts"]) + 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) == 0 || !strings.Contains(res.Skipped[len(res.Skipped)-1].Reason, "budget") {
		t.Errorf("byte budget of one file: skipped %v", res.Skipped)
	}

	res, err = rules.Run(ctx, snap, rules.Options{Rules: all.Rules(), Workers: 1, Budget: rules.Budget{Nodes: 10}})
	if err != nil {
		t.Fatal(err)
	}
	over := 0
	for _, s := range res.Skipped {
		if strings.Contains(s.Reason, "parsed in this review") {
			over++
		}
	}
	if over == 0 {
		t.Errorf("node budget of 10: skipped %v", res.Skipped)
	}
}

// TestBudgetReadsConfigFirst: when the snapshot holds more code than the
// byte budget, the environment and configuration files are still read: a
// committed secret key in a .env file is reported although the code files
// sort before it and alone spend the budget.
func TestBudgetReadsConfigFirst(t *testing.T) {
	code := []byte("export function total(xs: number[]) {\n  return xs.reduce((a, b) => a + b, 0)\n}\n" + strings.Repeat("// filler line of a large module\n", 200))
	snap := source.Mem{
		"app/a.ts": code, "app/b.ts": code, "app/c.ts": code,
		"config/production.env": []byte("CLERK_SECRET_KEY=" + rulestest.Expand("{{sk_live}}") + "\n"),
		"package.json":          []byte(`{"dependencies": {"@clerk/nextjs": "6.20.0", "next": "15.3.0"}}`),
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: all.Rules(), Workers: 1, Budget: rules.Budget{Bytes: int64(2 * len(code))}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.Rule == "CLK-SEC-001" && f.Path == "config/production.env"
	}
	if !found {
		t.Errorf("the committed key in config/production.env was not reported; skipped: %v", res.Skipped)
	}
}

// TestIdenticalBlobsShareOneTree: a rule that asks for the trees of two
// paths holding one blob gets one shared tree (one parse).
func TestIdenticalBlobsShareOneTree(t *testing.T) {
	src := []byte("export function GET() { return new Response('ok') }\n")
	snap := source.Mem{"app/a/route.ts": src, "app/b/route.ts": src}
	var roots []*jsast.Node
	probe := &rules.Rule{ID: "CLK-HARD-999", Name: "probe", Pack: rules.PackHardening, Severity: rules.Info, Confidence: rules.LowConfidence,
		Checklist: 1, Scope: rules.PerSnapshot, Doc: rules.Doc{Title: "probe", Text: "t", Bad: "b", Good: "g"},
		Fix: rules.ConstFix("none"),
		Run: func(p *rules.Pass) error {
			for _, path := range []string{"app/a/route.ts", "app/b/route.ts"} {
				f := p.AST(p.Get(path))
				if f == nil || f.Path != path {
					return errors.New("no tree for " + path)
				}
				roots = append(roots, f.Root)
			}
			return nil
		}}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: []*rules.Rule{probe}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if len(roots) != 2 || roots[0] != roots[1] {
		t.Errorf("two paths with one blob were parsed separately")
	}
}

// FuzzEngine runs every rule over a fuzzed middleware, route and
// package.json, with a secret inserted at a fuzzed offset of the route,
// under a node budget and a wall-clock guard, and checks the redaction
// oracle.
func FuzzEngine(f *testing.F) {
	key := rulestest.Expand("{{whsec}}")
	sk := rulestest.Expand("{{sk_live}}")
	f.Add([]byte("import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'\nconst isAdmin = createRouteMatcher(['/admin(.*)'])\nexport default clerkMiddleware(async (auth, req) => { if (isAdmin(req)) await auth.protect() })\nexport const config = { matcher: ['/((?!_next).*)'] }\n"),
		[]byte("export async function POST(req: Request) {\n  const sig = req.headers.get('svix-signature')\n  if (sign(\"KEY\", await req.text()) !== sig) return new Response('no', { status: 401 })\n  return Response.json({ ok: true })\n}\n"),
		[]byte(`{"dependencies": {"next": "15.1.0", "@clerk/nextjs": "6.9.0"}}`), uint16(60), key)
	f.Add([]byte("export { default } from 'next-auth/middleware'\n"),
		[]byte("const CLERK_SECRET_KEY = 'KEY'\nexport const GET = () => fetch('https://api.clerk.com', { headers: { Authorization: `Bearer ${CLERK_SECRET_KEY}` } })\n"),
		[]byte(`{"dependencies": {"@clerk/nextjs": "4.0.0"}}`), uint16(0), sk)
	f.Add([]byte(strings.Repeat("(", 3000)), []byte(strings.Repeat("a + ", 4000)+"a"), []byte(`{"a":`+strings.Repeat("[", 5000)), uint16(7), "CLERK_ENCRYPTION_KEY=q8Wm2Zr5Xk9Lp3Nv")
	rs := all.Rules()
	f.Fuzz(func(t *testing.T, middleware, route, pkg []byte, at uint16, secret string) {
		if len(route) > 0 {
			i := int(at) % (len(route) + 1)
			route = append(route[:i:i], append([]byte(secret), route[i:]...)...)
		}
		snap := source.Mem{"middleware.ts": middleware, "app/api/admin/route.ts": route, "package.json": pkg}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard only
		defer cancel()
		res, err := rules.Run(ctx, snap, rules.Options{Rules: rs, Workers: 1,
			Budget: rules.Budget{Nodes: 200_000, File: jsast.Limits{MaxNodes: 50_000, MaxDepth: 500}}})
		if err != nil {
			t.Fatalf("engine: %v", err)
		}
		for _, e := range res.Errors {
			t.Errorf("rule %s failed on %s: %s", e.Rule, e.Path, e.Err)
		}
		checkNoSecrets(t, snap, res, rs)
	})
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
