package hardening

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// maxSignInDepth bounds how many helper calls deep the provider sign-in
// is looked for below a try block.
const maxSignInDepth = 3

// reportProviderErrors reports a catch whose try block reaches an auth
// provider's password sign-in (knowledge.PasswordSignIns: Firebase's
// auth/user-not-found vs auth/wrong-password) and which hands the caught
// error's message or code to the caller unmapped: returned, sent, or put
// in component state. A catch that compares the error with a code, or
// passes it through a function of its own, maps it and is not reported.
func reportProviderErrors(pass *rules.Pass, f *jsast.File) {
	for _, c := range jsast.Find(f.Root, "catch_clause") {
		param := c.ChildByField("parameter")
		if param == nil || param.Type != "identifier" {
			continue
		}
		name := f.Text(param)
		leak := leakedError(f, c.ChildByField("body"), name)
		if leak == nil || c.Parent == nil {
			continue
		}
		s, via, ok := signInBelow(pass, f, c.Parent.ChildByField("body"), 0, map[*jsast.Node]bool{})
		if !ok {
			continue
		}
		pass.Report(rules.Diagnostic{Line: leak.Line, Column: leak.Col,
			Message: fmt.Sprintf("the error of %s's password sign-in (%s) reaches the caller unmapped (%s): `%s` and `%s` tell whether an account exists",
				s.Provider, rules.Code(via), rules.Code(f.Text(leak)), s.Unknown, s.Wrong)})
	}
}

// leakedError returns the expression of body that hands the caught error
// called name to the caller (String(e), e.message, e.code, `${e}` in a
// return, a response call or a state setter), or nil when there is none
// or the catch maps the error itself.
func leakedError(f *jsast.File, body *jsast.Node, name string) *jsast.Node {
	if body == nil || mapsError(f, body, name) {
		return nil
	}
	var out *jsast.Node
	jsast.Walk(body, func(n *jsast.Node) bool {
		if out != nil {
			return false
		}
		if errorRef(f, n, name) && reachesCaller(f, n, body) {
			out = n
			return false
		}
		return true
	})
	return out
}

// errorRef reports whether n reads the caught error's text: String(e),
// e.message, e.code, e.toString(), or e inside a template.
func errorRef(f *jsast.File, n *jsast.Node, name string) bool {
	switch n.Type {
	case "member_expression":
		obj, prop := n.ChildByField("object"), n.ChildByField("property")
		if obj == nil || prop == nil || f.Text(obj) != name {
			return false
		}
		switch f.Text(prop) {
		case "message", "code":
			return n.Parent == nil || n.Parent.Type != "call_expression" || n.Parent.ChildByField("function") != n
		case "toString":
			return n.Parent != nil && n.Parent.Type == "call_expression"
		}
	case "call_expression":
		fn, args := n.ChildByField("function"), n.ChildByField("arguments")
		return fn != nil && args != nil && f.Text(fn) == "String" && strings.Trim(f.Text(args), "() ") == name
	case "template_substitution":
		t := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(f.Text(n), "${"), "}"))
		return t == name
	}
	return false
}

// serialisers are the language's conversions an error may pass through on
// its way to the caller without being mapped (String(e),
// JSON.stringify(e)); response builders are knowledge.Responds.
var serialisers = map[string]bool{"String": true, "stringify": true}

// reachesCaller reports whether the error read at n leaves the catch body:
// it sits in a return, a thrown response, or is an argument of a response
// call or a state setter (setError), with only serialisers on the way up.
func reachesCaller(f *jsast.File, n, body *jsast.Node) bool {
	response := false // passed through a response builder (json, new Response)
	for p := n.Parent; p != nil && p != body; p = p.Parent {
		switch p.Type {
		case "return_statement":
			return true
		case "throw_statement":
			// throw json({ error: e.message }) answers the request; a
			// rethrown Error goes to the app's own caller, which may map it.
			return response
		case "arrow_function", "function_expression", "function_declaration":
			return false
		case "call_expression", "new_expression":
			callee := p.ChildByField("function")
			if callee == nil {
				callee = p.ChildByField("constructor")
			}
			last := lastName(f, callee)
			if stateSetter(last) {
				return true
			}
			if serialisers[last] {
				continue
			}
			if !knowledge.Responds(f.Name(callee)) {
				return false // passed through a function of the app's own: mapped
			}
			response = true
		}
	}
	return false
}

