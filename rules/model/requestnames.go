package model

import (
	"context"
	"slices"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// fnSpan names a function by its file and source span, the same whatever
// parse of the file a caller holds.
type fnSpan struct {
	path       string
	start, end int
}

// RequestNames returns the names under which fn (of the file at path)
// sees the request of an entry: the parameter its adapter marks as the
// request (Entry.Params: `req`, `c`, `event`; the `request` destructured
// from a request context, or the context itself when it is not
// destructured), and for a helper, the parameter that receives an
// entry's request (`handleWebhook(req)`), followed two calls deep. nil
// when no entry's request reaches fn (or the entries are unknown).
func (m *Model) RequestNames(ctx context.Context, path string, fn *jsast.Node) []string {
	if m == nil || fn == nil {
		return nil
	}
	idx, err := m.reqNames.get(func() (map[fnSpan][]string, error) { return m.requestNames(ctx) })
	if err != nil {
		return nil
	}
	return idx[fnSpan{path, fn.Start, fn.End}]
}

// requestNames indexes the request parameters of every entry function
// and of the helpers they pass the request to.
func (m *Model) requestNames(ctx context.Context) (map[fnSpan][]string, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := map[fnSpan][]string{}
	add := func(f *jsast.File, fn *jsast.Node, names []string) bool {
		k := fnSpan{f.Path, fn.Start, fn.End}
		grew := false
		for _, n := range names {
			if n != "" && !slices.Contains(out[k], n) {
				out[k] = append(out[k], n)
				grew = true
			}
		}
		return grew
	}
	var follow func(f *jsast.File, fn *jsast.Node, names []string, depth int)
	follow = func(f *jsast.File, fn *jsast.Node, names []string, depth int) {
		if !add(f, fn, names) || depth >= 2 {
			return
		}
		jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
			if n.Type != "call_expression" || ctx.Err() != nil {
				return ctx.Err() == nil
			}
			passed := -1
			for i, a := range jsast.Args(n) {
				if a = jsast.Unwrap(a); a != nil && a.Type == "identifier" && slices.Contains(names, f.Text(a)) {
					passed = i
				}
			}
			if passed < 0 {
				return true
			}
			c := m.Callee(ctx, f, n)
			if c.Kind != CalleeFunction || c.Fn == nil || c.File == nil || c.Fn == fn {
				return true
			}
			for i, a := range c.Args {
				if a = jsast.Unwrap(a); a == nil || a.Type != "identifier" || !slices.Contains(names, f.Text(a)) {
					continue
				}
				if ps := params(c.Fn); i < len(ps) && ps[i].Type == "identifier" {
					follow(c.File, c.Fn, []string{c.File.Text(ps[i])}, depth+1)
				}
			}
			return true
		})
	}
	for _, e := range es {
		if e.Fn == nil || e.FnFile == nil {
			continue
		}
		if names := entryRequestNames(e.FnFile, e.Fn, e.Params); len(names) > 0 {
			follow(e.FnFile, e.Fn, names, 0)
		}
	}
	return out, ctx.Err()
}

// entryRequestNames returns the names an entry function's parameters
// give the request, by the roles its adapter assigned.
func entryRequestNames(f *jsast.File, fn *jsast.Node, roles []ParamRole) []string {
	var out []string
	for i, p := range params(fn) {
		if i >= len(roles) {
			break
		}
		switch roles[i] {
		case ParamRequest, ParamRequestContext, ParamIdentityContext, ParamGSSPContext:
		default:
			continue
		}
		switch p.Type {
		case "identifier":
			out = append(out, f.Text(p))
		case "object_pattern":
			// ({ request }) of a request context, ({ req }) of
			// getServerSideProps, ({ request: r })
			for _, c := range p.NamedChildren() {
				switch c.Type {
				case "shorthand_property_identifier_pattern":
					if n := f.Text(c); n == "request" || n == "req" {
						out = append(out, n)
					}
				case "pair_pattern":
					if k := f.Text(c.ChildByField("key")); k == "request" || k == "req" {
						if v := c.ChildByField("value"); v != nil && v.Type == "identifier" {
							out = append(out, f.Text(v))
						}
					}
				}
			}
		}
	}
	return out
}
