package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP014 flags Nuxt server routes (the model's server-route entries) that
// a signed-out caller reaches with an effect that matters (model.Exposed)
// because nothing checks the caller, or because the only check is a
// server middleware path test that a percent-encoded path passes; and
// getAuth(event), which @clerk/nuxt removed.
var RP014 = &rules.Rule{
	ID:         "CLK-RP-014",
	Name:       "nuxt-server-route-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return f.IsJS() && (strings.Contains("/"+f.Path, "/server/") || strings.Contains("/"+f.Path, "/middleware/"))
	},
	Keywords: []string{"ventHandler", "getAuth", "defineNuxtRouteMiddleware"},
	Doc: rules.Doc{
		Title: "Nuxt server route touches data without an event.context.auth() check",
		References: []string{
			"https://clerk.com/docs/reference/nuxt/clerk-middleware",
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3",
		},
		Text: "With `@clerk/nuxt`, every `server/api/**` and `server/routes/**` handler that reads or writes data must " +
			"check `event.context.auth()` itself and throw `createError({ statusCode: 401 })` when the caller is signed out. " +
			"A path check in server middleware (`event.path.startsWith('/api/admin')`, `createRouteMatcher`) runs before " +
			"routing and can be bypassed with URL-encoding tricks, which is why `@clerk/nuxt` 3 removed `createRouteMatcher`; " +
			"route middleware (`middleware/auth.global.ts`) only guards page navigation and never runs for server routes.\n\n" +
			"Also reported: `getAuth(event)`, removed from `@clerk/nuxt` in the Core 3 major (2.0). Not reported: handlers " +
			"that touch no data, reads that return the same rows to every caller outside private areas, public paths " +
			"(health checks, sign-in, webhooks, which the WH rules cover), and apps whose server middleware rejects " +
			"signed-out requests for every path.",
		Bad: "// server/api/admin/users.get.ts\nexport default defineEventHandler(() => db.user.findMany())",
		Good: "// server/api/admin/users.get.ts\nexport default defineEventHandler((event) => {\n" +
			"  const { isAuthenticated } = event.context.auth()\n" +
			"  if (!isAuthenticated) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })\n" +
			"  return db.user.findMany()\n})",
	},
	Fix: func(p *project.Model, file string) string {
		return "Check the caller in the handler: " + nuxtGuardSnippet(p, file) +
			". Nuxt server middleware checks run before routing and can be bypassed with URL-encoding tricks: treat them as " +
			"early rejection only. Page route middleware is UX: client navigations don't reach the server, and it never runs for `server/` routes."
	},
	Run: runRP014,
}

func nuxtGuardSnippet(p *project.Model, file string) string {
	v, ok := p.Version(file, "@clerk/nuxt")
	switch {
	case ok && v != nil && v.Major() >= 2:
		return "`const { isAuthenticated } = event.context.auth(); if (!isAuthenticated) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })`"
	case ok && v != nil && v.Major() == 1 && v.Minor() < 5:
		return "`const { userId } = event.context.auth; if (!userId) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })` (`@clerk/nuxt` before 1.5: `event.context.auth` is an object)"
	}
	return "`const { userId } = event.context.auth(); if (!userId) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })`"
}