// stateSetter reports whether a callee name is a component state setter
// (setError, setMessage): what it is given is rendered.
func stateSetter(name string) bool {
	return len(name) > 3 && strings.HasPrefix(name, "set") && name[3] >= 'A' && name[3] <= 'Z'
}

// lastName returns the last identifier of a callee: json, send, setError.
func lastName(f *jsast.File, callee *jsast.Node) string {
	if callee == nil {
		return ""
	}
	if callee.Type == "member_expression" {
		if p := callee.ChildByField("property"); p != nil {
			return f.Text(p)
		}
	}
	return f.Text(callee)
}

// mapsError reports whether the catch body decides on the error's code or
// message (an if, switch or ternary comparing it with a literal): the
// app maps the provider's codes itself.
func mapsError(f *jsast.File, body *jsast.Node, name string) bool {
	mapped := false
	for _, c := range jsast.Find(body, "if_statement", "switch_statement", "ternary_expression") {
		cond := c.ChildByField("condition")
		if c.Type == "switch_statement" {
			cond = c.ChildByField("value")
		}
		if cond == nil || !mentions(f, cond, map[string]bool{name: true}) {
			continue
		}
		if c.Type == "switch_statement" || len(jsast.Find(cond, "string")) > 0 {
			mapped = true
		}
	}
	return mapped
}

// signInBelow looks in n, and in the functions of the snapshot n calls
// (through the module graph, up to maxSignInDepth deep), for a provider
// password sign-in: an imported SDK call, the SDK's method, or a fetch of
// its REST endpoint. via names the call of n that leads to it. A file
// that cannot be read makes the answer no, never a guess.
func signInBelow(pass *rules.Pass, f *jsast.File, n *jsast.Node, depth int, seen map[*jsast.Node]bool) (knowledge.PasswordSignIn, string, bool) {
	if n == nil || depth > maxSignInDepth || seen[n] {
		return knowledge.PasswordSignIn{}, "", false
	}
	seen[n] = true
	for _, x := range jsast.Find(n, "string", "template_string") {
		if s, ok := knowledge.PasswordSignInEndpoint(f.Text(x)); ok {
			return s, s.Endpoint, true
		}
	}
	for _, call := range jsast.Find(n, "call_expression") {
		callee := call.ChildByField("function")
		if callee == nil {
			continue
		}
		ref := f.Text(callee)
		if callee.Type == "member_expression" {
			if s, ok := knowledge.PasswordSignInMethod(lastName(f, callee), f.ImportsFrom); ok {
				return s, ref, true
			}
			if obj := callee.ChildByField("object"); obj == nil || obj.Type != "identifier" {
				continue
			}
		} else if callee.Type != "identifier" {
			continue
		}
		o, ok, err := pass.Model.Modules().Origin(pass.Ctx, f.Path, ref)
		if err != nil || !ok {
			continue
		}
		if o.Module.Kind == modules.External {
			if s, ok := knowledge.PasswordSignInCall(o.Module.Package+o.Module.Subpath, o.Name); ok {
				return s, ref, true
			}
			continue
		}
		df, decl, err := pass.Model.Modules().Decl(pass.Ctx, o)
		if err != nil || df == nil || decl == nil {
			continue
		}
		if s, _, ok := signInBelow(pass, df, decl, depth+1, seen); ok {
			return s, ref, true
		}
	}
	return knowledge.PasswordSignIn{}, "", false
}
