package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// joinedPatterns reports, in every path middleware the model knows (a
// Next.js middleware/proxy file, an Astro clerkMiddleware() handler), a
// pattern of a protect list written as one string holding several
// comma-joined paths ('/perfil, /api(.*)', project.PathPattern.JoinedPaths):
// it matches none of the paths it names, so every one of them is left
// public. A public list with such a pattern fails closed and is not
// reported.
func joinedPatterns(pass *rules.Pass) {
	var mws []*project.Middleware
	seen := map[*project.Middleware]bool{}
	add := func(mw *project.Middleware) {
		if mw != nil && !seen[mw] {
			seen[mw] = true
			mws = append(mws, mw)
		}
	}
	for _, a := range pass.Project.Next {
		add(a.Middleware)
	}
	if pass.Model != nil {
		if es, err := pass.Model.Entries(pass.Ctx); err == nil {
			for _, e := range es {
				for _, l := range e.Chain {
					add(l.PathMiddleware())
				}
			}
		}
	}
	for _, mw := range mws {
		for _, rm := range mw.RouteMatchers {
			if mw.ListOf(rm) != project.ProtectList {
				continue
			}
			for _, p := range rm.Patterns {
				parts := p.JoinedPaths()
				if parts == nil {
					continue
				}
				quoted := make([]string, len(parts))
				for i, s := range parts {
					quoted[i] = "'" + s + "'"
				}
				pass.Report(rules.Diagnostic{Path: mw.File, Line: p.Line,
					Message: fmt.Sprintf("route matcher %s lists %s, one string holding %d paths joined by a comma: the pattern matches only a URL containing the comma, so none of %s is protected by the middleware",
						rules.Code(rm.Name), rules.Code("'"+p.Source+"'"), len(parts), cappedPaths(parts)),
					Fix: fmt.Sprintf("Write each path as its own array element (%s), and check the caller in each route that reads data. ",
						rules.Code("["+strings.Join(quoted, ", ")+"]")) + pass.Fix(mw.File)})
			}
		}
	}
}
