package project

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// ServerAction is one React Server Function (Next.js Server Action).
type ServerAction struct {
	Name string      // exported or declared name; "" for an anonymous inline function
	Fn   *jsast.Node // the function node
	// Inline is set for a function with its own 'use server' directive;
	// otherwise the file starts with 'use server' and Fn is one of its
	// exports.
	Inline bool
}

// ServerActions lists the Server Actions of a file: every exported
// function of a module whose first statement is 'use server', and every
// function whose body starts with 'use server'.
func ServerActions(f *jsast.File) []ServerAction {
	var out []ServerAction
	seen := map[*jsast.Node]bool{}
	if f.Directive() == "use server" {
		for _, ex := range f.Exports() {
			fn := actionFunction(f, ex.Value)
			if fn == nil || seen[fn] {
				continue
			}
			seen[fn] = true
			out = append(out, ServerAction{Name: ex.Name, Fn: fn})
		}
	}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if jsast.IsFunction(n) && !seen[n] && f.FunctionDirective(n) == "use server" {
			seen[n] = true
			out = append(out, ServerAction{Name: functionName(f, n), Fn: n, Inline: true})
		}
		return true
	})
	return out
}

// actionFunction returns the function an export of a 'use server' module
// names, unwrapping a wrapper call such as `export const act =
// withSomething(async () => {...})` to its function argument.
func actionFunction(f *jsast.File, v *jsast.Node) *jsast.Node {
	u := jsast.Unwrap(v)
	if u == nil {
		return nil
	}
	if jsast.IsFunction(u) {
		return u
	}
	if u.Type == "call_expression" {
		for _, a := range jsast.Args(u) {
			if au := jsast.Unwrap(a); jsast.IsFunction(au) {
				return au
			}
		}
	}
	return nil
}

// functionName returns a function's declared name, or the name of the
// variable or property it is assigned to.
func functionName(f *jsast.File, fn *jsast.Node) string {
	if n := fn.ChildByField("name"); n != nil {
		return f.Text(n)
	}
	for p := fn.Parent; p != nil; p = p.Parent {
		switch p.Type {
		case "variable_declarator":
			return f.Text(p.ChildByField("name"))
		case "pair":
			return f.Text(p.ChildByField("key"))
		case "parenthesized_expression", "as_expression", "call_expression", "arguments", "await_expression":
			continue
		}
		break
	}
	return ""
}