func runRP014(pass *rules.Pass) error {
	p := pass.File.Path
	if !pass.Project.DependsOn(p, "@clerk/nuxt") || jsast.IsNonRequestPath(p) {
		return nil
	}
	// getAuth(event), removed in the Core 3 major.
	if v, ok := pass.Project.Version(p, "@clerk/nuxt"); ok && v != nil && v.Major() >= 2 {
		if f := pass.AST(pass.File); f != nil {
			for _, im := range f.Imports() {
				if im.Imported == "getAuth" && strings.HasPrefix(im.Source, "@clerk/nuxt") {
					pass.Report(rules.Diagnostic{Line: im.Node.Line, Column: im.Node.Col,
						Message: fmt.Sprintf("`getAuth()` was removed from `@clerk/nuxt` 2 (you have %s): this import fails; read the Auth object with `event.context.auth()`", v),
						Fix:     "Replace `getAuth(event)` with `event.context.auth()`: " + nuxtGuardSnippet(pass.Project, p) + "."})
				}
			}
		}
	}
	if pass.Model == nil {
		return nil
	}
	if !strings.Contains("/"+p, "/server/") {
		return routeMiddlewareOnly(pass)
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, p)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if e.Framework != knowledge.Nuxt || e.Kind != model.ServerRoute || e.File != p || e.DeclaredPublic() {
			continue
		}
		own, ownFx := pass.Model.OwnGuard(pass.Ctx, e)
		if _, decoded := tokenSelected(ownFx); decoded {
			continue // CLK-RP-017 reports the identity taken from an unverified token
		}
		x := model.Exposed(e, own, ownFx)
		if x.Level == model.ExposeNone {
			continue
		}
		msg := fmt.Sprintf("%s calls %s without checking `event.context.auth()`", rules.Code(entryLabel(e)), rules.Code(x.Effect.Call))
		var related []rules.Location
		if model.Exposed(e, pass.Model.Guard(pass.Ctx, e), pass.Model.Effects(pass.Ctx, e)).Level == model.ExposeNone {
			l, ok := bypassLayer(e)
			if !ok {
				continue // a server middleware stops signed-out requests to it
			}
			msg += fmt.Sprintf("; the path check in %s is its only gate, and server middleware path checks can be bypassed with URL-encoding tricks (%s passes it)",
				rules.Code(l.File), rules.Code(l.Bypass))
			related = append(related, rules.Location{Path: l.File, Line: l.Line})
		} else if rm, ok := routeMiddlewareLayer(e); ok {
			msg += fmt.Sprintf("; the route middleware %s only guards page navigation and never runs for server routes", rules.Code(rm.File))
			related = append(related, rules.Location{Path: rm.File, Line: rm.Line})
		} else {
			msg += ", and no server middleware rejects signed-out requests for it"
		}
		line := e.Line
		if e.Fn != nil && e.FnFile != nil && e.FnFile.Path == p {
			line = e.Fn.Line
		}
		pass.Report(rules.Diagnostic{Line: line, Severity: severityOf(x), Message: msg, Related: related})
	}
	return nil
}

// routeMiddlewareLayer returns the Nuxt route middleware layer of a
// server route's chain: it guards page navigation only.
func routeMiddlewareLayer(e *model.Entry) (model.Layer, bool) {
	for _, l := range e.Chain {
		if l.Gate == model.GateNone && l.Via == model.ViaMiddleware && strings.Contains(l.Why, "route middleware") {
			return l, true
		}
	}
	return model.Layer{}, false
}

// routeMiddlewareOnly reports a route middleware file that is the only
// auth check in front of server routes a signed-out caller reaches: it
// gates page navigation, and the APIs behind the pages stay open.
func routeMiddlewareOnly(pass *rules.Pass) error {
	p := pass.File.Path
	es, err := pass.Model.EntriesFor(pass.Ctx, knowledge.Nuxt)
	if err != nil {
		return nil
	}
	var open []string
	line := 0
	var related []rules.Location
	for _, e := range es {
		if e.Framework != knowledge.Nuxt || e.Kind != model.ServerRoute || e.DeclaredPublic() {
			continue
		}
		l, ok := routeMiddlewareLayer(e)
		if !ok || l.File != p {
			continue
		}
		if _, exposed := exposure(pass, e); !exposed {
			continue
		}
		line = l.Line
		if len(open) < 3 {
			open = append(open, rules.Code(entryLabel(e)))
			related = append(related, rules.Location{Path: e.File, Line: e.Line})
		}
	}
	if line == 0 {
		return nil
	}
	pass.Report(rules.Diagnostic{Line: line, Related: related,
		Message: fmt.Sprintf("this route middleware is the only auth check in front of %s, but it only runs on page navigation: "+
			"the server routes stay open to signed-out callers", strings.Join(open, ", "))})
	return nil
}
