package routes

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP004 flags Server Actions that touch data without an auth check.
var RP004 = &rules.Rule{
	ID:         "CLK-RP-004",
	Name:       "server-action-without-auth",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Keywords:   []string{"use server"},
	Doc: rules.Doc{
		Title: "server action touches data without an authentication check",
		References: []string{
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/migrate-from-create-route-matcher",
			"https://clerk.com/docs/guides/secure/protect-content",
		},
		Text: "Server Actions (exports of a `'use server'` module, and functions whose body starts with `'use server'`) " +
			"are public HTTP endpoints invoked by an action ID, not by the page's path: the POST can be sent to any page, " +
			"so middleware route matching protects them only when it stops signed-out requests on every path. Each " +
			"action must verify the user itself. This rule reports actions that read or write data without such a " +
			"check, unless the middleware protects every path. A guard in a helper (`await requireUser()`) is " +
			"followed one call level.",
		Bad:  "'use server'\n\nexport async function deletePost(id: string) {\n  await db.post.delete({ where: { id } })\n}",
		Good: "'use server'\nimport { auth } from '@clerk/nextjs/server'\n\nexport async function deletePost(id: string) {\n  const { userId } = await auth.protect()\n  await db.post.delete({ where: { id, authorId: userId } })\n}",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		return "Verify the user inside the action: " + actionGuardSnippet(p, file) +
			". Server Actions are invoked by ID, not by path, so middleware route matching cannot protect them."
	},
	Run: runRP004,
}

func runRP004(pass *rules.Pass) error {
	if !pass.Project.UsesClerk() {
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, a := range project.ServerActions(f) {
		name := a.Name
		if name == "" {
			name = "(anonymous)"
		}
		e := modelEntry(pass, model.ServerAction, name)
		if e == nil {
			continue
		}
		x, open := exposure(pass, e)
		if !open {
			continue
		}
		kind := "Server Action"
		if a.Inline {
			kind = "inline Server Action"
		}
		pass.Report(rules.Diagnostic{Line: a.Fn.Line, Column: a.Fn.Col, Severity: severityOf(x),
			Message: fmt.Sprintf("%s %s touches data without checking the user; it can be called directly by its action ID, whatever the middleware protects; it %s (%s)", kind, rules.Code(name), x.Why, rules.Code(x.Effect.Call))})
	}
	return nil
}
