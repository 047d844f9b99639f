package model

import (
	"context"
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Middleware that runs for every request (Nuxt server middleware, a
// SvelteKit handle hook) often decides by the request's path: `if
// (isPublicRoute(event)) return`, `if (event.url.pathname.startsWith('/admin'))`.
// The adapters evaluate such a function once per entry path, with the
// request value carrying that path; these helpers give the path tests a
// value.

// stringTest evaluates s.startsWith(x), s.endsWith(x) and s.includes(x)
// when both strings are literals (the request path is one when known).
func stringTest(obj value, prop string, args []*jsast.Node, f *jsast.File) (value, bool) {
	s := strings.TrimPrefix(obj.lit, "s:")
	switch {
	case len(args) != 1:
		return value{}, false
	case obj.kind == vRequest && obj.path != "":
		s = obj.path // req.url of a Node request: the path (and query)
	case obj.kind != vLiteral || !strings.HasPrefix(obj.lit, "s:"):
		return value{}, false
	}
	arg, ok := f.StringValue(args[0])
	if !ok {
		return value{}, false
	}
	var b bool
	switch prop {
	case "startsWith":
		b = strings.HasPrefix(s, arg)
	case "endsWith":
		b = strings.HasSuffix(s, arg)
	case "includes":
		b = strings.Contains(s, arg)
	default:
		return value{}, false
	}
	if b {
		return value{kind: vLiteral, lit: "true"}, true
	}
	return value{kind: vLiteral, lit: "false"}, true
}

// listTest evaluates list.includes(s) where list is an array of string
// literals (inline or a module constant) and s a known string: the request
// path of the entry being evaluated (a list of public paths a hook lets
// through) or a literal.
func (a *analyzer) listTest(list *jsast.Node, prop string, args []*jsast.Node) (value, bool) {
	if prop != "includes" || len(args) != 1 {
		return value{}, false
	}
	list = jsast.Unwrap(list)
	if list != nil && list.Type == "identifier" {
		list = jsast.Unwrap(a.f.LocalValue(a.f.Text(list)))
	}
	if list == nil || list.Type != "array" {
		return value{}, false
	}
	vals, _, ok := a.f.StringList(list)
	if !ok {
		return value{}, false
	}
	arg := a.classify(args[0])
	s := ""
	switch {
	case arg.kind == vRequest && arg.path != "":
		s = arg.path
	case arg.kind == vLiteral && strings.HasPrefix(arg.lit, "s:"):
		s = strings.TrimPrefix(arg.lit, "s:")
	default:
		return value{}, false
	}
	for _, v := range vals {
		if v == s {
			return value{kind: vLiteral, lit: "true"}, true
		}
	}
	return value{kind: vLiteral, lit: "false"}, true
}

// requestRead classifies a call of a framework's request reader
// (knowledge.RequestReaderOf): getRouterParam(event, 'id') is a path
// parameter the caller chooses; getHeader(event, 'authorization') is a
// credential an anonymous caller does not have.
func (a *analyzer) requestRead(name string, args []*jsast.Node) (value, bool) {
	module := ""
	if im, ok := a.f.ImportOf(name); ok {
		module, name = im.Source, im.Imported
	}
	r, ok := knowledge.RequestReaderOf(module, name)
	if !ok || len(args) == 0 {
		return value{}, false
	}
	req := a.classify(args[0])
	if req.kind != vReq {
		return value{}, false
	}
	src := InputSource(r.Part)
	if r.URL && req.path != "" {
		return value{kind: vRequest, src: src, path: req.path}, true // getRequestURL(event).pathname
	}
	if r.Named && len(args) > 1 {
		if h, ok := a.f.StringValue(args[1]); ok && credentialName(h) {
			return value{kind: vCred, src: src}, true
		}
	}
	return value{kind: vRequest, src: src}, true
}

// routeMatch evaluates `isPublic(event)` where `const isPublic =
// createRouteMatcher([...])` of a Clerk SDK, for a request whose path is
// known: true or false when the patterns decide it, unknown otherwise.
func (a *analyzer) routeMatch(name string, args []*jsast.Node) (value, bool) {
	if len(args) == 0 {
		return value{}, false
	}
	decl := jsast.Unwrap(a.f.LocalValue(name))
	if decl == nil || decl.Type != "call_expression" {
		return value{}, false
	}
	callee := jsast.Unwrap(decl.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return value{}, false
	}
	if exp, _ := a.m.clerkExportOf(a.ctx, a.f, a.f.Text(callee)); exp != "createRouteMatcher" {
		return value{}, false
	}
	req := a.classify(args[0])
	margs := jsast.Args(decl)
	if req.kind != vReq || req.path == "" || len(margs) == 0 || a.m.proj == nil {
		return value{}, true
	}
	list, _, ok := a.f.StringList(margs[0])
	if !ok {
		return value{}, true
	}
	verdict := "false"
	for _, src := range list {
		p := project.CompileRoutePattern(a.m.proj.Patterns(), a.f.Path, src, decl.Line)
		if p == nil {
			return value{}, true
		}
		switch p.Eval(req.path) {
		case boundedre.Match:
			return value{kind: vLiteral, lit: "true"}, true
		case boundedre.Unknown:
			verdict = ""
		}
	}
	if verdict == "" {
		return value{}, true
	}
	return value{kind: vLiteral, lit: verdict}, true
}

// requestAt is what the model knows of a request to an entry: its path,
// the framework's route ID (SvelteKit's event.route.id, which keeps
// (group) segments) and its method, each "" when unknown.
type requestAt struct{ path, route, method string }

// knownMethod is the one method of an entry, or "" (several, or ALL).
func knownMethod(ms []string) string {
	if len(ms) == 1 && ms[0] != "ALL" {
		return ms[0]
	}
	return ""
}

// pathGate evaluates a middleware function for a request to probe: does
// an anonymous caller reach its continuation? The continuation is the
// call of the function named next (a SvelteKit handle's resolve) or, when
// next is "", the function's normal completion (Nitro server middleware,
// which passes a request on by returning nothing). The request parameter
// (the first, or the `event` of a destructured first parameter) carries
// the path, so path tests and route matchers evaluate.
func (m *Model) pathGate(ctx context.Context, f *jsast.File, fn *jsast.Node, at requestAt, name string, via Via) Layer {
	probe := at.path
	loc := Location{File: f.Path, Line: fn.Line}
	r := roleHelper
	a := &analyzer{m: m, ctx: ctx, f: f, fn: fn, role: r, stack: []*jsast.Node{fn},
		vars: map[string]value{}, locals: nestedFuncs(f, fn), s: &summary{}, effs: map[*jsast.Node]*effect{}, seenIn: map[string]bool{}}
	req := value{kind: vReq, path: at.path, route: at.route, method: at.method}
	ps := params(fn)
	if len(ps) > 0 {
		if ps[0].Type == "object_pattern" {
			for _, c := range ps[0].NamedChildren() {
				key, local := "", (*jsast.Node)(nil)
				switch c.Type {
				case "shorthand_property_identifier_pattern":
					key, local = f.Text(c), c
				case "pair_pattern":
					key, local = f.Text(c.ChildByField("key")), c.ChildByField("value")
				}
				switch {
				case local == nil:
				case key == "resolve" && local.Type != "object_pattern":
					a.role, a.handler = roleWrapper, f.Text(local)
					a.vars[a.handler] = value{kind: vHandler}
				case key == "event" && local.Type == "shorthand_property_identifier_pattern":
					a.setVar(f.Text(local), req, local.Line)
				case key == "event":
					a.bindParam(local, req)
				}
			}
		} else {
			a.bindParam(ps[0], req)
		}
	}
	a.walkBody(a.role == roleHelper)
	a.returns()
	s := a.s
	l := Layer{Name: name, Location: loc, Via: via}
	var authz Authz
	for _, c := range s.checks {
		l.Proof = append(l.Proof, c.Proof)
		authz |= c.authz
	}
	switch {
	case (s.cont == no || !s.contSeen) && len(s.checks) > 0:
		l.Gate, l.Authz = GateRejects, authz|s.contAuthz
		l.Why = fmt.Sprintf("`%s` (%s) stops signed-out requests to %s (%s)", name, loc, probe, strings.TrimSuffix(s.checks[0].What, " exits"))
	case !s.contSeen:
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` (%s) never passes a request on, so what reaches %s could not be decided", name, loc, probe)
	case s.cont == yes:
		l.Gate, l.Why = GateNone, fmt.Sprintf("`%s` (%s) lets signed-out requests to %s through", name, loc, probe)
	default:
		why := strings.Join(s.unknown, "; ")
		if why == "" {
			why = "whether it stops a signed-out request could not be decided"
		}
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` (%s) on %s: %s", name, loc, probe, why)
	}
	return l
}
