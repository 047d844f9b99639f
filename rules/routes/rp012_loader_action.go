package routes

import (
	"fmt"
	"path"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP012 flags React Router v7 / Remix loaders and actions, and TanStack
// Start server functions and server routes, that reach data or a
// privileged effect with nothing stopping a signed-out caller. Which
// functions are entries, what runs before them and what they do come
// from the model (rules/model reactrouter.go and tanstack.go).
var RP012 = &rules.Rule{
	ID:         "CLK-RP-012",
	Name:       "loader-action-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return f.IsJS() && !f.Binary && !srvIsTestPath(f.Path)
	},
	Keywords: []string{"loader", "action", "createServerFn", "FileRoute"},
	Doc: rules.Doc{
		Title: "loader, action or server function without its own auth check",
		References: []string{
			"https://clerk.com/docs/guides/users/reading.react-router",
			"https://clerk.com/docs/guides/users/reading.tanstack-react-start",
		},
		Text: "In React Router v7 and Remix every `loader` and `action` is its own HTTP endpoint (`?_data=` / `.data` " +
			"requests), and loaders of nested routes run in parallel: a parent route's check does not protect its " +
			"children, and `rootAuthLoader` only loads the auth state. TanStack Start server functions are called by ID, " +
			"not by path, so a route's `beforeLoad` check does not protect them. Each one that writes data, reads data, " +
			"or makes a privileged Clerk call needs a check with an early exit: `getAuth(args)` / `auth()` in the " +
			"function, a helper that throws for a signed-out caller, or a middleware that rejects (React Router route " +
			"middleware, TanStack Start function middleware). Routes public by convention (sign-in, webhooks, health) " +
			"are not reported.",
		Bad: "// app/routes/dashboard.invoices.tsx (only dashboard.tsx checks)\n" +
			"export async function loader() {\n  return db.invoice.findMany()\n}",
		Good: "export async function loader(args: Route.LoaderArgs) {\n  const { isAuthenticated, userId } = await getAuth(args)\n" +
			"  if (!isAuthenticated) throw redirect('/sign-in')\n  return db.invoice.findMany({ where: { userId } })\n}",
	},
	Fix: rp012Fix,
	Run: runRP012,
}

func runRP012(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // ctx ended: no findings, not a rule failure
	}
	for _, e := range es {
		if e.File != pass.File.Path || e.DeclaredPublic() {
			continue
		}
		switch e.Kind {
		case model.Loader, model.Action, model.ServerFunction:
		case model.Endpoint:
			if e.Framework != "tanstack-start" {
				continue // Astro endpoints: CLK-RP-013
			}
		default:
			continue
		}
		x, open := reportableEffect(pass, e)
		if !open {
			continue
		}
		call := rules.Code(x.Call)
		var msg string
		var related []rules.Location
		switch e.Kind {
		case model.Loader, model.Action:
			msg = fmt.Sprintf("the %s of route module %s calls %s without checking `getAuth(args)`: each %s is its own endpoint",
				rules.Code(e.Name), rules.Code(path.Base(e.File)), call, e.Name)
			if parent := checkedParent(pass, e); parent != "" {
				msg += fmt.Sprintf(", and the check in the parent route %s does not protect it (loaders run in parallel)", rules.Code(parent))
				related = append(related, rules.Location{Path: parent, Line: 1})
			} else if root := rootAuthLoaderOf(pass, e); root != "" {
				msg += fmt.Sprintf("; `rootAuthLoader` in %s only loads the auth state", rules.Code(root))
			}
		case model.ServerFunction:
			msg = fmt.Sprintf("server function %s calls %s without checking `auth()`: server functions are called by ID, so route guards (`beforeLoad`) do not protect them",
				rules.Code(e.Name), call)
		default:
			msg = fmt.Sprintf("server route %s calls %s without checking `auth()`", rules.Code(e.Label()), call)
		}
		pass.Report(rules.Diagnostic{Line: e.Line, Message: msg, Related: related})
	}
	return nil
}

// reportableEffect returns the effect that decides the entry's exposure
// (model.Exposed: writes, privileged Clerk calls, user data; a read of
// public content is public by design) when nothing stops a signed-out
// caller from reaching it.
func reportableEffect(pass *rules.Pass, e *model.Entry) (model.Effect, bool) {
	v := pass.Model.Guard(pass.Ctx, e)
	if v.Authn == model.AuthnNo && v.Authz != model.AuthzNone {
		// It reads the identity to decide per record (a private video
		// only for its author): open to signed-out callers by design, and
		// whether each record is protected is an authorization question.
		return model.Effect{}, false
	}
	x := model.Exposed(e, v, pass.Model.Effects(pass.Ctx, e))
	return x.Effect, x.Level != model.ExposeNone
}

// checkedParent returns the first parent route module whose own loader
// stops a signed-out caller ("" when none does).
func checkedParent(pass *rules.Pass, e *model.Entry) string {
	for _, p := range e.Parents {
		if pe := entryIn(pass, p, model.Loader, "loader"); pe != nil {
			if v, _ := pass.Model.OwnGuard(pass.Ctx, pe); v.Authn == model.AuthnYes {
				return p
			}
		}
	}
	return ""
}

// rootAuthLoaderOf returns the root route module when its loader only
// loads the auth state (rootAuthLoader).
func rootAuthLoaderOf(pass *rules.Pass, e *model.Entry) string {
	if len(e.Parents) == 0 {
		return ""
	}
	root := entryIn(pass, e.Parents[0], model.Loader, "loader")
	if root == nil {
		return ""
	}
	for _, l := range root.Chain {
		if l.Via == model.ViaWrapper && l.Gate == model.GateAttaches && l.Name == "rootAuthLoader()" {
			return root.File
		}
	}
	return ""
}

// rp012Fix names the helper and the import path the project's SDK
// version exports (knowledge.ServerAuthCall, by the generated table of SDK
// exports): @clerk/react-router has `/server` from 2.1 (`/ssr.server`
// before); @clerk/tanstack-react-start has `auth()` from 0.26
// (`getAuth(getWebRequest())` before).
func rp012Fix(p *project.Model, file string) string {
	a, ok := rules.ServerAuthOf(p, file)
	if !ok {
		a.Package = "@clerk/react-router"
		a.Call, a.From, _ = knowledge.ServerAuthCall(a.Package, "")
	}
	call, from := a.Call, a.From
	switch a.Package {
	case "@clerk/tanstack-react-start", "@clerk/tanstack-start":
		return "Check auth inside each `createServerFn().handler()`: `const { userId } = " + call + "` (from " + rules.Code(from) +
			") and `throw redirect({ to: '/sign-in' })` or a 401 when signed out, " +
			"or add a `.middleware([...])` that throws before `next()`; `beforeLoad` guards run for navigation only."
	case "@clerk/remix":
		return "In each loader and action: `const { userId } = " + call + "; if (!userId) return redirect('/sign-in')` " +
			"(from " + rules.Code(from) + "). A parent loader or `rootAuthLoader` does not protect child routes."
	}
	return "In each loader and action: `const { userId } = " + call + "; if (!userId) throw redirect('/sign-in')` " +
		"(from " + rules.Code(from) + "). Loaders run in parallel: a parent loader or `rootAuthLoader` does not protect child routes."
}
