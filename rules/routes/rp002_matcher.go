package routes

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP002 flags middleware matchers that skip routes which need Clerk,
// non-constant matchers, and file-like URLs that slip past a gate.
var RP002 = &rules.Rule{
	ID:         "CLK-RP-002",
	Name:       "matcher-skips-routes",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Scope:      rules.PerSnapshot,
	Doc: rules.Doc{
		Title: "middleware matcher skips API, tRPC or Clerk routes, or is not constant",
		References: []string{
			"https://clerk.com/docs/reference/nextjs/clerk-middleware",
			"https://nextjs.org/docs/app/api-reference/file-conventions/middleware#matcher",
		},
		Text: "Next.js only runs the middleware (or proxy) on paths its `config.matcher` matches. A route that calls " +
			"`auth()`, `currentUser()` or `getAuth()` on a path the matcher skips makes Clerk throw, and any " +
			"protection the middleware gives (`auth.protect()` for matched routes) never applies there. The Next.js " +
			"docs' example matcher `'/((?!api|_next/static|_next/image|favicon.ico).*)'` skips every `/api` route; " +
			"Clerk's recommended matcher also skips file-like URLs (`/reports/q3.csv`), so a dynamic route that " +
			"relies on middleware gating is open for those. A matcher that skips paths of the app's own pages and route " +
			"handlers which Clerk's documented matcher of every era runs on, while still running below them (the " +
			"static-file exclusion `'.+\\.[\\w]+$'` copied without its backslashes skips every path ending in `w`), is " +
			"reported with the entries it skips; excluding a whole prefix (`(?!api/public)`) is not. " +
			"Next.js ignores a matcher built from variables or calls. " +
			"The matcher is evaluated with Next.js's path-to-regexp semantics, look-ahead included.",
		Bad: "export const config = { matcher: ['/((?!api|_next/static|_next/image|favicon.ico).*)'] }",
		Good: "export const config = {\n  matcher: [\n    '/((?!_next|[^?]*\\\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',\n" +
			"    '/(api|trpc)(.*)',\n    '/__clerk/(.*)',\n  ],\n}",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		return "Routes that call `auth()`/`getAuth()` must be matched by `" + nextMiddleware(p, file) + "`. Use Clerk's recommended matcher, which always runs for `/(api|trpc)(.*)` and `/__clerk/(.*)`; write the matcher as constant strings, since Next.js ignores non-constant matchers; and check auth inside routes that serve file-like URLs."
	},
	Run: runRP002,
}

var fileLikeExts = []string{".csv", ".zip", ".pdf", ".png", ".txt", ".xlsx"}

func runRP002(pass *rules.Pass) error {
	for _, a := range pass.Project.Next {
		mw := a.Middleware
		if !a.Clerk || mw == nil || !mw.Clerk {
			continue
		}
		if mw.MatcherNonConst {
			pass.Report(rules.Diagnostic{Path: mw.File, Line: mw.MatcherLine, Severity: rules.Medium,
				Message: "config.matcher is not a constant: Next.js ignores it and runs the middleware on every path, not the ones this code lists"})
			continue
		}
		if mw.Matchers == nil {
			continue
		}
		for _, m := range mw.Matchers {
			if m.Pattern.Err != nil {
				pass.Report(rules.Diagnostic{Path: mw.File, Line: m.Line, Severity: rules.Medium,
					Message: fmt.Sprintf("matcher %s is not a valid path-to-regexp pattern: Next.js rejects it", rules.Code("'"+m.Source+"'"))})
			}
		}
		routes := append([]*project.Route(nil), a.Routes...)
		sort.Slice(routes, func(i, j int) bool { return routes[i].File < routes[j].File })
		apiRoutes, apiClerk := 0, 0
		reported := map[string]bool{}
		for _, r := range routes {
			probe := r.Probe()
			if strings.HasPrefix(probe+"/", "/api/") {
				apiRoutes++
			}
			switch mw.RunsOn(probe) {
			case boundedre.Match:
				checkFileLike(pass, a, r)
				continue
			case boundedre.Unknown:
				continue // a matcher entry could not be evaluated: no claim
			}
			call, helper := clerkHelperCall(pass, r.File)
			if call == nil {
				continue
			}
			if strings.HasPrefix(probe+"/", "/api/") {
				apiClerk++
			}
			reported[r.File] = true
			d := rules.Diagnostic{Path: mw.File, Line: mw.MatcherLine,
				Message: fmt.Sprintf("config.matcher does not run on %s, but %s calls %s there: without %s it throws, and no middleware protection applies",
					rules.Code(probe), rules.Code(r.File), rules.Code(helper), nextMiddleware(pass.Project, mw.File)),
				Match:   "matcher skips " + r.Path,
				Related: []rules.Location{{Path: r.File, Line: call.Line}},
			}
			if strings.HasPrefix(probe+"/", "/api/") || strings.HasPrefix(probe+"/", "/trpc/") {
				d.Suggestion = apiMatcherSuggestion(pass.Get(mw.File), mw.MatcherLine)
			}
			pass.Report(d)
		}
		checkDefaultGaps(pass, a, reported)
		if apiRoutes > 0 && apiClerk == 0 && mw.RunsOn("/api/x") == boundedre.NoMatch {
			pass.Report(rules.Diagnostic{Path: mw.File, Line: mw.MatcherLine, Severity: rules.Info, Confidence: rules.MediumConfidence,
				Message: fmt.Sprintf("config.matcher skips /api: none of the app's %d API routes calls Clerk today, but one that does will throw", apiRoutes),
				Match:   "matcher skips /api"})
		}
		if src := pass.Get(mw.File); src != nil && strings.Contains(string(src.Content), "frontendApiProxy") && mw.RunsOn("/__clerk/x") == boundedre.NoMatch {
			pass.Report(rules.Diagnostic{Path: mw.File, Line: mw.MatcherLine,
				Message: "the middleware proxies Clerk's Frontend API, but config.matcher does not run on /__clerk/: add '/__clerk/(.*)'",
				Match:   "matcher skips /__clerk"})
		}
	}
	return nil
}

