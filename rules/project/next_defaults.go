package project

import (
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// DefaultsRunOn reports whether Clerk's documented config.matcher of
// every era (knowledge.DefaultMatchers) runs the middleware on urlPath,
// evaluated with the same Next.js semantics as the app's own matcher:
// Match when all of them do, NoMatch when one does not, Unknown when one
// could not be evaluated.
func (mw *Middleware) DefaultsRunOn(urlPath string) boundedre.Verdict {
	if mw == nil {
		return boundedre.Unknown
	}
	v := boundedre.Match
	for _, d := range knowledge.DefaultMatchers() {
		pats := make([]*PathPattern, 0, len(d.Patterns))
		for _, s := range d.Patterns {
			pats = append(pats, CompileNextMatcher(mw.patterns, "clerk default matcher", s, 0))
		}
		switch anyMatch(pats, urlPath) {
		case boundedre.NoMatch:
			return boundedre.NoMatch
		case boundedre.Unknown:
			v = boundedre.Unknown
		}
	}
	return v
}
