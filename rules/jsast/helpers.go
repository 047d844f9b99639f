package jsast

import (
	"strconv"
	"strings"
)

// Text returns the source text of n.
func (f *File) Text(n *Node) string {
	if n == nil {
		return ""
	}
	return string(f.Src[n.Start:n.End])
}

// ChildByField returns the first child held under field name.
func (n *Node) ChildByField(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Field == name {
			return c
		}
	}
	return nil
}

// ChildrenByField returns all children held under field name.
func (n *Node) ChildrenByField(name string) []*Node {
	var out []*Node
	for _, c := range n.Children {
		if c.Field == name {
			out = append(out, c)
		}
	}
	return out
}

// NamedChildren returns the named children, skipping comments.
func (n *Node) NamedChildren() []*Node {
	if n == nil {
		return nil
	}
	out := make([]*Node, 0, len(n.Children))
	for _, c := range n.Children {
		if c.Named && c.Type != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// HasChild reports whether n has a direct child of the given type (named
// or anonymous, such as the "async" or "type" keywords).
func (n *Node) HasChild(typ string) bool {
	for _, c := range n.Children {
		if c.Type == typ {
			return true
		}
	}
	return false
}

// Walk calls fn for n and every descendant in source order. When fn returns
// false the node's children are skipped.
func Walk(n *Node, fn func(*Node) bool) {
	if n == nil {
		return
	}
	if !fn(n) {
		return
	}
	for _, c := range n.Children {
		Walk(c, fn)
	}
}

// Find returns all descendants of n (n included) of the given types.
func Find(n *Node, types ...string) []*Node {
	var out []*Node
	Walk(n, func(x *Node) bool {
		for _, t := range types {
			if x.Type == t {
				out = append(out, x)
				break
			}
		}
		return true
	})
	return out
}

// Ancestor returns the nearest ancestor of n of one of the types.
func Ancestor(n *Node, types ...string) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		for _, t := range types {
			if p.Type == t {
				return p
			}
		}
	}
	return nil
}

// Contains reports whether n contains m.
func (n *Node) Contains(m *Node) bool {
	return n != nil && m != nil && n.Start <= m.Start && m.End <= n.End
}

// FunctionTypes are the node types that introduce a function body.
var FunctionTypes = []string{"function_declaration", "function_expression", "function", "arrow_function",
	"method_definition", "generator_function_declaration", "generator_function"}

// IsFunction reports whether n is a function of any form.
func IsFunction(n *Node) bool {
	if n == nil {
		return false
	}
	for _, t := range FunctionTypes {
		if n.Type == t {
			return true
		}
	}
	return false
}

// EnclosingFunction returns the innermost function containing n.
func EnclosingFunction(n *Node) *Node { return Ancestor(n, FunctionTypes...) }

// IsAsync reports whether a function node is declared async.
func IsAsync(fn *Node) bool { return fn != nil && fn.HasChild("async") }

// Unwrap strips parentheses, `await`, TypeScript `as`/`!`/`satisfies`
// wrappers around an expression.
func Unwrap(n *Node) *Node {
	for n != nil {
		switch n.Type {
		case "parenthesized_expression", "await_expression", "non_null_expression", "as_expression", "satisfies_expression", "type_assertion":
			nc := n.NamedChildren()
			if len(nc) == 0 {
				return n
			}
			n = nc[0]
		default:
			return n
		}
	}
	return n
}

// StringValue returns the value of a string literal, or of a template
// literal without substitutions.
func (f *File) StringValue(n *Node) (string, bool) {
	n = Unwrap(n)
	if n == nil {
		return "", false
	}
	switch n.Type {
	case "string":
		t := f.Text(n)
		if len(t) >= 2 {
			if v, err := strconv.Unquote(`"` + strings.ReplaceAll(t[1:len(t)-1], `"`, `\"`) + `"`); err == nil {
				return v, true
			}
			return t[1 : len(t)-1], true
		}
	case "template_string":
		for _, c := range n.Children {
			if c.Type == "template_substitution" {
				return "", false
			}
		}
		t := f.Text(n)
		return t[1 : len(t)-1], true
	}
	return "", false
}

