package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Check is the strongest access check in front of an entry.
type Check int

// Check levels.
const (
	NoCheck    Check = iota
	AuthnCheck       // the caller is signed in
	AuthzCheck       // the caller holds a role or permission (or the model cannot tell)
)

// RBAC002 flags client-side Clerk gates (useAuth().has, <Protect>, <Show>,
// <SignedIn>, membership.role) whose gated action reaches a server endpoint
// or Server Action that does not enforce the same check.
var RBAC002 = &rules.Rule{
	ID:         "CLK-RBAC-002",
	Name:       "client-only-authorization-gate",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{"useAuth", "useOrganization", "useUser", "Protect", "SignedIn", "<Show", "has(", "localStorage", "sessionStorage", "NEXT_PUBLIC_"},
	Doc: rules.Doc{
		Title: "client-only authorization gate in front of an unchecked endpoint",
		References: []string{
			"https://clerk.com/docs/guides/secure/protect-content",
			"https://clerk.com/docs/guides/secure/authorization-checks",
			"https://clerk.com/docs/reference/components/control/show",
			"https://clerk.com/docs/reference/components/control/protect",
		},
		Text: "`<Protect>`, `<Show>`, `<SignedIn>` and client-side `has()` only decide what the browser renders; " +
			"Clerk calls them \"a UX affordance, not a security boundary\". When the button they hide calls a Route " +
			"Handler, API route or Server Action that does not check the same role or permission itself, anyone can " +
			"call that endpoint directly (curl, devtools, the action ID). The rule follows `fetch('/api/…')` URLs to the " +
			"route file and imported Server Actions to their module, and reports only when the target has no check " +
			"(a role/permission check for role gates, a sign-in check for sign-in gates). It also reports server data " +
			"passed as props to a client component that hides it behind a client-side gate: the props are in the page " +
			"payload for every visitor. In Next.js Server Components, `<Protect>` and `<SignedIn>` from `@clerk/nextjs` " +
			"run on the server and are not reported.\n\n" +
			"A sign-in check made in the browser is reported the same way: a component that returns early when Clerk's " +
			"`useAuth()`/`useUser()` says the user is signed out (`if (!isSignedIn) return <SignIn />`), or an application " +
			"wrapper such as `<ProtectedRoute>` that renders its children only when signed in, when what it renders POSTs to " +
			"an endpoint with no server-side check, or loads the user's rows straight from the database in the browser " +
			"without the Clerk token (see CLK-RBAC-007). In front of a guarded endpoint such a gate is UX and is not reported.\n\n" +
			"A role decided in the browser is reported the same way: an application wrapper (`<RoleGuard>`) that renders its " +
			"children only for a role it reads from `user.publicMetadata.role` via `useUser()`, from `localStorage`/`sessionStorage`, " +
			"or by comparing the user's email with a `NEXT_PUBLIC_*` variable (inlined into the bundle), when what it wraps calls " +
			"a Server Action or endpoint that checks no role itself. The finding is at the wrapper's gate.",
		Bad: `'use client'
export default function Admin() {
  const { has } = useAuth()
  if (!has?.({ role: 'org:admin' })) return null
  return <button onClick={() => fetch('/api/admin/wipe', { method: 'POST' })}>Wipe</button>
}
// app/api/admin/wipe/route.ts
export async function POST() { await db.wipe(); return new Response(null, { status: 204 }) }`,
		Good: `// app/api/admin/wipe/route.ts
export async function POST() {
  await auth.protect({ role: 'org:admin' })
  await db.wipe()
  return new Response(null, { status: 204 })
}`,
		Lang: "tsx",
	},
	Fix: func(p *project.Model, file string) string {
		check := "`await auth.protect({ role: 'org:admin' })` (or `const { has } = await auth(); if (!has({ permission: 'org:…' })) return new Response(null, { status: 403 })`)"
		ver := ""
		if v, ok := p.Version(file, "@clerk/nextjs"); ok && v != nil {
			ver = v.Original()
		}
		switch knowledge.NextProtectCall(ver) {
		case "auth().protect()":
			check = "`auth().protect({ role: 'org:admin' })`"
		case "":
			// v4: no protect(); auth() only reads (generated SDK table).
			check = "`const { userId, has } = auth(); if (!userId || !has({ role: 'org:admin' })) return new Response(null, { status: 403 })`"
		}
		if !p.DependsOn(file, "@clerk/nextjs") {
			check = "the framework's server-side `has({ role })` / `has({ permission })` check (for Express, `getAuth(req).has(…)` and a 403)"
		}
		return "`<Show>`/`<Protect>`/`<SignedIn>` only hide content and client `has()` is a UX affordance. Enforce the same " +
			"role or permission in the server endpoint or Server Action: " + check + ". Fetch sensitive data only after that " +
			"check, on the server."
	},
	Run: runRBAC002,
}

