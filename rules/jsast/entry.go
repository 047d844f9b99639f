package jsast

import (
	"path"
	"strings"
)

// The entry points a request reaches are the model's (rules/model: one
// adapter per framework); this package only parses.

// IsNonRequestPath reports whether p is a script, seed, migration, test or
// fixture file, which no request reaches.
func IsNonRequestPath(p string) bool {
	lp := "/" + strings.ToLower(p)
	for _, seg := range []string{"/scripts/", "/script/", "/migrations/", "/seed/", "/seeds/", "/__tests__/", "/test/", "/tests/",
		"/e2e/", "/__mocks__/", "/fixtures/", "/cypress/", "/playwright/", "/prisma/", "/drizzle/", "/bin/", "/cli/"} {
		if strings.Contains(lp, seg) {
			return true
		}
	}
	base := path.Base(lp)
	return strings.HasPrefix(base, "seed") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
		strings.Contains(base, ".stories.") || strings.HasPrefix(base, "migrate")
}

// FunctionName returns the declared or bound name of a function node, or
// "anonymous function".
func FunctionName(f *File, fn *Node) string {
	if n := fn.ChildByField("name"); n != nil {
		return f.Text(n)
	}
	if p := fn.Parent; p != nil {
		switch p.Type {
		case "variable_declarator":
			return f.Text(p.ChildByField("name"))
		case "pair":
			return f.Text(p.ChildByField("key"))
		case "assignment_expression":
			return f.Text(p.ChildByField("left"))
		}
	}
	return "anonymous function"
}
