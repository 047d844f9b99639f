package routes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// maxListedGaps caps the URL paths a protect-list finding names in its
// message (every one is a related location).
const maxListedGaps = 4

// listGap is one middleware whose protect list leaves out entries that
// reach data or a privileged effect with no check of their own, while
// the entries it lists rely on it.
type listGap struct {
	mw      *project.Middleware
	list    *project.RouteMatcher
	entries []*model.Entry
	// relied is an entry the list protects that reaches data with no
	// check of its own: the application uses the list as its gate.
	relied *model.Entry
}

// protectListGaps reports, once per middleware, a createRouteMatcher()
// list the handler uses as the routes to protect (deny by exception:
// model facts, project.Middleware.ListOf) when the application relies on
// it (an entry it lists reaches data with no check of its own) and it
// leaves out entries that are open to signed-out callers and reach user
// data or a privileged effect with no check of their own: the list is the
// root cause those entries share, so it is reported at the list with them
// as related locations. The entries stay reported by their own rules
// (CLK-RP-003, CLK-RP-013, ...), whose fix is per resource. Where no
// listed entry relies on the list (every one checks itself, or reads
// nothing), the application checks per resource and a left-out entry
// without a check is that entry's own omission, not the list's.
func protectListGaps(pass *rules.Pass) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return // ctx ended or the model failed: no claim from a partial list
	}
	gaps := map[*project.Middleware]*listGap{}
	var order []*listGap
	gapOf := func(mw *project.Middleware, list *project.RouteMatcher) *listGap {
		g := gaps[mw]
		if g == nil {
			g = &listGap{mw: mw, list: list}
			gaps[mw] = g
			order = append(order, g)
		}
		return g
	}
	for _, e := range es {
		if !e.PathKnown || e.Path == "" || e.Kind == model.ServerAction || e.Kind == model.Layout || e.DeclaredPublic() {
			continue
		}
		mw, list, listed := protectListOf(e)
		if mw == nil {
			continue
		}
		v, fx := pass.Model.OwnGuard(pass.Ctx, e)
		if v.Authn != model.AuthnNo {
			continue
		}
		if listed {
			// Judged as if no list named it: whether it relies on the list.
			undeclared := *e
			undeclared.Public = ""
			if g := gapOf(mw, list); g.relied == nil && model.Exposed(&undeclared, v, fx).Level != model.ExposeNone {
				g.relied = e
			}
			continue
		}
		if model.Exposed(e, v, fx).Level == model.ExposeNone {
			continue
		}
		g := gapOf(mw, list)
		g.entries = append(g.entries, e)
	}
	for _, g := range order {
		if g.relied != nil && len(g.entries) > 0 {
			reportListGap(pass, g)
		}
	}
}

// protectListOf returns the middleware that runs before request entry e
// and decides by a protect list of its handler (deny by exception), that
// list, and whether the list names e's path (listed: the middleware
// stops signed-out callers) or leaves it out (nothing in the chain stops
// them). nil when no such list decides, when nothing certain can be said
// (a list or pattern that could not be evaluated, a layer of unknown
// effect), or when the handler also uses a public list (allow by
// exception).
func protectListOf(e *model.Entry) (*project.Middleware, *project.RouteMatcher, bool) {
	var mw *project.Middleware
	var gate model.Gate
	for _, l := range e.Chain {
		if m := l.PathMiddleware(); m != nil {
			mw, gate = m, l.Gate
		}
	}
	if mw == nil || (gate != model.GateAttaches && gate != model.GateRejects && gate != model.GateRedirects) {
		return nil, nil, false
	}
	if gate == model.GateAttaches {
		for _, l := range e.Chain {
			if l.Gate != model.GateAttaches && l.Gate != model.GateNone {
				return nil, nil, false // something else stops (or may stop) the caller
			}
		}
	}
	probe := project.ProbePath(e.Path, "x")
	var list *project.RouteMatcher
	listed := false
	for _, rm := range mw.RouteMatchers {
		switch mw.ListOf(rm) {
		case project.PublicList:
			return nil, nil, false
		case project.ProtectList:
			if rm.NonConst {
				return nil, nil, false
			}
			switch rm.Eval(probe) {
			case boundedre.Match:
				listed = true
			case boundedre.Unknown:
				return nil, nil, false
			}
			if list == nil {
				list = rm
			}
		}
	}
	if list == nil || listed != (gate != model.GateAttaches) {
		return nil, nil, false
	}
	return mw, list, listed
}

// cappedPaths names the first maxListedGaps URL paths in code spans and
// counts the rest: "`/a`, `/b` and 3 more".
func cappedPaths(paths []string) string {
	named := make([]string, 0, maxListedGaps)
	for i, p := range paths {
		if i == maxListedGaps {
			break
		}
		named = append(named, rules.Code(p))
	}
	out := strings.Join(named, ", ")
	if n := len(paths) - len(named); n > 0 {
		out += fmt.Sprintf(" and %d more", n)
	}
	return out
}

func reportListGap(pass *rules.Pass, g *listGap) {
	var paths []string
	seen := map[string]bool{}
	var related []rules.Location
	for _, e := range g.entries {
		if !seen[e.Path] {
			seen[e.Path] = true
			paths = append(paths, e.Path)
		}
		related = append(related, rules.Location{Path: e.File, Line: e.Line})
	}
	sort.Strings(paths)
	noun, verb := "route", "reaches"
	if len(paths) > 1 {
		noun, verb = "routes", "reach"
	}
	pass.Report(rules.Diagnostic{Path: g.mw.File, Line: g.list.Line, Related: related,
		Message: fmt.Sprintf("route matcher %s lists the routes to protect, so every route it leaves out is public: the routes it lists rely on it (%s has no check of its own), and it leaves out %d %s that %s data with no check of their own (%s)",
			rules.Code(g.list.Name), rules.Code(g.relied.Path), len(paths), noun, verb, cappedPaths(paths)),
		Fix: fmt.Sprintf("Invert the list: name the public routes instead (%s) and protect everything else (%s), so a new route is protected unless listed; or check the caller in each route it leaves out.",
			rules.Code("const isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)'])"), rules.Code(protectUnlessPublic(g.entries[0].Framework)))})
}

// protectUnlessPublic is the allow-by-exception handler line in the
// framework's middleware: @clerk/astro's handler receives (auth, context)
// and its auth() is synchronous
// (https://clerk.com/docs/reference/astro/clerk-middleware).
func protectUnlessPublic(fw model.Framework) string {
	if fw == knowledge.Astro {
		return "if (!isPublicRoute(context.request) && !auth().userId) return auth().redirectToSignIn()"
	}
	return "if (!isPublicRoute(req)) await auth.protect()"
}
