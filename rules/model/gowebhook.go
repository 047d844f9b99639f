package model

import (
	"context"
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// ParsedBeforeVerify is a Go webhook handler that parses the payload
// before it verifies the payload's signature: the parse runs for every
// unsigned request.
type ParsedBeforeVerify struct {
	// Parse is the call that parses the body (json.Unmarshal(payload,
	// &body), json.NewDecoder(r.Body).Decode(&v)).
	Parse Proof
	// Verify is the signature verification (wh.Verify(payload, headers);
	// knowledge.VerifierOf) that runs after it.
	Verify Proof
	// Provider is the verifier's provider ("svix").
	Provider string
	// Fatal is set when the parse's error branch ends the process
	// (log.Fatal, os.Exit, panic): an unsigned request with a malformed
	// body stops the server.
	Fatal bool
}

// GoParsedBeforeVerify reports whether a Go entry's handler parses the
// payload it verifies (the same bytes, or the request body) before the
// verification call, in source order of its body. ok is false for a
// JavaScript entry, a handler without a verification, or one that
// verifies first.
func (m *Model) GoParsedBeforeVerify(_ context.Context, e *Entry) (ParsedBeforeVerify, bool) {
	fn := e.gofn
	if fn == nil || fn.body == nil {
		return ParsedBeforeVerify{}, false
	}
	f := fn.file
	var out ParsedBeforeVerify
	var parse *ast.CallExpr
	var parseBytes string // the identifier parsed, "" for a reader of the body
	var verify *ast.CallExpr
	ast.Inspect(fn.body, func(n ast.Node) bool {
		if verify != nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false // runs later, if at all
		}
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if v, ok := goVerifier(f, fn, c); ok {
			if parse != nil && (parseBytes == "" || len(c.Args) > 0 && goast.ExprName(c.Args[0]) == parseBytes) {
				verify, out.Provider = c, v.Provider
			}
			return false
		}
		if parse == nil {
			if b, ok := goBodyDecode(f, c); ok {
				parse, parseBytes = c, b
			}
		}
		return true
	})
	if verify == nil {
		return ParsedBeforeVerify{}, false
	}
	out.Parse = Proof{Location: Location{File: f.Path, Line: f.Line(parse.Pos())}, What: clip(f.Text(parse), 60)}
	out.Verify = Proof{Location: Location{File: f.Path, Line: f.Line(verify.Pos())}, What: goast.CallName(verify)}
	out.Fatal = goFatalOnError(fn.body, parse)
	return out, true
}

// goBodyDecode recognises a call that parses bytes or the request body
// into a value (knowledge.GoBodyDecoderOf): json.Unmarshal(payload, &v)
// gives "payload"; json.NewDecoder(r.Body).Decode(&v) gives "".
func goBodyDecode(f *goast.File, c *ast.CallExpr) (string, bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	if pkg, ok := sel.X.(*ast.Ident); ok {
		if path := importPath(f, pkg.Name); path != "" {
			if reader, ok := knowledge.GoBodyDecoderOf(path, sel.Sel.Name); ok && !reader && len(c.Args) > 0 {
				if b := goast.ExprName(c.Args[0]); b != "" {
					return b, true
				}
			}
		}
		return "", false
	}
	// json.NewDecoder(r.Body).Decode(&v)
	inner, ok := sel.X.(*ast.CallExpr)
	if !ok || sel.Sel.Name != "Decode" || len(inner.Args) == 0 {
		return "", false
	}
	isel, ok := inner.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	pkg, ok := isel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	if reader, ok := knowledge.GoBodyDecoderOf(importPath(f, pkg.Name), isel.Sel.Name); ok && reader {
		if s, ok := inner.Args[0].(*ast.SelectorExpr); ok && s.Sel.Name == "Body" {
			return "", true
		}
	}
	return "", false
}

// goVerifier recognises a webhook verification call of a Go library
// (knowledge.VerifierOf by import path): wh.Verify(payload, headers) where
// wh is made by svix.NewWebhook(secret) in the handler or its factory, or
// is a parameter of type *svix.Webhook.
func goVerifier(f *goast.File, fn *goFunc, c *ast.CallExpr) (knowledge.Verifier, bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return knowledge.Verifier{}, false
	}
	recv, ok := sel.X.(*ast.Ident)
	if !ok {
		return knowledge.Verifier{}, false
	}
	for g := fn; g != nil; g = g.outer {
		if path := goValuePackage(f, g, recv.Name); path != "" {
			if v, ok := knowledge.VerifierOf(path, sel.Sel.Name); ok {
				return v, true
			}
		}
	}
	return knowledge.Verifier{}, false
}

