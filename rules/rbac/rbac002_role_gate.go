package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// Role gates computed in the browser: an application wrapper component
// (`<RoleGuard>`, `<RoleBasedWrapper allowedRoles=…>`) that renders its
// children only when a role it works out in the browser allows it. The
// role comes from what the browser holds: the user's `publicMetadata.role`
// from Clerk's useUser() (client-side state,
// https://clerk.com/docs/reference/hooks/use-user), a value in
// localStorage/sessionStorage (the user edits it in devtools), or the
// user's email compared with a NEXT_PUBLIC_* variable (inlined into the
// bundle, https://nextjs.org/docs/app/guides/environment-variables). The
// wrapper's uses are followed into what they render (the components and
// the modules those import, bounded) to the Server Actions and requests
// they make; a target that checks no role itself is reported once, at the
// wrapper's gate. In front of endpoints that check the role on the server
// such a gate is UX and is not reported.

// maxRoleGateModules bounds the modules followed from one wrapped element.
const maxRoleGateModules = 12

// browserRoleSource returns a phrase naming where a component function
// reads a role the browser decides, or "".
func browserRoleSource(f *jsast.File, fn *jsast.Node) string {
	src := ""
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if src != "" {
			return false
		}
		switch n.Type {
		case "member_expression", "subscript_expression":
			t := strings.ReplaceAll(f.Text(n), "?.", ".")
			if strings.HasSuffix(t, "publicMetadata.role") || strings.HasSuffix(t, "publicMetadata[\"role\"]") || strings.HasSuffix(t, "publicMetadata['role']") {
				src = rules.Code(shortText(f, n)) + " (client-side user state)"
				return false
			}
		case "call_expression":
			name := f.CalleeName(n)
			if recv, ok := strings.CutSuffix(name, ".getItem"); ok && knowledge.WebStorage(recv) {
				if args := jsast.Args(n); len(args) > 0 {
					if k, ok := f.StringValue(args[0]); ok && strings.Contains(strings.ToLower(k), "role") {
						src = rules.Code(shortText(f, n)) + " (browser storage the user can edit)"
						return false
					}
				}
			}
		case "binary_expression":
			if !isComparison(f, n) {
				return true
			}
			t := f.Text(n)
			if strings.Contains(t, "process.env.NEXT_PUBLIC_") && strings.Contains(strings.ToLower(t), "email") {
				src = rules.Code(shortText(f, n)) + " (an email compared in the browser)"
				return false
			}
		}
		return true
	})
	return src
}

// roleWrapperGate returns the early-return `if` of a wrapper component
// that renders its children after it, or nil.
func roleWrapperGate(f *jsast.File, fn *jsast.Node) *jsast.Node {
	body := jsast.FunctionBody(fn)
	if body == nil || body.Type != "statement_block" {
		return nil
	}
	for _, st := range body.NamedChildren() {
		if st.Type != "if_statement" || len(jsast.Find(st.ChildByField("consequence"), "return_statement")) == 0 {
			continue
		}
		if rendersChildren(f, fn, st) && !signInOnly(f, st.ChildByField("condition")) {
			return st
		}
	}
	return nil
}

// signInOnly reports whether a gate's condition tests nothing but the
// signed-in and loading state (`!isLoaded || !user`): that is a sign-in
// gate (checkSignInGates), not a role gate. Which names are signed-in
// and loading flags is knowledge.SignInStateName.
func signInOnly(f *jsast.File, cond *jsast.Node) bool {
	if cond == nil || strings.Contains(strings.ToLower(f.Text(cond)), "role") {
		return false
	}
	only := true
	jsast.Walk(cond, func(n *jsast.Node) bool {
		if n.Type == "identifier" && !knowledge.SignInStateName(f.Text(n)) {
			only = false
		}
		return only
	})
	return only
}

// checkRoleWrappers reports the role wrappers of a browser module whose
// wrapped content reaches an endpoint that checks no role.
func checkRoleWrappers(pass *rules.Pass, f *jsast.File) {
	for name, fn := range topFunctions(f) {
		gate := roleWrapperGate(f, fn)
		if gate == nil {
			continue
		}
		src := browserRoleSource(f, fn)
		if src == "" {
			continue
		}
		t, use := wrappedTarget(pass, f, name)
		if t == nil {
			continue
		}
		pass.Report(rules.Diagnostic{Line: gate.Line, Column: gate.Col,
			Match:   "role-gate " + name,
			Related: []rules.Location{use, {Path: t.e.Handler.File, Line: t.e.Handler.Line}},
			Message: fmt.Sprintf("%s renders its children only for a role decided in the browser from %s, and what it wraps (%s:%d) calls %s, "+
				"which checks no role: the gate only hides the UI, anyone can call the endpoint directly",
				rules.Code("<"+name+">"), src, use.Path, use.Line, t.desc)})
	}
}

