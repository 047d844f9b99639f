package routes_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/routes"
	"github.com/clerkguard/clerkguard/rules/source"
)

func rule(id string) *rules.Rule {
	for _, r := range routes.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// TestAwaitSuggestions: RP-006 offers the mechanical fix (add `await`) as a
// whole-line replacement, only inside async functions.
func TestAwaitSuggestions(t *testing.T) {
	snap := source.Mem{
		"package.json": []byte(`{"dependencies":{"@clerk/nextjs":"^6.10.0","next":"15.3.0"}}`),
		"app/a/page.tsx": []byte(`import { auth } from '@clerk/nextjs/server'

export default async function Page() {
  auth.protect()
  const { userId } = auth()
  const s = auth().protect()
  return <p>{userId}</p>
}

export function Sync() {
  auth.protect()
  return null
}
`),
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: []*rules.Rule{rule("CLK-RP-006")}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		4: "  await auth.protect()",
		5: "  const { userId } = await auth()",
		6: "  const s = await auth.protect()",
	}
	got := map[int]string{}
	for _, f := range res.Findings {
		if f.Suggestion != nil {
			got[f.Line] = f.Suggestion.Text
		} else {
			got[f.Line] = ""
		}
	}
	for line, text := range want {
		if got[line] != text {
			t.Errorf("line %d: suggestion %q, want %q", line, got[line], text)
		}
	}
	if s, ok := got[11]; !ok || s != "" {
		t.Errorf("line 11 (sync function): finding %v, suggestion %q; want a finding without a suggestion", ok, s)
	}
}

// TestMatcherSuggestion: RP-002 adds Clerk's API entry to a one-line
// matcher array.
func TestMatcherSuggestion(t *testing.T) {
	snap := source.Mem{
		"package.json": []byte(`{"dependencies":{"@clerk/nextjs":"^6.10.0","next":"15.3.0"}}`),
		"middleware.ts": []byte(`import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware()
export const config = { matcher: ['/((?!api|_next/static|_next/image|favicon.ico).*)'] }
`),
		"app/api/me/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
export async function GET() {
  const { userId } = await auth()
  if (!userId) return new Response('no', { status: 401 })
  return Response.json({ userId })
}
`),
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: []*rules.Rule{rule("CLK-RP-002")}})
	if err != nil {
		t.Fatal(err)
	}
	want := `export const config = { matcher: ['/((?!api|_next/static|_next/image|favicon.ico).*)', '/(api|trpc)(.*)'] }`
	for _, f := range res.Findings {
		if f.Suggestion != nil && f.Suggestion.Text == want {
			return
		}
	}
	t.Errorf("no matcher suggestion %q in %+v", want, res.Findings)
}