// goValuePackage returns the import path of the package whose constructor
// or type a variable of fn comes from: `wh, err := svix.NewWebhook(s)`,
// `wh *svix.Webhook` as a parameter.
func goValuePackage(f *goast.File, fn *goFunc, name string) string {
	pkgOf := func(e ast.Expr) string {
		for {
			switch x := e.(type) {
			case *ast.StarExpr:
				e = x.X
				continue
			case *ast.CallExpr:
				e = x.Fun
				continue
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					return importPath(f, id.Name)
				}
			}
			return ""
		}
	}
	if fn.typ != nil && fn.typ.Params != nil {
		for _, p := range fn.typ.Params.List {
			for _, n := range p.Names {
				if n.Name == name {
					return pkgOf(p.Type)
				}
			}
		}
	}
	out := ""
	if fn.body == nil {
		return ""
	}
	ast.Inspect(fn.body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || out != "" || len(as.Rhs) != 1 {
			return out == ""
		}
		for _, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == name {
				out = pkgOf(as.Rhs[0])
			}
		}
		return out == ""
	})
	return out
}

// goFatalOnError reports whether the error of a parse call is handled by
// ending the process: `err = json.Unmarshal(...)` followed by
// `if err != nil { log.Fatal(err) }`, or the same check with the parse in
// the if statement's init.
func goFatalOnError(body *ast.BlockStmt, parse *ast.CallExpr) bool {
	ends := func(ifs *ast.IfStmt) bool {
		if !goast.Mentions(ifs.Cond, "err") {
			return false
		}
		for _, st := range ifs.Body.List {
			if es, ok := st.(*ast.ExprStmt); ok {
				if c, ok := es.X.(*ast.CallExpr); ok && goEndsProcess(goast.CallName(c)) {
					return true
				}
			}
		}
		return false
	}
	within := func(n ast.Node) bool { return n != nil && n.Pos() <= parse.Pos() && parse.End() <= n.End() }
	fatal := false
	ast.Inspect(body, func(n ast.Node) bool {
		b, ok := n.(*ast.BlockStmt)
		if !ok || fatal {
			return !fatal
		}
		for i, st := range b.List {
			if !within(st) {
				continue
			}
			switch x := st.(type) {
			case *ast.IfStmt:
				if x.Init != nil && within(x.Init) {
					fatal = ends(x)
				}
			case *ast.AssignStmt:
				if i+1 < len(b.List) {
					if ifs, ok := b.List[i+1].(*ast.IfStmt); ok {
						fatal = ends(ifs)
					}
				}
			}
		}
		return !fatal
	})
	return fatal
}

// GoWebhook is what a Go entry's handler does with a Clerk webhook
// delivery: the Clerk event type it tests (knowledge.IsClerkWebhookEvent:
// `evt.Type == "user.created"`) and the signature verification it calls
// (knowledge.VerifierOf: svix's wh.Verify), if any.
type GoWebhook struct {
	// Event is the first Clerk event type literal of the handler.
	Event Proof
	// Verify is the verification call; its What is "" when the handler
	// calls none.
	Verify Proof
	// Provider is the verifier's provider ("svix"), "" without one.
	Provider string
	// SignatureRead is the first webhook signature header
	// (knowledge.SignatureHeader: "svix-signature") the handler or a
	// middleware in front of it names: a check by hand, CLK-WH-004's
	// question; What is "" when none does.
	SignatureRead Proof
}

// GoClerkWebhook reports whether a Go entry's handler handles Clerk
// webhook events (it names a Clerk event type), and whether it verifies
// the delivery's signature. The handler's own body is read, the
// functions of the snapshot it calls (a verify helper) and the
// middleware of its chain: a verification there counts. ok is false for
// a JavaScript entry or a handler that names no Clerk event.
func (m *Model) GoClerkWebhook(ctx context.Context, e *Entry) (GoWebhook, bool) {
	fn := e.gofn
	if fn == nil || fn.body == nil {
		return GoWebhook{}, false
	}
	var out GoWebhook
	f := fn.file
	ast.Inspect(fn.body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && out.Event.What == "" && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && knowledge.IsClerkWebhookEvent(s) {
				out.Event = Proof{Location: Location{File: f.Path, Line: f.Line(lit.Pos())}, What: s}
			}
		}
		return true
	})
	if out.Event.What == "" {
		return GoWebhook{}, false
	}
	seen := map[ast.Node]bool{}
	var visit func(g *goFunc, depth int)
	visit = func(g *goFunc, depth int) {
		if g == nil || g.body == nil || seen[g.node] || depth > MaxDepth || out.Verify.What != "" {
			return
		}
		seen[g.node] = true
		ast.Inspect(g.body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && out.SignatureRead.What == "" {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					if _, ok := knowledge.SignatureHeader(strings.ToLower(s)); ok {
						out.SignatureRead = Proof{Location: Location{File: g.file.Path, Line: g.file.Line(lit.Pos())}, What: s}
					}
				}
			}
			c, ok := n.(*ast.CallExpr)
			if !ok || out.Verify.What != "" {
				return out.Verify.What == ""
			}
			if v, ok := goVerifier(g.file, g, c); ok {
				out.Verify = Proof{Location: Location{File: g.file.Path, Line: g.file.Line(c.Pos())}, What: goast.CallName(c)}
				out.Provider = v.Provider
				return false
			}
			visit(m.goProg(ctx).resolveCallee(g.file, c.Fun), depth+1)
			return true
		})
	}
	for _, l := range e.Chain {
		visit(l.gofn, 0)
	}
	visit(fn, 0)
	return out, true
}

