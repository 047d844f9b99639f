package rbac

import (
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// requestName matches dotted names that read request input: params,
// searchParams, req.body, req.query, formData.get, request.json(), tRPC
// input, Hono c.req.param(), Nuxt readBody(event).
var requestName = regexp.MustCompile(`(^|\.)(params|searchParams|query|body|formData|input|json\(\)|formData\(\)|param\(\)|valid\(\)|getRouterParam\(\)|getRouterParams\(\)|readBody\(\)|getQuery\(\)|readValidatedBody\(\))(\.|$)`)

// flow traces values of one function back to their sources.
type flow struct {
	f     *jsast.File
	entry *jsast.Entry // nil when unknown
}

// requestSource returns a short description of the request input e derives
// from ("params.orgId", "formData.get('id')"), or "".
func (fl flow) requestSource(e *jsast.Node) string { return fl.source(e, 0) }

func (fl flow) source(e *jsast.Node, depth int) string {
	e = jsast.Unwrap(e)
	if e == nil || depth > 4 {
		return ""
	}
	found := ""
	jsast.Walk(e, func(n *jsast.Node) bool {
		if found != "" {
			return false
		}
		switch n.Type {
		case "member_expression", "call_expression", "subscript_expression":
			if name := fl.f.Name(n); name != "" && requestName.MatchString(name) {
				found = fl.f.Text(n)
				return false
			}
		case "identifier", "shorthand_property_identifier":
			name := fl.f.Text(n)
			if requestName.MatchString(name) && !isCalleeOrKey(n) {
				found = name
				return false
			}
			if isCalleeOrKey(n) {
				return true
			}
			if v, param := fl.decl(name, n); param {
				if fl.entry != nil && (fl.entry.Kind == "server action" || fl.entry.Kind == "server function") && fl.entry.Fn.Contains(n) {
					found = name
				}
				return false
			} else if v != nil {
				if s := fl.source(v, depth+1); s != "" {
					found = s
				}
			}
		case "arrow_function", "function_expression":
			return false
		}
		return true
	})
	return found
}

func isCalleeOrKey(n *jsast.Node) bool {
	p := n.Parent
	if p == nil {
		return false
	}
	switch p.Type {
	case "call_expression":
		return n.Field == "function"
	case "pair":
		return n.Field == "key"
	case "member_expression":
		return n.Field == "property"
	}
	return false
}

// decl finds the value a name was initialised with in the functions
// enclosing at, or reports that it is a parameter of one of them.
func (fl flow) decl(name string, at *jsast.Node) (value *jsast.Node, param bool) {
	for fn := jsast.EnclosingFunction(at); fn != nil; fn = jsast.EnclosingFunction(fn) {
		if ps := fn.ChildByField("parameters"); ps != nil && bindsName(fl.f, ps, name) {
			return nil, true
		}
		if p := fn.ChildByField("parameter"); p != nil && fl.f.Text(p) == name {
			return nil, true
		}
		var v *jsast.Node
		jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
			if v != nil || n.Start > at.Start {
				return false
			}
			if n != fn && jsast.IsFunction(n) {
				return false
			}
			if n.Type == "variable_declarator" && bindsName(fl.f, n.ChildByField("name"), name) {
				v = n.ChildByField("value")
			}
			return true
		})
		if v != nil {
			return v, false
		}
	}
	if v := fl.f.LocalValue(name); v != nil {
		return v, false
	}
	return nil, false
}

// bindsName reports whether a parameter list or binding pattern binds name.
func bindsName(f *jsast.File, pat *jsast.Node, name string) bool {
	if pat == nil {
		return false
	}
	found := false
	jsast.Walk(pat, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "identifier", "shorthand_property_identifier_pattern":
			if f.Text(n) == name && n.Field != "type" {
				found = true
			}
		case "type_annotation":
			return false
		case "pair_pattern":
			if v := n.ChildByField("value"); v != nil {
				jsast.Walk(v, func(x *jsast.Node) bool {
					if (x.Type == "identifier" || x.Type == "shorthand_property_identifier_pattern") && f.Text(x) == name {
						found = true
					}
					return !found
				})
			}
			return false
		}
		return true
	})
	return found
}

// shortText trims source text for a message.
func shortText(f *jsast.File, n *jsast.Node) string {
	t := strings.Join(strings.Fields(f.Text(n)), " ")
	if len(t) > 60 {
		t = t[:57] + "..."
	}
	return t
}