// Name returns the dotted name of an identifier or member chain, with "()"
// marking calls in the chain, and await/parentheses removed:
// `(await clerkClient()).users.updateUser` is "clerkClient().users.updateUser".
// It returns "" for other expressions.
func (f *File) Name(n *Node) string {
	n = Unwrap(n)
	if n == nil {
		return ""
	}
	switch n.Type {
	case "identifier", "property_identifier", "shorthand_property_identifier", "this", "type_identifier",
		"private_property_identifier", "shorthand_property_identifier_pattern":
		return f.Text(n)
	case "member_expression":
		obj := f.Name(n.ChildByField("object"))
		if o := n.ChildByField("object"); o != nil && o.Type == "import" {
			obj = "import" // import.meta, so import.meta.env.X has a name
		}
		prop := n.ChildByField("property")
		if obj == "" || prop == nil {
			return ""
		}
		return obj + "." + f.Text(prop)
	case "subscript_expression":
		obj := f.Name(n.ChildByField("object"))
		if v, ok := f.StringValue(n.ChildByField("index")); ok && obj != "" {
			return obj + "." + v
		}
	case "call_expression":
		fn := f.Name(n.ChildByField("function"))
		if fn == "" {
			return ""
		}
		return fn + "()"
	}
	return ""
}

// CalleeName is Name of a call's function.
func (f *File) CalleeName(call *Node) string {
	if call == nil || call.Type != "call_expression" {
		return ""
	}
	return f.Name(call.ChildByField("function"))
}

// HasSpread reports an object literal with a spread element
// ({ ...opts }): keys it does not list may be set.
func HasSpread(obj *Node) bool {
	for _, c := range obj.NamedChildren() {
		if c.Type == "spread_element" {
			return true
		}
	}
	return false
}

// Args returns the named argument nodes of a call.
func Args(call *Node) []*Node {
	a := call.ChildByField("arguments")
	if a == nil {
		return nil
	}
	return a.NamedChildren()
}

// Calls returns every call under n whose callee name satisfies match.
func (f *File) Calls(n *Node, match func(name string) bool) []*Node {
	var out []*Node
	Walk(n, func(x *Node) bool {
		if x.Type == "call_expression" && match(f.CalleeName(x)) {
			out = append(out, x)
		}
		return true
	})
	return out
}