// gate is one client-side gate in a component.
type gate struct {
	desc  string // "<Protect role=\"org:admin\">", "has({ role: 'org:admin' })"
	need  Check  // the server check the gated action needs
	scope *jsast.Node
}

// clerkClientModules are packages whose components run in the browser.
func clientClerkModule(src string) bool {
	return jsast.IsClerkModule(src) && !strings.HasSuffix(src, "/server") && !strings.Contains(src, "backend") &&
		!strings.Contains(src, "express") && !strings.Contains(src, "fastify")
}

func runRBAC002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	if pass.Model != nil && f.Directive() != "use server" {
		if _, browser := pass.Model.BrowserModule(pass.Ctx, f.Path); browser || f.Directive() == "use client" {
			checkRoleWrappers(pass, f)
		}
	}
	if !f.ImportsFrom(clientClerkModule) {
		return nil
	}
	client := f.Directive() == "use client" || usesClerkHooks(f) ||
		!f.ImportsFrom(func(s string) bool { return s == "@clerk/nextjs" || s == "next" || strings.HasPrefix(s, "next/") })
	if f.Directive() == "use server" {
		return nil
	}
	if !client {
		return nil // Server Component gates from @clerk/nextjs run on the server
	}
	gates := findGates(f)
	for _, g := range gates {
		checkGated(pass, f, g)
	}
	if len(gates) > 0 && f.Directive() == "use client" {
		checkServerProps(pass, f, gates[0])
	}
	if pass.Model != nil {
		if _, browser := pass.Model.BrowserModule(pass.Ctx, f.Path); browser {
			checkSignInGates(pass, f)
		}
	}
	return nil
}

// usesClerkHooks reports whether the file calls Clerk's React hooks, which
// only run in client components.
func usesClerkHooks(f *jsast.File) bool {
	for _, im := range f.Imports() {
		if jsast.IsClerkModule(im.Source) && strings.HasPrefix(im.Imported, "use") {
			return true
		}
	}
	return false
}

// findGates returns the gates of a client file.
func findGates(f *jsast.File) []gate {
	var out []gate
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "jsx_element":
			open := n.ChildByField("open_tag")
			name := f.Text(open.ChildByField("name"))
			rg, ok := knowledge.RenderGateOf(f.ResolveClerk(name))
			if !ok {
				return true
			}
			need := AuthnCheck
			if rg.SignedOutWhen != "" {
				if w := jsxAttr(f, open, "when"); w != nil {
					v, isStr := f.StringValue(w)
					if isStr && v == rg.SignedOutWhen {
						return true // renders for signed-out visitors: no gate
					}
					if !isStr || v != "signed-in" {
						need = AuthzCheck
					}
				}
			} else {
				for _, a := range jsxAttrs(f, open) {
					if a == "role" || a == "permission" || a == "condition" || a == "plan" || a == "feature" {
						need = AuthzCheck
					}
				}
			}
			out = append(out, gate{desc: "<" + name + ">", need: need, scope: n})
		case "call_expression":
			name := f.CalleeName(n)
			last := jsast.LastSegment(name)
			if (last == "has" || name == "has") && len(jsast.Args(n)) > 0 && hasAuthzKey(f, jsast.Args(n)[0]) {
				if comp := component(n); comp != nil {
					out = append(out, gate{desc: "client-side " + rules.Code(shortText(f, n)), need: AuthzCheck, scope: comp})
				}
			}
		case "binary_expression":
			if !isComparison(f, n) {
				return true
			}
			t := f.Text(n)
			if strings.Contains(t, "membership") && strings.Contains(t, "role") || strings.Contains(t, "publicMetadata") && strings.Contains(t, "role") {
				if comp := component(n); comp != nil {
					out = append(out, gate{desc: "client-side " + rules.Code(shortText(f, n)), need: AuthzCheck, scope: comp})
				}
			}
		}
		return true
	})
	return out
}