// SkippableCheck is a comparison of a request header with an expected
// value that runs only when the header is present (`if h != "" && h !=
// secret { reject }`, or the reject nested in `if h != "" { ... }`): a
// caller that omits the header skips it.
type SkippableCheck struct {
	// Header is the header's name ("X-Webhook-Secret").
	Header string
	// Guard is the condition that skips the check, at its if.
	Guard Proof
}

// GoSkippableCheck returns the header comparisons of a Go entry's handler
// that a request skips by leaving the header out: the handler reads the
// header into a variable, and every if that compares the variable with
// another value and ends the request sits under a condition that also
// requires the variable to be non-empty, with no check of the empty
// header ending the request elsewhere in the handler. ok is false for a
// JavaScript entry or a handler without one.
func (m *Model) GoSkippableCheck(ctx context.Context, e *Entry) ([]SkippableCheck, bool) {
	fn := e.gofn
	if fn == nil || fn.body == nil {
		return nil, false
	}
	f := fn.file
	var out []SkippableCheck
	for _, h := range m.HeaderReads(ctx, e) {
		if h.Var == "" || len(h.Via) > 0 || h.File != f.Path {
			continue
		}
		var guard *ast.IfStmt
		required := false
		var walk func(n ast.Node, under *ast.IfStmt)
		walk = func(n ast.Node, under *ast.IfStmt) {
			ast.Inspect(n, func(x ast.Node) bool {
				is, ok := x.(*ast.IfStmt)
				if !ok {
					_, lit := x.(*ast.FuncLit)
					return !lit
				}
				present, compared, absent := goHeaderConds(is.Cond, h.Var)
				ends := goEndsRequest(is.Body)
				switch {
				case absent && ends:
					required = true // if h == "" { reject }
				case compared && ends && !present && under == nil:
					required = true // compared whether present or not
				case compared && ends && guard == nil && (present || under != nil):
					if present {
						guard = is
					} else {
						guard = under
					}
				}
				if is.Init != nil {
					walk(is.Init, under)
				}
				next := under
				if present && !compared && next == nil {
					next = is
				}
				walk(is.Body, next)
				if is.Else != nil {
					walk(is.Else, under)
				}
				return false
			})
		}
		walk(fn.body, nil)
		if guard != nil && !required {
			out = append(out, SkippableCheck{Header: h.Header,
				Guard: Proof{Location: Location{File: f.Path, Line: f.Line(guard.Pos())}, What: clip(f.Text(guard.Cond), 80)}})
		}
	}
	return out, len(out) > 0
}

// goHeaderConds reads the && terms of cond for the header variable v:
// present (v != ""), compared (v != x or x != v, x not ""), absent
// (v == "", as the whole condition or one || term).
func goHeaderConds(cond ast.Expr, v string) (present, compared, absent bool) {
	var terms func(e ast.Expr, and bool)
	terms = func(e ast.Expr, and bool) {
		b, ok := ast.Unparen(e).(*ast.BinaryExpr)
		if !ok {
			return
		}
		switch b.Op {
		case token.LAND:
			terms(b.X, and)
			terms(b.Y, and)
			return
		case token.LOR:
			terms(b.X, false)
			terms(b.Y, false)
			return
		}
		x, y := goast.ExprName(b.X), goast.ExprName(b.Y)
		if x != v && y != v {
			return
		}
		other := b.Y
		if y == v {
			other = b.X
		}
		empty := false
		if lit, ok := ast.Unparen(other).(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			empty = err == nil && s == ""
		}
		switch {
		case b.Op == token.NEQ && empty && and:
			present = true
		case b.Op == token.EQL && empty:
			absent = true
		case (b.Op == token.NEQ || b.Op == token.EQL) && !empty:
			compared = true
		}
	}
	terms(cond, true)
	return present, compared, absent
}

// goEndsRequest reports whether a block ends the request: it returns.
func goEndsRequest(b *ast.BlockStmt) bool {
	for _, s := range b.List {
		if _, ok := s.(*ast.ReturnStmt); ok {
			return true
		}
	}
	return false
}
