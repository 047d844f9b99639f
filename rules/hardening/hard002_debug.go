package hardening

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// HARD002 flags Clerk middleware or plugins configured with `debug: true`.
var HARD002 = &rules.Rule{
	ID:         "CLK-HARD-002",
	Name:       "clerk-debug-enabled",
	Pack:       rules.PackHardening,
	Severity:   rules.Low,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Keywords:   []string{"debug"},
	Doc: rules.Doc{
		Title: "Clerk middleware debug mode left on",
		References: []string{
			"https://clerk.com/docs/reference/nextjs/clerk-middleware",
			"clerk/javascript packages/nextjs/src/utils/logFormatter.ts",
		},
		Text: "With `debug: true`, Clerk's middleware logs the request URL, its options and the Auth object on every request. " +
			"Before `@clerk/nextjs` 7.5.0 / `@clerk/backend` 3.6.0 the debug output could include full session, " +
			"machine, refresh and handshake tokens. Production logs then hold bearer credentials.",
		Bad:  "export default clerkMiddleware(handler, { debug: true })",
		Good: "export default clerkMiddleware(handler, { debug: process.env.NODE_ENV === 'development' })",
	},
	Fix: func(p *project.Model, path string) string {
		fix := "Gate debug output on the environment: `debug: process.env.NODE_ENV === 'development'`."
		if v, ok := p.Version(path, "@clerk/nextjs"); ok && v != nil && v.Major() <= 7 && (v.Major() < 7 || v.Minor() < 5) {
			fix += " Your `@clerk/nextjs` version predates 7.5.0, whose debug output can include full session tokens: upgrade as well."
		}
		return fix
	},
	Run: runHARD002,
}

func runHARD002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(call)
		clerkName := f.ResolveClerk(strings.Split(name, ".")[0])
		if !knowledge.TakesDebugOption(clerkName) && !knowledge.TakesDebugOption(jsast.LastSegment(name)) {
			continue
		}
		if clerkName == "" && !f.ImportsFrom(jsast.IsClerkModule) {
			continue // a same-named function of another library
		}
		for _, arg := range jsast.Args(call) {
			v := f.ObjectProp(arg, "debug")
			if v != nil && jsast.Unwrap(v).Type == "true" {
				pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
					Message: rules.Code(name) + " is configured with `debug: true`, which logs the Auth object on every request in every environment"})
			}
		}
	}
	return nil
}