// component returns the outermost function holding n (the component).
func component(n *jsast.Node) *jsast.Node {
	fn := jsast.EnclosingFunction(n)
	for fn != nil {
		up := jsast.EnclosingFunction(fn)
		if up == nil {
			return fn
		}
		fn = up
	}
	return nil
}

func jsxAttrs(f *jsast.File, open *jsast.Node) []string {
	var out []string
	for _, c := range open.NamedChildren() {
		if c.Type == "jsx_attribute" && len(c.NamedChildren()) > 0 {
			out = append(out, f.Text(c.NamedChildren()[0]))
		}
	}
	return out
}

func jsxAttr(f *jsast.File, open *jsast.Node, name string) *jsast.Node {
	for _, c := range open.NamedChildren() {
		nc := c.NamedChildren()
		if c.Type == "jsx_attribute" && len(nc) > 0 && f.Text(nc[0]) == name {
			if len(nc) < 2 {
				return nil
			}
			v := nc[1]
			if v.Type == "jsx_expression" && len(v.NamedChildren()) > 0 {
				return v.NamedChildren()[0]
			}
			return v
		}
	}
	return nil
}

// gatedNodes returns the scope of a gate plus the local functions its
// JSX references (`onClick={wipe}` where wipe is defined in the component).
func gatedNodes(f *jsast.File, g gate) []*jsast.Node {
	out := []*jsast.Node{g.scope}
	if g.scope.Type != "jsx_element" {
		return out
	}
	comp := component(g.scope)
	if comp == nil {
		return out
	}
	jsast.Walk(g.scope, func(n *jsast.Node) bool {
		if n.Type == "identifier" {
			name := f.Text(n)
			jsast.Walk(jsast.FunctionBody(comp), func(d *jsast.Node) bool {
				if d.Type == "variable_declarator" && f.Text(d.ChildByField("name")) == name {
					if v := jsast.Unwrap(d.ChildByField("value")); v != nil {
						out = append(out, v)
					}
				}
				if d.Type == "function_declaration" && f.Text(d.ChildByField("name")) == name {
					out = append(out, d)
				}
				return true
			})
		}
		return true
	})
	return out
}

// checkGated follows the requests a gate guards and reports unchecked targets.
func checkGated(pass *rules.Pass, f *jsast.File, g gate) {
	seen := map[*jsast.Node]bool{}
	for _, scope := range gatedNodes(f, g) {
		jsast.Walk(scope, func(n *jsast.Node) bool {
			if seen[n] {
				return false
			}
			seen[n] = true
			switch n.Type {
			case "call_expression":
				if t := fetchTarget(pass, f, n, g.need); t != nil {
					reportGate(pass, g, t, n)
				}
			case "identifier":
				p := n.Parent
				if p != nil && (p.Type == "member_expression" || p.Type == "variable_declarator" && n.Field == "name" ||
					p.Type == "import_specifier") {
					return true
				}
				if t := actionTarget(pass, f, f.Text(n)); t != nil {
					reportGate(pass, g, t, n)
				}
			}
			return true
		})
	}
}

// target is the model's entry a client request reaches.
type target struct {
	e    *model.Entry
	desc string // "`POST /api/admin/wipe` (`app/api/admin/wipe/route.ts`)"
}

// fetchTarget finds the entry a same-origin fetch/axios call reaches.
func fetchTarget(pass *rules.Pass, f *jsast.File, call *jsast.Node, need Check) *target {
	name := f.CalleeName(call)
	args := jsast.Args(call)
	if len(args) == 0 || pass.Model == nil {
		return nil
	}
	method := ""
	switch {
	case name == "fetch":
		method = "GET"
		if len(args) > 1 {
			if m, ok := f.StringValue(f.ObjectProp(args[1], "method")); ok {
				method = strings.ToUpper(m)
			}
		}
	case strings.HasPrefix(name, "axios.") || strings.HasSuffix(name, "api.post") || strings.HasSuffix(name, "api.delete"):
		method = strings.ToUpper(jsast.LastSegment(name))
	default:
		return nil
	}
	if method == "GET" && need < AuthzCheck {
		return nil // data reads behind a sign-in gate are the RP rules' concern
	}
	e, err := pass.Model.FetchedEntry(pass.Ctx, f, args[0], method)
	if err != nil || e == nil {
		return nil
	}
	return &target{e: e, desc: rules.Code(method+" "+e.Path) + " (" + rules.Code(e.File) + ")"}
}

