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

// Sign-in gates rendered in the browser: a component that reads the
// signed-in state from Clerk's React hooks (useAuth, useUser, useSession:
// client-side state, https://clerk.com/docs/reference/hooks/use-auth) and
// returns early when the user is signed out, either inline
// (`if (!isSignedIn) return <SignIn />`) or as a wrapper component that
// renders its children only when signed in (`<ProtectedRoute>`). What it
// renders is followed to the requests it makes: a POST to an entry with
// no server-side check, or a query the browser sends to the database
// without the user's token (model.BrowserQueries). One finding per gate,
// at the gate.

// signInGateIf returns the early-return `if` of a component function that
// tests a signed-in value of a Clerk hook, or nil.
func signInGateIf(f *jsast.File, fn *jsast.Node) *jsast.Node {
	body := jsast.FunctionBody(fn)
	if body == nil || body.Type != "statement_block" {
		return nil
	}
	hooked := map[string]bool{}
	for _, st := range body.NamedChildren() {
		if st.Type == "lexical_declaration" || st.Type == "variable_declaration" {
			for _, d := range st.NamedChildren() {
				v := jsast.Unwrap(d.ChildByField("value"))
				if d.Type != "variable_declarator" || v == nil || v.Type != "call_expression" {
					continue
				}
				hook := f.ResolveClerk(f.CalleeName(v))
				if !knowledge.ClerkHook(hook) {
					continue
				}
				if pat := d.ChildByField("name"); pat != nil && pat.Type == "object_pattern" {
					for _, c := range pat.NamedChildren() {
						name := f.Text(c)
						if c.Type == "pair_pattern" {
							name = f.Text(c.ChildByField("value"))
						}
						key := f.Text(c)
						if c.Type == "pair_pattern" {
							key = f.Text(c.ChildByField("key"))
						}
						if h, ok := knowledge.ClerkHookField(hook, key); ok && h.State == knowledge.SignedInState {
							hooked[name] = true
						}
					}
				}
			}
		}
		if st.Type != "if_statement" || len(hooked) == 0 {
			continue
		}
		cond := jsast.Unwrap(st.ChildByField("condition"))
		if cond == nil || cond.Type != "unary_expression" || !strings.HasPrefix(f.Text(cond), "!") {
			continue
		}
		arg := jsast.Unwrap(cond.ChildByField("argument"))
		if arg == nil || arg.Type != "identifier" || !hooked[f.Text(arg)] {
			continue
		}
		if len(jsast.Find(st.ChildByField("consequence"), "return_statement")) > 0 {
			return st
		}
	}
	return nil
}

// rendersChildren reports whether a component returns its children
// (`children` or `props.children`) after its gate.
func rendersChildren(f *jsast.File, fn, gate *jsast.Node) bool {
	for _, r := range jsast.Find(jsast.FunctionBody(fn), "return_statement") {
		if r.Start > gate.End && strings.Contains(f.Text(r), "children") {
			return true
		}
	}
	return false
}

// checkSignInGates reports the sign-in gates of a browser module whose
// gated part reaches unchecked data.
func checkSignInGates(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil {
		return
	}
	tops := topFunctions(f)
	for _, fn := range tops {
		gate := signInGateIf(f, fn)
		if gate == nil || rendersChildren(f, fn, gate) {
			continue // a wrapper: reported where it wraps something
		}
		var rest []*jsast.Node
		for _, st := range jsast.FunctionBody(fn).NamedChildren() {
			if st.Start > gate.End {
				rest = append(rest, st)
			}
		}
		reportSignInGate(pass, f, tops, gate, rest, rules.Code(shortText(f, jsast.Unwrap(gate.ChildByField("condition")))))
	}
	// <Wrapper>...</Wrapper> where Wrapper is an application component that
	// renders its children only when signed in.
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "jsx_element" {
			return true
		}
		name := f.Text(n.ChildByField("open_tag").ChildByField("name"))
		if _, ok := f.ImportOf(name); !ok || f.ResolveClerk(name) != "" {
			return true
		}
		o, ok, err := pass.Model.Modules().Origin(pass.Ctx, f.Path, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return true
		}
		df, decl, err := pass.Model.Modules().Decl(pass.Ctx, o)
		if err != nil || decl == nil {
			return true
		}
		fn := decl
		if !jsast.IsFunction(fn) && fn.Type != "function_declaration" {
			fn = jsast.Unwrap(df.LocalValue(o.Binding))
		}
		if fn == nil || !jsast.IsFunction(fn) && fn.Type != "function_declaration" {
			return true
		}
		if gate := signInGateIf(df, fn); gate != nil && rendersChildren(df, fn, gate) {
			reportSignInGate(pass, f, tops, n, []*jsast.Node{n}, rules.Code("<"+name+">")+" ("+df.Path+")")
		}
		return false
	})
}