// LastSegment returns the part of a dotted name after the last dot.
func LastSegment(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// ObjectProp returns the value node of key in an object literal.
func (f *File) ObjectProp(obj *Node, key string) *Node {
	obj = Unwrap(obj)
	if obj == nil || obj.Type != "object" {
		return nil
	}
	for _, c := range obj.NamedChildren() {
		switch c.Type {
		case "pair":
			k := c.ChildByField("key")
			name := f.Text(k)
			if v, ok := f.StringValue(k); ok {
				name = v
			}
			if name == key {
				return c.ChildByField("value")
			}
		case "shorthand_property_identifier":
			if f.Text(c) == key {
				return c
			}
		case "method_definition":
			if f.Text(c.ChildByField("name")) == key {
				return c
			}
		}
	}
	return nil
}

// ObjectKeys returns the keys of an object literal in order.
func (f *File) ObjectKeys(obj *Node) []string {
	obj = Unwrap(obj)
	if obj == nil || obj.Type != "object" {
		return nil
	}
	var keys []string
	for _, c := range obj.NamedChildren() {
		switch c.Type {
		case "pair":
			k := c.ChildByField("key")
			if v, ok := f.StringValue(k); ok {
				keys = append(keys, v)
			} else {
				keys = append(keys, f.Text(k))
			}
		case "shorthand_property_identifier", "method_definition":
			if c.Type == "method_definition" {
				keys = append(keys, f.Text(c.ChildByField("name")))
			} else {
				keys = append(keys, f.Text(c))
			}
		}
	}
	return keys
}

// StringList returns the string values of an array literal (or of a single
// string). ok is false when any element is not a constant string.
func (f *File) StringList(n *Node) (vals []string, nodes []*Node, ok bool) {
	n = Unwrap(n)
	if n == nil {
		return nil, nil, false
	}
	if v, isStr := f.StringValue(n); isStr {
		return []string{v}, []*Node{n}, true
	}
	if n.Type != "array" {
		return nil, nil, false
	}
	ok = true
	for _, c := range n.NamedChildren() {
		v, isStr := f.StringValue(c)
		if !isStr {
			ok = false
			continue
		}
		vals = append(vals, v)
		nodes = append(nodes, c)
	}
	return vals, nodes, ok
}

// FirstSegment returns the part of a dotted (or called) name before the
// first dot or parenthesis: "db" of "db.user.findMany".
func FirstSegment(name string) string {
	if i := strings.IndexAny(name, ".("); i >= 0 {
		return name[:i]
	}
	return name
}

// ParamPatterns returns the parameter patterns of a function
// (identifiers, object and array patterns, rest patterns), without their
// types or default values.
func ParamPatterns(fn *Node) []*Node {
	if p := fn.ChildByField("parameter"); p != nil {
		return []*Node{p}
	}
	ps := fn.ChildByField("parameters")
	if ps == nil {
		return nil
	}
	var out []*Node
	for _, p := range ps.NamedChildren() {
		switch p.Type {
		case "required_parameter", "optional_parameter":
			if pat := p.ChildByField("pattern"); pat != nil {
				p = pat
			}
		case "assignment_pattern":
			if l := p.ChildByField("left"); l != nil {
				p = l
			}
		case "comment":
			continue
		}
		out = append(out, p)
	}
	return out
}

// Number evaluates a numeric literal (1_000), a sum or product of them
// (60 * 60 * 24), or a local constant holding one; ok is false for
// anything else.
func (f *File) Number(n *Node) (float64, bool) { return f.number(n, 0) }

func (f *File) number(n *Node, depth int) (float64, bool) {
	n = Unwrap(n)
	if n == nil || depth > 8 {
		return 0, false
	}
	switch n.Type {
	case "number":
		v, err := strconv.ParseFloat(strings.ReplaceAll(f.Text(n), "_", ""), 64)
		return v, err == nil
	case "binary_expression":
		l, ok1 := f.number(n.ChildByField("left"), depth+1)
		r, ok2 := f.number(n.ChildByField("right"), depth+1)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch op := n.ChildByField("operator"); {
		case op != nil && f.Text(op) == "*":
			return l * r, true
		case op != nil && f.Text(op) == "+":
			return l + r, true
		}
	case "identifier":
		if v := f.LocalValue(f.Text(n)); v != nil && v != n {
			return f.number(v, depth+1)
		}
	}
	return 0, false
}

// EnvName returns the variable name an env access reads:
// process.env.X, process.env['X'], import.meta.env.X, Deno.env.get('X'),
// env.X, useRuntimeConfig().clerk.webhookSigningSecret.
func (f *File) EnvName(n *Node) string {
	n = Unwrap(n)
	if n == nil {
		return ""
	}
	if n.Type == "call_expression" && strings.HasSuffix(f.CalleeName(n), "env.get") {
		if a := Args(n); len(a) > 0 {
			v, _ := f.StringValue(a[0])
			return v
		}
	}
	name := f.Name(n)
	if !strings.Contains(name, ".") {
		return ""
	}
	if strings.Contains(name, "env.") || strings.Contains(name, "Config") || strings.Contains(name, "config") || strings.HasPrefix(name, "useRuntimeConfig()") {
		return LastSegment(name)
	}
	return ""
}

// EnvFallback recognises an environment variable read with a string
// literal fallback, `process.env.X || 'literal'` or `env.X ?? 'literal'`,
// and returns the variable's name, the literal's node and its value. An
// empty or blank literal is no fallback: the libraries that take a key
// or secret throw for it, so the code fails closed.
func (f *File) EnvFallback(n *Node) (name string, lit *Node, value string, ok bool) {
	n = Unwrap(n)
	if n == nil || n.Type != "binary_expression" {
		return "", nil, "", false
	}
	if op := f.Text(n.ChildByField("operator")); op != "||" && op != "??" {
		return "", nil, "", false
	}
	name = f.EnvName(n.ChildByField("left"))
	lit = Unwrap(n.ChildByField("right"))
	value, isLit := f.StringValue(lit)
	if name == "" || !isLit || strings.TrimSpace(value) == "" {
		return "", nil, "", false
	}
	return name, lit, value, true
}