// actionTarget finds the Server Action an imported name is, through the
// model's import graph.
func actionTarget(pass *rules.Pass, f *jsast.File, local string) *target {
	if _, ok := f.ImportOf(local); !ok || pass.Model == nil {
		return nil
	}
	o, ok, err := pass.Model.Modules().Origin(pass.Ctx, f.Path, local)
	if err != nil || !ok || o.Module.Kind != modules.File {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, o.Module.Path)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if e.Kind == model.ServerAction && e.File == o.Module.Path && (e.Name == o.Binding || e.Name == o.Name) {
			return &target{e: e, desc: "Server Action " + rules.Code(e.Name) + " (" + rules.Code(e.File) + ")"}
		}
	}
	return nil
}

// checkOf is the strongest check the model finds in front of an entry; an
// unknown verdict counts as checked, so the rule stays quiet.
func checkOf(pass *rules.Pass, e *model.Entry) Check {
	v := pass.Model.Guard(pass.Ctx, e)
	switch {
	case v.Authn == model.AuthnUnknown || v.Checked != model.AuthzNone:
		return AuthzCheck
	case v.Authn == model.AuthnYes || v.Authn == model.AuthnPartial:
		return AuthnCheck
	}
	return NoCheck
}

func reportGate(pass *rules.Pass, g gate, t *target, at *jsast.Node) {
	have := checkOf(pass, t.e)
	if have >= g.need {
		return
	}
	what := "no auth check"
	if have == AuthnCheck {
		what = "only a sign-in check, no role or permission check"
	}
	pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col,
		Message: fmt.Sprintf("%s gates this call to %s, which has %s: the gate only hides the UI, anyone can call the endpoint directly",
			g.desc, t.desc, what),
		Related: []rules.Location{{Path: t.e.Handler.File, Line: t.e.Handler.Line}}})
}

// checkServerProps reports server-fetched data that Server Components
// (pages and layouts) pass into the gated client component file cf.
func checkServerProps(pass *rules.Pass, cf *jsast.File, cg gate) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return
	}
	for _, e := range es {
		if e.Kind != model.Page && e.Kind != model.Layout || e.Fn == nil || e.FnFile == nil || e.FnFile.Directive() == "use client" {
			continue
		}
		f, fn := e.FnFile, e.Fn
		for _, el := range jsast.Find(fn, "jsx_self_closing_element", "jsx_opening_element") {
			name := f.Text(el.ChildByField("name"))
			if _, ok := f.ImportOf(name); !ok {
				continue
			}
			if o, ok, err := pass.Model.Modules().Origin(pass.Ctx, f.Path, name); err != nil || !ok || o.Module.Path != cf.Path {
				continue
			}
			if checkOf(pass, e) >= cg.need {
				continue
			}
			for _, attr := range el.NamedChildren() {
				nc := attr.NamedChildren()
				if attr.Type != "jsx_attribute" || len(nc) < 2 || nc[1].Type != "jsx_expression" || len(nc[1].NamedChildren()) == 0 {
					continue
				}
				v := jsast.Unwrap(nc[1].NamedChildren()[0])
				if v.Type != "identifier" {
					continue
				}
				src := fetchedBy(f, fn, f.Text(v))
				if src == "" {
					continue
				}
				pass.Report(rules.Diagnostic{Path: f.Path, Line: attr.Line, Column: attr.Col,
					Match:   f.Text(attr),
					Message: fmt.Sprintf("%s (from %s) is passed to client component %s, which hides it behind %s; the props are serialized into the page for every visitor", rules.Code(f.Text(v)), rules.Code(src), rules.Code(name), cg.desc),
					Related: []rules.Location{{Path: cf.Path, Line: cg.scope.Line}}})
			}
		}
	}
}

// fetchedBy returns the awaited call a variable of fn holds ("db.invoice.findMany"),
// ignoring Clerk calls.
func fetchedBy(f *jsast.File, fn *jsast.Node, name string) string {
	src := ""
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if src != "" {
			return false
		}
		if n.Type == "variable_declarator" && bindsName(f, n.ChildByField("name"), name) {
			v := n.ChildByField("value")
			if v != nil && v.Type == "await_expression" {
				if c := jsast.Unwrap(v); c.Type == "call_expression" {
					cn := f.CalleeName(c)
					if f.ResolveClerk(strings.Split(cn, ".")[0]) == "" && cn != "" {
						src = cn
					}
				}
			}
		}
		return true
	})
	return src
}
