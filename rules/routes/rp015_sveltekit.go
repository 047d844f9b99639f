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

// RP015 flags SvelteKit server entries (the model's +server endpoints,
// +page.server loads and form actions, +layout.server loads) that a
// signed-out caller reaches with an effect that matters (model.Exposed):
// nothing checks the caller, or only a layout load does, which guards
// neither form actions nor endpoints, nor a page load that does not await
// parent(). A handle hook that rejects signed-out requests for the entry's
// path guards it.
var RP015 = &rules.Rule{
	ID:         "CLK-RP-015",
	Name:       "sveltekit-entry-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		if !f.IsJS() || !strings.Contains(f.Path, "src/routes/") {
			return false
		}
		b := f.Path[strings.LastIndexByte(f.Path, '/')+1:]
		return strings.HasPrefix(b, "+server.") || strings.HasPrefix(b, "+page.server.") || strings.HasPrefix(b, "+layout.server.")
	},
	Keywords: []string{"export"},
	Doc: rules.Doc{
		Title: "SvelteKit load, form action or endpoint reachable without a locals.auth() check",
		References: []string{
			"https://clerk.com/docs/guides/secure/protect-content",
			"https://github.com/wobsoriano/svelte-clerk (README.md: withClerkHandler, locals.auth)",
		},
		Text: "Every SvelteKit server entry that reads private data, writes, sends mail or calls the Clerk Backend API must " +
			"check the caller itself (`locals.auth()` with `svelte-clerk`), unless a `handle` hook in `hooks.server.ts` rejects " +
			"signed-out requests for its path. A check in `+layout.server.ts` is not enough: form actions and `+server` " +
			"endpoints never run layout loads, and a page's load runs in parallel with its layout's unless it awaits `parent()`, " +
			"so its data can be requested on its own. `withClerkHandler()` only attaches the identity.\n\n" +
			"Not reported: reads that return the same rows to every caller outside private areas (a blog's posts), " +
			"unless they list every row of a table whose schema keeps new rows unpublished (`published` false by default), " +
			"public paths (sign-in, webhooks), and entries whose verdict the model cannot decide.",
		Bad: "// src/routes/admin/+layout.server.ts checks locals.auth().userId\n// src/routes/admin/+page.server.ts\n" +
			"export const actions = { remove: async ({ request }) => db.delete(posts).where(eq(posts.id, (await request.formData()).get('id'))) }",
		Good: "export const actions = {\n  remove: async ({ request, locals }) => {\n    const { userId } = locals.auth()\n" +
			"    if (!userId) error(401, 'Unauthorized')\n    // ...\n  },\n}",
	},
	Fix: func(p *project.Model, file string) string {
		return "Check the caller in the entry itself: `const { userId } = locals.auth(); if (!userId) error(401, 'Unauthorized')` " +
			"(`locals.auth` is an object in older `svelte-clerk` and `clerk-sveltekit` versions), or reject signed-out requests for " +
			"the path in a `handle` hook after `withClerkHandler()`. In a page load that relies on its layout, `await parent()` first."
	},
	Run: runRP015,
}

func runRP015(pass *rules.Pass) error {
	p := pass.File.Path
	if pass.Model == nil || jsast.IsNonRequestPath(p) {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, p)
	if err != nil {
		return nil
	}
	seen := map[model.Location]bool{} // export { handlers as GET, handlers as POST }: one file route, one finding
	for _, e := range es {
		if e.Framework != knowledge.SvelteKit || e.File != p || e.DeclaredPublic() {
			continue
		}
		v, fx := pass.Model.Guard(pass.Ctx, e), pass.Model.Effects(pass.Ctx, e)
		if _, decoded := tokenSelected(fx); decoded {
			continue // CLK-RP-017 reports the identity taken from an unverified token
		}
		x := model.Exposed(e, v, fx)
		if x.Level == model.ExposeNone {
			continue
		}
		if e.Library != nil {
			// A library's handler: the fix is the file route's check,
			// wherever the router is defined.
			if g, r := e.Library.RouteGate(); g == model.GateNone {
				if !seen[r.Location] {
					seen[r.Location] = true
					pass.Report(rules.Diagnostic{Path: r.File, Line: r.Line, Severity: severityOf(x),
						Related: []rules.Location{{Path: e.File, Line: e.Line}},
						Message: fmt.Sprintf("%s reaches a library's handler for a signed-out caller: %s", rules.Code(e.Path), v.Why),
						Fix: "Identify the caller in the file route's `.middleware()` from a verified source and throw " +
							"`new UploadThingError('Unauthorized')` when it has no userId; a placeholder that returns a constant user lets anyone upload."})
				}
				continue
			}
		}
		var what string
		switch e.Kind {
		case model.FormAction:
			what = fmt.Sprintf("form action %s (%s)", rules.Code(strings.TrimPrefix(e.Name, "actions.")), e.Path)
		case model.Load:
			what = "the load of " + rules.Code(e.Path)
		case model.LayoutLoad:
			what = "the layout load of " + rules.Code(e.Path)
		default:
			what = rules.Code(entryLabel(e))
		}
		msg := fmt.Sprintf("%s reaches %s for a signed-out caller: %s", what, rules.Code(x.Effect.Call), v.Why)
		var related []rules.Location
		for _, l := range e.Chain {
			if l.Via == model.ViaLayout {
				if !strings.Contains(msg, l.Why) {
					msg += "; " + l.Why
				}
				related = append(related, rules.Location{Path: l.File, Line: l.Line})
				break
			}
		}
		if x.Why != "" {
			msg += "; it " + x.Why
		}
		pass.Report(rules.Diagnostic{Line: e.Line, Severity: severityOf(x), Message: msg, Related: related})
	}
	return nil
}
