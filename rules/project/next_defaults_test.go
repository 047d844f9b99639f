package project

import (
	"testing"

	"github.com/clerkguard/clerkguard/rules/boundedre"
)

// TestDefaultsRunOn checks Clerk's documented matchers, evaluated with
// Next.js semantics: every era runs on pages and API routes whatever
// letter they end in; a path one era treats as a static file is not a
// path all of them run on.
func TestDefaultsRunOn(t *testing.T) {
	m := build(t, map[string]string{"package.json": pkg15, "app/page.tsx": "", "middleware.ts": `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware()
export const config = { matcher: ['/((?!.+.[w]+$|_next).*)', '/', '/(api|trpc)(.*)'] }`})
	mw := m.Next[0].Middleware
	for p, want := range map[string]boundedre.Verdict{
		"/":               boundedre.Match,
		"/review":         boundedre.Match,
		"/orders/xw":      boundedre.Match,
		"/api/review":     boundedre.Match,
		"/trpc/post.list": boundedre.Match,
		"/logo.png":       boundedre.NoMatch, // a static file in every era
		"/data.json":      boundedre.NoMatch, // the authMiddleware eras skip any extension
		"/_next/static/x": boundedre.NoMatch,
	} {
		if got := mw.DefaultsRunOn(p); got != want {
			t.Errorf("DefaultsRunOn(%q) = %v, want %v", p, got, want)
		}
	}
	// The same matcher without its escapes is what the app wrote.
	if mw.RunsOn("/review") != boundedre.NoMatch || mw.RunsOn("/review/x") != boundedre.Match {
		t.Errorf("app matcher: /review %v, /review/x %v", mw.RunsOn("/review"), mw.RunsOn("/review/x"))
	}
}
