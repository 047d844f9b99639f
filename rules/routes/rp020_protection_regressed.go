package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/verdictdiff"
)

// maxListed bounds the entries one RP-020 message names.
const maxListed = 5

// RP020 reports, in review mode, the entry points whose protection the
// change made worse, at the changed line that caused it.
var RP020 = &rules.Rule{
	ID:         "CLK-RP-020",
	Name:       "protection-regressed",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Scope:      rules.PerSnapshot,
	Doc: rules.Doc{
		Title: "change removes the protection of an entry point",
		References: []string{
			"https://clerk.com/docs/guides/secure/protect-content",
			"docs/architecture.md (review mode: comparing base and head)",
		},
		Text: "Only in review mode (`clerkguard review`, the App): the semantic model of the base and of the head " +
			"are compared, and an entry point that touches data and was protected on the base is less protected on " +
			"the head: a signed-out caller now reaches it (authentication yes → partial or no), or a role or " +
			"organization check is gone. The finding is shown at the changed line that caused it, which is often " +
			"in another file than the entry: a deleted or moved middleware/proxy file (at the deletion, with the " +
			"entries it guarded), a matcher edit, a helper that no longer rejects, a removed `app.use(requireAuth())`. " +
			"Entries public by declaration or convention on both sides are left out, and an unknown verdict is " +
			"never a regression.",
		Bad:  "// middleware.ts, before\nexport const config = { matcher: ['/((?!_next).*)', '/(api|trpc)(.*)'] }\n// after: /api is no longer covered\nexport const config = { matcher: ['/((?!api|_next).*)'] }",
		Good: "// keep the matcher covering /api, or protect each handler itself\nexport async function GET() {\n  const { userId } = await auth()\n  if (!userId) return new Response('Unauthorized', { status: 401 })\n  return Response.json(await db.report.findMany())\n}",
	},
	Fix: fixRP020,
	Run: runRP020,
}

func runRP020(pass *rules.Pass) error {
	changes, err := pass.ProtectionChanges()
	if err != nil {
		return err
	}
	// One finding per causing line, naming every entry it affects.
	var order []model.Location
	groups := map[model.Location][]verdictdiff.Change{}
	for _, c := range changes {
		if c.Kind != verdictdiff.Regressed {
			continue
		}
		if _, ok := groups[c.At]; !ok {
			order = append(order, c.At)
		}
		groups[c.At] = append(groups[c.At], c)
	}
	for _, at := range order {
		g := groups[at]
		var pcs []rules.ProtectionChange
		for _, c := range g {
			pcs = append(pcs, rules.ProtectionChange{Entry: c.Entry.Label(), Path: c.Entry.File, Line: c.Entry.Line,
				Was: verdictText(c.Base), Now: verdictText(c.Head), Why: c.Head.Why})
		}
		pass.Report(rules.Diagnostic{Path: at.File, Line: at.Line, Message: regressionMessage(g),
			Match: "protection regressed: " + entryNames(g), ChangedHere: g[0].Deleted || g[0].Cause != "", Protection: pcs})
	}
	return nil
}

func verdictText(v model.Verdict) string {
	if v.Authz == model.AuthzNone {
		return string(v.Authn)
	}
	return fmt.Sprintf("%s (%s)", v.Authn, v.Authz)
}

func entryNames(g []verdictdiff.Change) string {
	var names []string
	for _, c := range g {
		names = append(names, c.Entry.Label())
	}
	return strings.Join(names, ", ")
}

// regressionMessage names the entries (at most maxListed), what got worse
// and why, and what changed here.
func regressionMessage(g []verdictdiff.Change) string {
	var b strings.Builder
	first := g[0]
	if len(g) == 1 {
		fmt.Fprintf(&b, "this change removes the protection of %s (%s): %s",
			rules.Code(first.Entry.Label()), rules.Code(first.Entry.Where()), first.Worse())
	} else {
		fmt.Fprintf(&b, "this change removes the protection of %d entry points: ", len(g))
		for i, c := range g {
			if i == maxListed {
				fmt.Fprintf(&b, ", and %d more", len(g)-maxListed)
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%s, %s)", rules.Code(c.Entry.Label()), rules.Code(c.Entry.Where()), c.Worse())
		}
	}
	if first.Cause != "" {
		fmt.Fprintf(&b, "; %s", first.Cause)
	}
	if first.Head.Why != "" {
		fmt.Fprintf(&b, "; now %s", first.Head.Why)
	}
	return b.String()
}

// fixRP020 names the checks of the project's framework and SDK version:
// the Express guard for an Express app, the @clerk/nextjs sign-in check
// the declared version has (knowledge.NextProtectCall), else both kinds.
func fixRP020(p *project.Model, file string) string {
	const public = " If an entry is meant to be public now, declare it public and say so with `clerkguard:ignore CLK-RP-020 -- reason` on this line."
	switch {
	case p.DependsOn(file, "@clerk/express"):
		return "Restore the check that protected these entry points: keep `app.use(requireAuth())` (or the guard middleware) before " +
			"the routes, keep the helper rejecting signed-out callers, or check the caller in each handler " +
			"(`const { userId } = getAuth(req); if (!userId) return res.status(401).end()`)." + public
	case p.DependsOn(file, "@clerk/nextjs"):
		ver := ""
		if v, ok := p.Version(file, "@clerk/nextjs"); ok && v != nil {
			ver = v.Original()
		}
		check := "`if (!userId) return 401`"
		if call := knowledge.NextProtectCall(ver); call != "" {
			check = rules.Code(call) + ", " + check
		}
		return "Restore the check that protected these entry points: keep the middleware/proxy file where Next.js " +
			"loads it and its matcher covering their paths, keep the helper rejecting signed-out callers, or check the " +
			"caller in each handler (" + check + ")." + public
	}
	return "Restore the check that protected these entry points: keep the middleware file where the framework " +
		"loads it and its matcher covering their paths, keep the guard middleware (`app.use(requireAuth())` in Express) before " +
		"the routes, keep the helper rejecting signed-out callers, or check the caller in each handler " +
		"(`if (!userId)` answer 401)." + public
}