// topFunctions maps the top-level function names of a file to their nodes.
func topFunctions(f *jsast.File) map[string]*jsast.Node {
	out := map[string]*jsast.Node{}
	for _, st := range f.Root.NamedChildren() {
		d := st
		if st.Type == "export_statement" {
			if x := st.ChildByField("declaration"); x != nil {
				d = x
			}
		}
		switch d.Type {
		case "function_declaration":
			out[f.Text(d.ChildByField("name"))] = d
		case "lexical_declaration", "variable_declaration":
			for _, c := range d.NamedChildren() {
				if v := jsast.Unwrap(c.ChildByField("value")); c.Type == "variable_declarator" && v != nil && jsast.IsFunction(v) {
					out[f.Text(c.ChildByField("name"))] = v
				}
			}
		}
	}
	return out
}

// reportSignInGate follows the gated nodes (and the local components and
// imported modules they use) to the first unchecked request, and reports
// it at the gate.
func reportSignInGate(pass *rules.Pass, f *jsast.File, tops map[string]*jsast.Node, at *jsast.Node, gated []*jsast.Node, desc string) {
	seenFn := map[*jsast.Node]bool{}
	imported := map[string]bool{}
	var found string
	var related rules.Location
	var walk func(n *jsast.Node)
	walk = func(n *jsast.Node) {
		jsast.Walk(n, func(x *jsast.Node) bool {
			if found != "" {
				return false
			}
			switch x.Type {
			case "call_expression":
				if t := fetchTarget(pass, f, x, AuthnCheck); t != nil && checkOf(pass, t.e) < AuthnCheck {
					found, related = "calls "+t.desc+", which has no auth check", rules.Location{Path: t.e.Handler.File, Line: t.e.Handler.Line}
				}
			case "identifier":
				name := f.Text(x)
				if fn, ok := tops[name]; ok && !seenFn[fn] {
					seenFn[fn] = true
					walk(fn)
				} else if _, ok := f.ImportOf(name); ok {
					imported[name] = true
				}
			}
			return true
		})
	}
	for _, n := range gated {
		walk(n)
	}
	if found == "" {
		for name := range imported {
			if q, ok := browserQueryBehind(pass, f.Path, name); ok {
				found = fmt.Sprintf("loads data through %s, whose query %s runs in the browser with no Clerk token", rules.Code(name),
					rules.Code(q.Call))
				related = rules.Location{Path: q.File, Line: q.Line}
				break
			}
		}
	}
	if found == "" {
		return
	}
	pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col, Related: []rules.Location{related},
		Match: "signin-gate " + desc,
		Message: fmt.Sprintf("the only sign-in check here is client-side %s, and what it renders %s: the gate only hides the UI, "+
			"anyone can request the data directly", desc, found)})
}

// maxGateModules bounds the modules followed from a gated import.
const maxGateModules = 12

// browserQueryBehind follows an imported name to its module and the
// modules that one imports (breadth first, bounded) and returns the first
// tokenless browser query the model lists there.
func browserQueryBehind(pass *rules.Pass, from, name string) (model.BrowserQuery, bool) {
	o, ok, err := pass.Model.Modules().Origin(pass.Ctx, from, name)
	if err != nil || !ok || o.Module.Kind != modules.File {
		return model.BrowserQuery{}, false
	}
	queue, seen := []string{o.Module.Path}, map[string]bool{o.Module.Path: true}
	for len(queue) > 0 && len(seen) <= maxGateModules {
		p := queue[0]
		queue = queue[1:]
		if qs, err := pass.Model.BrowserQueries(pass.Ctx, p); err == nil && len(qs) > 0 {
			return qs[0], true
		}
		ims, err := pass.Model.Modules().Imports(pass.Ctx, p)
		if err != nil {
			continue
		}
		for _, im := range ims {
			if im.Target.Kind == modules.File && !im.TypeOnly && !seen[im.Target.Path] {
				seen[im.Target.Path] = true
				queue = append(queue, im.Target.Path)
			}
		}
	}
	return model.BrowserQuery{}, false
}
