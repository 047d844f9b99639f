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
// of f when its value is an action client chain, and the roles of the
// action's parameters: ({ parsedInput, ctx }) for a chain,
// (parsedInput, { ctx }) for a client called as a function.
func (m *Model) exportedActionClient(ctx context.Context, f *jsast.File, name string) ([]Layer, []ParamRole, bool) {
	for _, ex := range f.Exports() {
		if ex.Name != name || ex.Value == nil {
			continue
		}
		ctxRole := func(layers []Layer) ParamRole {
			if identityLayer(layers) {
				return ParamIdentityContext // its ctx carries the identity the middleware read
			}
			return ParamRequestContext
		}
		if layers, ok := m.actionClientChain(ctx, f, ex.Value); ok {
			return layers, []ParamRole{ctxRole(layers)}, true
		}
		if layers, ok := m.calledActionClient(ctx, f, ex.Value); ok {
			return layers, []ParamRole{ParamClientValue, ctxRole(layers)}, true
		}
	}
	return nil, nil, false
}

// calledActionClient reads `client(schema, fn)` where client is the
// constructor's result (before next-safe-action v7): the layer is its
// middleware option's function, analysed over the parsed input.
func (m *Model) calledActionClient(ctx context.Context, f *jsast.File, v *jsast.Node) ([]Layer, bool) {
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" {
		return nil, false
	}
	callee := jsast.Unwrap(v.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return nil, false
	}
	cf, cv := f, jsast.Unwrap(f.LocalValue(f.Text(callee)))
	if cv == nil {
		o, ok, err := m.origin(ctx, f, f.Text(callee))
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil, false
		}
		of, ov, err := m.originValue(ctx, o)
		if err != nil || ov == nil {
			return nil, false
		}
		cf, cv = of, jsast.Unwrap(ov)
	}
	if cv == nil || cv.Type != "call_expression" {
		return nil, false
	}
	c, _, ok := m.actionClientBase(ctx, cf, cv, 0)
	if !ok || c.MiddlewareOption == "" {
		return nil, false
	}
	args := jsast.Args(cv)
	if len(args) == 0 {
		return nil, true // no option: nothing runs before the action
	}
	opts := jsast.Unwrap(args[0])
	if opts == nil || opts.Type != "object" {
		return nil, true
	}
	mw := cf.ObjectProp(opts, c.MiddlewareOption)
	if mw == nil {
		return nil, true
	}
	name := f.Text(callee)
	l := Layer{Name: name, Location: Location{File: cf.Path, Line: mw.Line}, Via: ViaProcedure}
	ref, err := m.resolveFunc(ctx, cf, mw, nil, 0)
	if err != nil {
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("the `%s` option of `%s` could not be followed", c.MiddlewareOption, name)
		return []Layer{l}, true
	}
	s := m.summarize(ctx, ref.file, ref.fn, roleHandler, []ParamRole{ParamClientValue}, 0, nil)
	for _, ch := range s.checks {
		l.Proof = append(l.Proof, ch.Proof)
		l.Authz |= ch.authz
	}
	switch {
	case s.cont == no && len(s.checks) > 0:
		l.Gate = GateRejects
		l.Why = fmt.Sprintf("the `%s` option of `%s` (%s:%d) throws for a signed-out caller before the action runs", c.MiddlewareOption, name, ref.file.Path, ref.fn.Line)
	case len(s.unknown) > 0:
		l.Gate, l.Why = GateUnknown, s.unknown[0]
	case len(s.reads) > 0:
		l.Gate = GateAttaches
		l.Why = fmt.Sprintf("the `%s` option of `%s` (%s:%d) reads %s but lets signed-out callers through", c.MiddlewareOption, name, ref.file.Path, ref.fn.Line, readsWhat(s.reads))
	default:
		l.Gate = GateNone
	}
	return []Layer{l}, true
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