// checkFileLike reports a dynamic route that the middleware gates, but
// whose file-like URLs (/reports/x.csv) the matcher skips, when the route
// has no check of its own.
func checkFileLike(pass *rules.Pass, a *project.NextApp, r *project.Route) {
	if (r.Kind != project.RouteHandler && r.Kind != project.PagesAPI) || !r.Dynamic() {
		return
	}
	if a.Protection(r.Probe()) != project.Protected {
		return
	}
	for _, ext := range fileLikeExts {
		q := project.ProbePath(r.Path, "x"+ext)
		if a.MiddlewareRunsOn(q) != boundedre.NoMatch || !a.GateProtects(q) {
			continue
		}
		if routeGuarded(pass, r) {
			return
		}
		mw := a.Middleware
		pass.Report(rules.Diagnostic{Path: mw.File, Line: mw.MatcherLine,
			Message: fmt.Sprintf("config.matcher skips file-like URLs such as %s, so the middleware's protection of %s never runs for them, and %s has no auth check of its own",
				rules.Code(q), rules.Code(r.Path), rules.Code(path.Base(path.Dir(r.File))+"/"+path.Base(r.File))),
			Match:   "file-like " + r.Path,
			Related: []rules.Location{{Path: r.File, Line: 1}},
		})
		return
	}
}

// routeGuarded reports whether every exported handler of a route file
// checks auth itself.
func routeGuarded(pass *rules.Pass, r *project.Route) bool {
	f := pass.AST(pass.Get(r.File))
	if f == nil {
		return true
	}
	for _, ex := range f.Exports() {
		if !isHTTPExport(ex.Name) && !(r.Kind == project.PagesAPI && ex.Name == "default") {
			continue
		}
		if e := entryIn(pass, r.File, "", ex.Name); e != nil && !ownChecked(pass, e) {
			return false
		}
	}
	return true
}

// apiMatcherSuggestion adds Clerk's '/(api|trpc)(.*)' entry to a matcher
// array written on one line (`matcher: ['/((?!_next|...).*)'],`). Other
// layouts get no mechanical fix.
func apiMatcherSuggestion(f *source.File, line int) *rules.Suggestion {
	if f == nil {
		return nil
	}
	text := f.Line(line)
	open, close := strings.Index(text, "["), strings.LastIndex(text, "]")
	if !strings.Contains(text, "matcher") || open < 0 || close < open || strings.Count(text, "[") != strings.Count(text, "]") {
		return nil
	}
	inner := strings.TrimSpace(text[open+1 : close])
	if inner == "" || strings.Contains(inner, "/(api|trpc)") {
		return nil
	}
	q := "'"
	if strings.HasPrefix(inner, `"`) {
		q = `"`
	}
	sep := ", "
	if strings.HasSuffix(inner, ",") {
		sep = " "
	}
	return &rules.Suggestion{StartLine: line, EndLine: line,
		Text: text[:close] + strings.TrimRight(sep, "") + q + "/(api|trpc)(.*)" + q + text[close:]}
}
