package project

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// The middleware handler is summarised as a predicate over the URL path:
// "does a signed-out request to this path get stopped?". Conditions on
// createRouteMatcher results and on pathname prefixes are evaluated per
// path; conditions on the auth state take their signed-out value
// (userId null, has() false); anything else is unknown, in three-valued
// (Kleene) logic.

type tri int

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

type pred interface{ eval(urlPath string) tri }

type predConst struct{ v tri }

func (p predConst) eval(string) tri { return p.v }

type predNot struct{ p pred }

func (p predNot) eval(u string) tri {
	switch p.p.eval(u) {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

type predAnd struct{ a, b pred }

func (p predAnd) eval(u string) tri {
	x := p.a.eval(u)
	if x == triFalse {
		return triFalse
	}
	y := p.b.eval(u)
	switch {
	case y == triFalse:
		return triFalse
	case x == triTrue && y == triTrue:
		return triTrue
	}
	return triUnknown
}

type predOr struct{ a, b pred }

func (p predOr) eval(u string) tri {
	x := p.a.eval(u)
	if x == triTrue {
		return triTrue
	}
	y := p.b.eval(u)
	switch {
	case y == triTrue:
		return triTrue
	case x == triFalse && y == triFalse:
		return triFalse
	}
	return triUnknown
}

type predMatcher struct{ m *RouteMatcher }

func (p predMatcher) eval(u string) tri { return triOf(p.m.Eval(u), p.m.NonConst) }

type predPublic struct{ mw *Middleware }

func (p predPublic) eval(u string) tri { return triOf(p.mw.publicVerdict(u), p.mw.RoutesNonConst) }

// triOf turns a pattern verdict into a predicate value: a pattern that
// could not be evaluated, or a list with non-constant parts that matched
// nothing, is unknown.
func triOf(v boundedre.Verdict, nonConst bool) tri {
	switch {
	case v == boundedre.Match:
		return triTrue
	case v == boundedre.Unknown || nonConst:
		return triUnknown
	}
	return triFalse
}

type predPrefix struct{ prefix string }

func (p predPrefix) eval(u string) tri {
	if strings.HasPrefix(u, p.prefix) {
		return triTrue
	}
	return triFalse
}

var (
	predTrue    pred = predConst{triTrue}
	predFalse   pred = predConst{triFalse}
	predUnknown pred = predConst{triUnknown}
)

func isConst(p pred, v tri) bool {
	c, ok := p.(predConst)
	return ok && c.v == v
}

func and(a, b pred) pred {
	switch {
	case isConst(a, triFalse) || isConst(b, triFalse):
		return predFalse
	case isConst(a, triTrue):
		return b
	case isConst(b, triTrue):
		return a
	}
	return predAnd{a, b}
}

func or(a, b pred) pred {
	switch {
	case isConst(a, triTrue) || isConst(b, triTrue):
		return predTrue
	case isConst(a, triFalse):
		return b
	case isConst(b, triFalse):
		return a
	}
	return predOr{a, b}
}

func not(a pred) pred {
	switch {
	case isConst(a, triTrue):
		return predFalse
	case isConst(a, triFalse):
		return predTrue
	}
	return predNot{a}
}

// authFields are the Auth object fields whose signed-out value is falsy.
var authFields = map[string]bool{"userId": true, "sessionId": true, "isAuthenticated": true, "isSignedIn": true,
	"orgId": true, "orgRole": true, "orgSlug": true, "sessionClaims": true, "actor": true}

// handlerAnalysis evaluates a clerkMiddleware handler (or a legacy
// afterAuth) for a signed-out request.
type handlerAnalysis struct {
	f      *jsast.File
	mw     *Middleware
	era    Era
	legacy bool // authMiddleware afterAuth(auth, req): auth is the Auth object
	auth   string
	opaque bool
	// authz counts only the protect() calls that demand an authorization
	// (demandsAuthz), for Middleware.Authorizes.
	authz bool
}

func (an *handlerAnalysis) params(fn *jsast.Node) {
	ps := fn.ChildByField("parameters")
	if ps == nil {
		if p := fn.ChildByField("parameter"); p != nil {
			an.auth = an.f.Text(p)
		}
		return
	}
	for _, p := range ps.NamedChildren() {
		if pat := p.ChildByField("pattern"); pat != nil {
			p = pat
		}
		if p.Type == "identifier" {
			an.auth = an.f.Text(p)
		}
		return
	}
}

// function returns the predicate "the handler stops a signed-out request".
func (an *handlerAnalysis) function(fn *jsast.Node) pred {
	body := fn.ChildByField("body")
	if body == nil {
		return predFalse
	}
	if body.Type != "statement_block" {
		if an.isProtectExpr(body) {
			an.mw.ProtectLines = append(an.mw.ProtectLines, body.Line)
			return predTrue
		}
		an.checkOpaque(body)
		return predFalse
	}
	p, _, _ := an.block(body.NamedChildren(), predTrue)
	return p
}

func (an *handlerAnalysis) stmt(n *jsast.Node, reach pred) (protect, after pred, exits bool) {
	if n.Type == "statement_block" {
		return an.block(n.NamedChildren(), reach)
	}
	return an.block([]*jsast.Node{n}, reach)
}

// block walks statements in order, tracking the condition under which
// execution reaches each one.
func (an *handlerAnalysis) block(stmts []*jsast.Node, reach pred) (protect, after pred, exits bool) {
	protect = predFalse
	for _, st := range stmts {
		switch st.Type {
		case "comment", "empty_statement":
		case "expression_statement", "lexical_declaration", "variable_declaration":
			if an.isProtectStmt(st) {
				an.mw.ProtectLines = append(an.mw.ProtectLines, st.Line)
				return or(protect, reach), predFalse, true
			}
			an.checkOpaque(st)
		case "return_statement":
			if e := firstNamed(st); e != nil {
				if an.isProtectExpr(e) {
					an.mw.ProtectLines = append(an.mw.ProtectLines, st.Line)
					return or(protect, reach), predFalse, true
				}
				an.checkOpaque(e)
			}
			return protect, predFalse, true
		case "throw_statement":
			return protect, predFalse, true
		case "if_statement":
			test := st.ChildByField("condition")
			cond := an.cond(test)
			authCond := !an.authz && an.mentionsAuth(test)
			p1, r1, e1 := an.stmt(st.ChildByField("consequence"), and(reach, cond))
			if authCond && e1 && an.denies(st.ChildByField("consequence")) {
				p1 = or(p1, and(reach, cond))
				an.mw.ProtectLines = append(an.mw.ProtectLines, st.Line)
			}
			p2, r2, e2 := predFalse, and(reach, not(cond)), false
			if alt := st.ChildByField("alternative"); alt != nil {
				if inner := firstNamed(alt); inner != nil {
					p2, r2, e2 = an.stmt(inner, and(reach, not(cond)))
					if authCond && e2 && an.denies(inner) {
						p2 = or(p2, and(reach, not(cond)))
					}
				}
			}
			protect = or(protect, or(p1, p2))
			reach = or(r1, r2)
			if e1 && e2 {
				return protect, predFalse, true
			}
		case "statement_block":
			p, r, e := an.block(st.NamedChildren(), reach)
			protect, reach = or(protect, p), r
			if e {
				return protect, predFalse, true
			}
		case "try_statement":
			if b := st.ChildByField("body"); b != nil {
				p, r, e := an.block(b.NamedChildren(), reach)
				protect, reach = or(protect, p), r
				if e {
					return protect, predFalse, true
				}
			}
		case "function_declaration":
			// A nested helper: only its calls matter, checked by checkOpaque.
		default:
			an.checkOpaque(st)
		}
	}
	return protect, reach, false
}

// denies reports whether an exiting branch turns the request away
// (redirect, 401/403, notFound, throw) rather than letting it through.
func (an *handlerAnalysis) denies(n *jsast.Node) bool {
	t := strings.ToLower(an.f.Text(n))
	if strings.Contains(t, "next()") && !strings.Contains(t, "redirect") {
		return false
	}
	for _, k := range []string{"redirect", "401", "403", "unauthorized", "forbidden", "notfound", "sign-in", "signin", "login", "throw "} {
		if strings.Contains(t, k) {
			return true
		}
	}
	return false
}

func firstNamed(n *jsast.Node) *jsast.Node {
	for _, c := range n.NamedChildren() {
		return c
	}
	return nil
}

func (an *handlerAnalysis) isProtectStmt(st *jsast.Node) bool {
	switch st.Type {
	case "expression_statement":
		if e := firstNamed(st); e != nil {
			return an.isProtectExpr(e)
		}
	case "lexical_declaration", "variable_declaration":
		if d := firstNamed(st); d != nil && d.Type == "variable_declarator" {
			return an.isProtectExpr(d.ChildByField("value"))
		}
	}
	return false
}

// isProtectExpr recognises auth.protect(), auth().protect(),
// (await auth()).protect(), redirectToSignIn() and
// auth().redirectToSignIn(), awaited or not.
func (an *handlerAnalysis) isProtectExpr(e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil || e.Type != "call_expression" {
		return false
	}
	name := an.f.CalleeName(e)
	last := jsast.LastSegment(name)
	if last != "protect" && last != "redirectToSignIn" {
		return false
	}
	if an.authz && !demandsAuthz(an.f, e) {
		return false
	}
	if name == last {
		return true // a destructured protect/redirectToSignIn
	}
	root := name
	if i := strings.IndexAny(root, ".("); i >= 0 {
		root = root[:i]
	}
	return root == an.auth || an.f.ResolveClerk(root) == "auth"
}

// demandsAuthz reports a protect() call that demands more than a session:
// auth.protect({ role | permission | plan | feature }) or an authorization
// callback, auth.protect((has) => has({ ... }))
// (https://clerk.com/docs/reference/nextjs/clerk-middleware#protect-routes-based-on-authorization-status).
func demandsAuthz(f *jsast.File, call *jsast.Node) bool {
	if jsast.LastSegment(f.CalleeName(call)) != "protect" {
		return false
	}
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	a := jsast.Unwrap(args[0])
	if jsast.IsFunction(a) {
		return true
	}
	for _, k := range f.ObjectKeys(a) {
		switch k {
		case "role", "permission", "plan", "feature":
			return true
		}
	}
	return false
}

// checkOpaque marks the analysis opaque when a statement protects in a
// way the walk does not follow (a protect call inside a callback or loop)
// or hands `auth` to a helper.
func (an *handlerAnalysis) checkOpaque(n *jsast.Node) {
	jsast.Walk(n, func(x *jsast.Node) bool {
		if an.opaque {
			return false
		}
		if x.Type != "call_expression" {
			return true
		}
		if an.isProtectExpr(x) {
			an.opaque = true
			return false
		}
		if an.auth != "" {
			for _, arg := range jsast.Args(x) {
				if u := jsast.Unwrap(arg); u != nil && u.Type == "identifier" && an.f.Text(u) == an.auth {
					an.opaque = true
					return false
				}
			}
		}
		return true
	})
}

// mentionsAuth reports whether a condition reads the auth state.
func (an *handlerAnalysis) mentionsAuth(test *jsast.Node) bool {
	found := false
	jsast.Walk(test, func(x *jsast.Node) bool {
		switch x.Type {
		case "identifier", "property_identifier", "shorthand_property_identifier":
			if authFields[an.f.Text(x)] {
				found = true
			}
		case "call_expression":
			if jsast.LastSegment(an.f.CalleeName(x)) == "has" {
				found = true
			}
		}
		return !found
	})
	return found
}

// cond translates a condition into a predicate for a signed-out request.
func (an *handlerAnalysis) cond(n *jsast.Node) pred {
	n = jsast.Unwrap(n)
	if n == nil {
		return predUnknown
	}
	f := an.f
	switch n.Type {
	case "unary_expression":
		if op := n.ChildByField("operator"); op != nil && f.Text(op) == "!" {
			return not(an.cond(n.ChildByField("argument")))
		}
	case "binary_expression":
		op := f.Text(n.ChildByField("operator"))
		l, r := n.ChildByField("left"), n.ChildByField("right")
		switch op {
		case "&&":
			return and(an.cond(l), an.cond(r))
		case "||":
			return or(an.cond(l), an.cond(r))
		case "===", "==", "!==", "!=":
			field, other := l, r
			if !an.isAuthField(field) {
				field, other = r, l
			}
			if !an.isAuthField(field) {
				return predUnknown
			}
			ov := jsast.Unwrap(other)
			if ov == nil {
				return predUnknown
			}
			// Signed out: userId === null, isAuthenticated === false.
			var eq bool
			switch ov.Type {
			case "null", "undefined", "false":
				eq = true
			case "true":
				eq = false
			default:
				if f.Text(ov) == "undefined" {
					eq = op == "==" || op == "!="
					break
				}
				return predUnknown
			}
			if op == "!==" || op == "!=" {
				eq = !eq
			}
			if eq {
				return predTrue
			}
			return predFalse
		}
	case "call_expression":
		name := f.CalleeName(n)
		if rm := an.mw.RouteMatcherNamed(name); rm != nil {
			return predMatcher{rm}
		}
		if jsast.LastSegment(name) == "has" {
			return predFalse // has() is false when signed out
		}
		if strings.HasSuffix(name, "pathname.startsWith") {
			if args := jsast.Args(n); len(args) == 1 {
				if s, ok := f.StringValue(args[0]); ok {
					return predPrefix{s}
				}
			}
		}
	case "identifier", "member_expression":
		if an.legacy && jsast.LastSegment(f.Name(n)) == "isPublicRoute" {
			return predPublic{an.mw}
		}
		if an.isAuthField(n) {
			return predFalse
		}
	}
	return predUnknown
}

func (an *handlerAnalysis) isAuthField(n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	switch n.Type {
	case "identifier", "member_expression":
		return authFields[jsast.LastSegment(an.f.Name(n))]
	}
	return false
}
