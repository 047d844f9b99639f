package model

import (
	"context"
	"fmt"
	"slices"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// Server Actions built with an action client library (next-safe-action,
// rules/knowledge actionClients): the export of a 'use server' module is
// `client.inputSchema(s).action(fn)`, where client is
// `createSafeActionClient(...).use(mw)...`, usually declared in another
// module. The action is fn; the client's middleware run before it in
// order, and what they pass on with next({ ctx }) is fn's ctx.

// actionClientChain reads the chain an exported action value is built
// with. ok is false when v is not a call whose terminal method is an
// action client's and whose base reaches the client's constructor; the
// layers are the middleware of the chain, base first.
func (m *Model) actionClientChain(ctx context.Context, f *jsast.File, v *jsast.Node) (layers []Layer, ok bool) {
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" {
		return nil, false
	}
	last := methodName(f, v)
	if !knowledge.IsActionTerminal(last) {
		return nil, false
	}
	c, layers, ok := m.actionClientBase(ctx, f, v, 0)
	if !ok || !slices.Contains(c.Terminal, last) {
		return nil, false
	}
	return layers, true
}

// actionClientBase follows a builder expression to the action client's
// constructor call, collecting the middleware its .use() calls add.
func (m *Model) actionClientBase(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) (knowledge.ActionClient, []Layer, bool) {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return knowledge.ActionClient{}, nil, false
	}
	switch n.Type {
	case "call_expression":
		fn := jsast.Unwrap(n.ChildByField("function"))
		if fn == nil {
			return knowledge.ActionClient{}, nil, false
		}
		if fn.Type != "member_expression" {
			// createSafeActionClient(opts): the constructor, imported from the library.
			if fn.Type != "identifier" {
				return knowledge.ActionClient{}, nil, false
			}
			o, ok, err := m.origin(ctx, f, f.Text(fn))
			if err != nil || !ok || o.Module.Kind != modules.External {
				return knowledge.ActionClient{}, nil, false
			}
			c, ok := knowledge.ActionClientOf(o.Module.Package+o.Module.Subpath, o.Name)
			return c, nil, ok
		}
		c, layers, ok := m.actionClientBase(ctx, f, fn.ChildByField("object"), depth)
		if !ok {
			return c, nil, false
		}
		if slices.Contains(c.Middleware, f.Text(fn.ChildByField("property"))) {
			if args := jsast.Args(n); len(args) > 0 {
				layers = append(layers, m.actionMiddlewareLayer(ctx, f, args[0], clientName(f, n, f.Text(fn.ChildByField("property")))))
			}
		}
		return c, layers, true
	case "identifier":
		name := f.Text(n)
		if v := f.LocalValue(name); v != nil {
			return m.actionClientBase(ctx, f, v, depth+1)
		}
		o, ok, err := m.origin(ctx, f, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return knowledge.ActionClient{}, nil, false
		}
		of, v, err := m.originValue(ctx, o)
		if err != nil || v == nil {
			return knowledge.ActionClient{}, nil, false
		}
		return m.actionClientBase(ctx, of, v, depth+1)
	}
	return knowledge.ActionClient{}, nil, false
}

// actionMiddlewareLayer analyses one middleware of an action client over
// its ({ ctx, next, clientInput }) argument: it rejects when a signed-out
// caller never reaches next(), attaches when it reads the identity and
// passes it on.
func (m *Model) actionMiddlewareLayer(ctx context.Context, f *jsast.File, arg *jsast.Node, client string) Layer {
	name := clip(f.Text(jsast.Unwrap(arg)), 40)
	if u := jsast.Unwrap(arg); client != "" && u != nil && jsast.IsFunction(u) {
		name = client
	}
	l := Layer{Name: name, Location: Location{File: f.Path, Line: arg.Line}, Via: ViaProcedure}
	ref, err := m.resolveFunc(ctx, f, middlewareFn(f, arg), nil, 0)
	if err != nil {
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("the action middleware `%s` could not be followed", name)
		return l
	}
	if ref.name == "" || ref.name == "anonymous function" || client != "" && jsast.IsFunction(jsast.Unwrap(arg)) {
		ref.name = name
	}
	s := m.summarizeSeeded(ctx, ref.file, ref.fn, roleMiddleware, nil, mwSeeds, 0, nil)
	return middlewareGate(l, s, ref.name, Location{File: ref.file.Path, Line: ref.fn.Line}, "next()")
}

// exportedActionClient returns the middleware layers of the export name
// of f when its value is an action client chain.
func (m *Model) exportedActionClient(ctx context.Context, f *jsast.File, name string) ([]Layer, bool) {
	for _, ex := range f.Exports() {
		if ex.Name == name && ex.Value != nil {
			return m.actionClientChain(ctx, f, ex.Value)
		}
	}
	return nil, false
}

// clientName names a middleware call after the client it is declared as
// (`authClient.use()` for `export const authClient = base.use(...)`), or
// "".
func clientName(f *jsast.File, call *jsast.Node, method string) string {
	p := call.Parent
	for p != nil && (p.Type == "parenthesized_expression" || p.Type == "as_expression" || p.Type == "satisfies_expression") {
		p = p.Parent
	}
	if p != nil && p.Type == "variable_declarator" {
		return f.Text(p.ChildByField("name")) + "." + method + "()"
	}
	return ""
}
