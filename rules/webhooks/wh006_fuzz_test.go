package webhooks_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// FuzzBroadExemption runs CLK-WH-006 (which compiles createRouteMatcher,
// publicRoutes and ignoredRoutes entries from any file) over arbitrary
// patterns, as strings and as RegExp literals: the rule must return (a
// generous hang guard, not a speed check).
func FuzzBroadExemption(f *testing.F) {
	for _, p := range []string{`/api(.*)`, `/api/webhooks(.*)`, `^((.*)*)*x`, `^((?=.)(.*)*)*x`, `/((?=.)(?:a|aa)*)x`, `/:a+/:b?`, `(`, `/{:a(\d+)}?`} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		lit := `'/'`
		if pattern != "" && !strings.ContainsAny(pattern, "/\n\r\\") {
			lit = "/" + pattern + "/"
		}
		snap := hostilePR(strconv.Quote(pattern) + ", " + lit)
		snap["legacy/middleware.ts"] = []byte(`import { authMiddleware } from '@clerk/nextjs'
export default authMiddleware({ publicRoutes: [` + strconv.Quote(pattern) + `], ignoredRoutes: [` + lit + `] })
`)
		runWH006(t, source.Mem(snap))
	})
}