// wrappedTarget finds a use of the wrapper component (exported from f as
// name) in an importing module, and the first endpoint the wrapped
// content reaches that has no role check.
func wrappedTarget(pass *rules.Pass, f *jsast.File, name string) (*target, rules.Location) {
	g := pass.Model.Modules()
	// An incomplete reverse graph still lists what it found: a use it
	// missed only means no finding.
	edges, _ := g.Importers(pass.Ctx, f.Path)
	for _, ed := range edges {
		if ed.Import.TypeOnly || ed.Import.Local == "" {
			continue
		}
		uf := pass.AST(pass.Get(ed.From))
		if uf == nil {
			continue
		}
		if o, ok, err := g.Origin(pass.Ctx, ed.From, ed.Import.Local); err != nil || !ok || o.Module.Path != f.Path || o.Binding != name {
			continue
		}
		var found *target
		var at rules.Location
		jsast.Walk(uf.Root, func(n *jsast.Node) bool {
			if found != nil {
				return false
			}
			if n.Type != "jsx_element" || uf.Text(n.ChildByField("open_tag").ChildByField("name")) != ed.Import.Local {
				return true
			}
			if t := uncheckedBehind(pass, uf, n); t != nil {
				found, at = t, rules.Location{Path: uf.Path, Line: n.Line}
			}
			return false
		})
		if found != nil {
			return found, at
		}
	}
	return nil, rules.Location{}
}

// uncheckedBehind follows the content of a wrapped JSX element (its
// requests, the Server Actions and components it imports, and the modules
// those import, breadth first and bounded) to the first endpoint with no
// role check.
func uncheckedBehind(pass *rules.Pass, f *jsast.File, el *jsast.Node) *target {
	var found *target
	var queue []string
	seen := map[string]bool{f.Path: true}
	scan := func(pf *jsast.File, root *jsast.Node, follow bool) {
		jsast.Walk(root, func(n *jsast.Node) bool {
			if found != nil {
				return false
			}
			switch n.Type {
			case "call_expression":
				if t := fetchTarget(pass, pf, n, AuthzCheck); t != nil && checkOf(pass, t.e) < AuthzCheck && !ownReadsOnly(pass, t.e) {
					found = t
				}
			case "identifier", "jsx_identifier":
				if !follow {
					return true
				}
				local := pf.Text(n)
				if _, ok := pf.ImportOf(local); !ok {
					return true
				}
				if t := actionTarget(pass, pf, local); t != nil {
					if checkOf(pass, t.e) < AuthzCheck && !ownReadsOnly(pass, t.e) {
						found = t
					}
					return true
				}
				if o, ok, err := pass.Model.Modules().Origin(pass.Ctx, pf.Path, local); err == nil && ok && o.Module.Kind == modules.File && !seen[o.Module.Path] {
					seen[o.Module.Path] = true
					queue = append(queue, o.Module.Path)
				}
			}
			return true
		})
	}
	scan(f, el, true)
	for len(queue) > 0 && found == nil && len(seen) <= maxRoleGateModules {
		p := queue[0]
		queue = queue[1:]
		pf := pass.AST(pass.Get(p))
		if pf == nil || pf.Directive() == "use server" {
			continue
		}
		scan(pf, pf.Root, true)
	}
	return found
}

// ownReadsOnly reports an endpoint that stops signed-out callers and only
// reads the caller's own records (each read scoped to their identity): a
// role gate in front of it hides nothing another role could not already
// read about itself, so the search goes on to the next endpoint.
func ownReadsOnly(pass *rules.Pass, e *model.Entry) bool {
	if pass.Model.Guard(pass.Ctx, e).Authn != model.AuthnYes {
		return false
	}
	fx := pass.Model.Effects(pass.Ctx, e)
	if fx.Incomplete || len(fx.List) == 0 {
		return false
	}
	for _, x := range fx.List {
		if x.Kind != model.ReadsData || !x.OwnerScoped {
			return false
		}
	}
	return true
}
