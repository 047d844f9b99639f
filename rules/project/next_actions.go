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
	// Wrap is the call an exported action is built with when Fn is one of
	// its arguments (`export const act = withX(schema, handler)`), or nil.
	Wrap *jsast.Node
}

// ServerActions lists the Server Actions of a file: every exported
// function of a module whose first statement is 'use server', and every
// function whose body starts with 'use server'.
func ServerActions(f *jsast.File) []ServerAction {
	var out []ServerAction
	seen := map[*jsast.Node]bool{}
	if f.Directive() == "use server" {
		for _, ex := range f.Exports() {
			fn, wrap := actionFunction(f, ex.Value)
			if fn == nil || seen[fn] {
				continue
			}
			seen[fn] = true
			out = append(out, ServerAction{Name: ex.Name, Fn: fn, Wrap: wrap})
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
// withSomething(async () => {...})` or `createSafeAction(Schema,
// handler)` with handler a function of the module to its function
// argument; wrap is that call, nil for a plain function.
func actionFunction(f *jsast.File, v *jsast.Node) (fn, wrap *jsast.Node) {
	u := jsast.Unwrap(v)
	if u == nil {
		return nil, nil
	}
	if jsast.IsFunction(u) {
		return u, nil
	}
	if u.Type != "call_expression" {
		return nil, nil
	}
	args := jsast.Args(u)
	for _, a := range args {
		if au := jsast.Unwrap(a); jsast.IsFunction(au) {
			return au, u
		}
	}
	for i := len(args) - 1; i >= 0; i-- {
		// the handler declared apart in the same module: the last
		// argument naming a local function (the schema before it is not one)
		if a := jsast.Unwrap(args[i]); a != nil && a.Type == "identifier" {
			if lv := jsast.Unwrap(f.LocalValue(f.Text(a))); lv != nil && jsast.IsFunction(lv) {
				return lv, u
			}
		}
	}
	return nil, nil
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
