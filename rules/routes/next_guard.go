package routes

import (
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Whether a handler checks the caller and what it touches are the
// model's answers (rules/model: pass.Model.Guard, OwnGuard, Effects);
// this file keeps the small syntax helpers and the middleware wording the
// route rules share.

func firstNamed(n *jsast.Node) *jsast.Node {
	for _, c := range n.NamedChildren() {
		return c
	}
	return nil
}

// rootName is the first identifier of a dotted callee name.
func rootName(name string) string { return jsast.FirstSegment(name) }

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// isPackage reports whether an import specifier names an npm package
// rather than a file of the repository.
func isPackage(spec string) bool {
	return !strings.HasPrefix(spec, ".") && !strings.HasPrefix(spec, "@/") && !strings.HasPrefix(spec, "~/") &&
		!strings.HasPrefix(spec, "#")
}

// handlerFunction returns the function an export names, unwrapping a
// wrapper call (`withAuth(async () => ...)`), and the wrapper call.
func handlerFunction(v *jsast.Node) (fn, wrapper *jsast.Node) {
	u := jsast.Unwrap(v)
	if u == nil {
		return nil, nil
	}
	if jsast.IsFunction(u) {
		return u, nil
	}
	if u.Type == "call_expression" {
		for _, a := range jsast.Args(u) {
			if au := jsast.Unwrap(a); jsast.IsFunction(au) {
				return au, u
			}
			if au := jsast.Unwrap(a); au != nil && au.Type == "call_expression" {
				if fn, _ := handlerFunction(au); fn != nil {
					return fn, u
				}
			}
		}
		return nil, u
	}
	return nil, nil
}

// middlewareRelated lists the middleware lines a route's verdict depends
// on, so a change there is reported in diff mode.
func middlewareRelated(a *project.NextApp) []rules.Location {
	if a == nil || a.Middleware == nil {
		return nil
	}
	mw := a.Middleware
	var out []rules.Location
	for _, l := range append(mw.MatcherLines(), mw.HandlerLines()...) {
		out = append(out, rules.Location{Path: mw.File, Line: l})
	}
	return out
}

// middlewareReason explains, for a message, why middleware does not stop
// a signed-out request to probe.
func middlewareReason(a *project.NextApp, probe string) string {
	if a == nil {
		return "no Clerk middleware covers it"
	}
	mw := a.Middleware
	switch {
	case mw == nil:
		return "the app has no middleware/proxy file"
	case mw.RunsOn(probe) == boundedre.NoMatch:
		return rules.Code(path.Base(mw.File)) + "'s matcher does not run on " + rules.Code(probe)
	case !mw.Clerk:
		return rules.Code(path.Base(mw.File)) + " does not run clerkMiddleware()"
	case mw.Legacy:
		return "authMiddleware() treats " + rules.Code(probe) + " as public or ignored"
	case len(mw.RouteMatchers) > 0:
		return "the middleware's route matchers do not protect " + rules.Code(probe)
	}
	return "clerkMiddleware() protects no route by default"
}
