package routes

import (
	"fmt"
	"go/ast"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP016 flags Go handlers behind clerk-sdk-go's pass-through middleware
// that never check the session, and session-claims lookups whose ok is
// ignored.
var RP016 = &rules.Rule{
	ID:         "CLK-RP-016",
	Name:       "go-lax-middleware-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return f.Lang == source.LangGo && !strings.HasSuffix(f.Path, "_test.go") },
	Keywords:   []string{"github.com/clerk/clerk-sdk-go"},
	Doc: rules.Doc{
		Title: "Go handler behind Clerk's pass-through middleware without a session check",
		References: []string{
			"clerk/clerk-sdk-go http/middleware.go (WithHeaderAuthorization passes through, RequireHeaderAuthorization rejects)",
			"https://clerk.com/docs/guides/sessions/manual-jwt-verification",
		},
		Text: "In clerk-sdk-go v2, `WithHeaderAuthorization()` only verifies a Bearer token when there is one and puts " +
			"the claims in the request context: a request without a token (or with a malformed header) reaches the " +
			"handler unauthenticated. The handler must check the `ok` returned by `clerk.SessionClaimsFromContext` and " +
			"answer 401, or the route must use `RequireHeaderAuthorization()`, which answers 403. `claims, _ :=` discards " +
			"that check, and `claims.Subject` then dereferences a nil pointer. The v1 `WithSession`/`WithSessionV2` " +
			"middleware behaves the same way.",
		Bad: "mux.Handle(\"/api/orders\", clerkhttp.WithHeaderAuthorization()(http.HandlerFunc(orders)))\n\n" +
			"func orders(w http.ResponseWriter, r *http.Request) {\n\tclaims, _ := clerk.SessionClaimsFromContext(r.Context())\n\tlist(w, claims.Subject)\n}",
		Good: "mux.Handle(\"/api/orders\", clerkhttp.RequireHeaderAuthorization()(http.HandlerFunc(orders)))\n\n" +
			"func orders(w http.ResponseWriter, r *http.Request) {\n\tclaims, ok := clerk.SessionClaimsFromContext(r.Context())\n" +
			"\tif !ok {\n\t\tw.WriteHeader(http.StatusUnauthorized)\n\t\treturn\n\t}\n\tlist(w, claims.Subject)\n}",
		Lang: "go",
	},
	Fix: rules.ConstFix("Wrap protected handlers with `clerkhttp.RequireHeaderAuthorization()` (403 without a valid session), " +
		"or check `claims, ok := clerk.SessionClaimsFromContext(r.Context()); if !ok { w.WriteHeader(http.StatusUnauthorized); return }` " +
		"before using the claims. On clerk-sdk-go v1, migrate to v2 or use `RequireSessionV2`."),
	Run: runRP016,
}

const (
	goClerkV2     = "github.com/clerk/clerk-sdk-go/v2"
	goClerkV2HTTP = "github.com/clerk/clerk-sdk-go/v2/http"
	goClerkV1     = "github.com/clerk/clerk-sdk-go/clerk"
)

// goLaxMiddleware are clerk-sdk-go wrappers that never reject.
var goLaxMiddleware = map[string]bool{"WithHeaderAuthorization": true, "WithSessionV2": true, "WithSession": true}

// goClaimsGetters return (claims, ok).
var goClaimsGetters = map[string]bool{"SessionClaimsFromContext": true, "SessionFromContext": true}

type rp016 struct {
	pass *rules.Pass
	f    *goast.File
	pkg  []*goast.File // the other files of the package directory
}

func runRP016(pass *rules.Pass) error {
	f, err := goast.Parse(pass.File)
	if err != nil {
		return nil // syntax errors are the compiler's business
	}
	v2http := f.ImportName(goClerkV2HTTP)
	v2 := f.ImportName(goClerkV2)
	v1 := f.ImportName(goClerkV1)
	if v2http == "" && v2 == "" && v1 == "" {
		return nil
	}
	c := &rp016{pass: pass, f: f}
	// claims, _ := clerk.SessionClaimsFromContext(ctx)
	ast.Inspect(f.AST, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return true
		}
		call, ok := as.Rhs[0].(*ast.CallExpr)
		if !ok || !c.isClaimsGetter(call, v2, v1) {
			return true
		}
		if id, ok := as.Lhs[1].(*ast.Ident); ok && id.Name == "_" {
			pass.Report(rules.Diagnostic{Line: f.Line(as.Pos()), Column: f.Col(as.Pos()),
				Message: fmt.Sprintf("the `ok` result of %s is discarded: without a session the claims are nil, so the handler either panics on them (a 500) or carries on as if signed in without an identity", rules.Code(goast.CallName(call)))})
		}
		return true
	})
	// WithHeaderAuthorization(...)(handler)
	ast.Inspect(f.AST, func(n ast.Node) bool {
		outer, ok := n.(*ast.CallExpr)
		if !ok || len(outer.Args) != 1 {
			return true
		}
		inner, ok := outer.Fun.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := goast.CallName(inner)
		i := strings.LastIndexByte(name, '.')
		if i < 0 || !goLaxMiddleware[name[i+1:]] {
			return true
		}
		pkg, fn := name[:i], name[i+1:]
		if !(fn == "WithHeaderAuthorization" && pkg == v2http) && !(fn != "WithHeaderAuthorization" && pkg == v1) {
			return true
		}
		c.checkWrapped(name, inner, outer.Args[0], v2, v1)
		return true
	})
	return nil
}

func (c *rp016) isClaimsGetter(call *ast.CallExpr, v2, v1 string) bool {
	name := goast.CallName(call)
	i := strings.LastIndexByte(name, '.')
	if i < 0 || !goClaimsGetters[name[i+1:]] {
		return false
	}
	return name[:i] == v2 || name[:i] == v1 || name[:i] == "clerk"
}

// checkWrapped reports a handler wrapped by lax middleware whose body
// does not check the session.
func (c *rp016) checkWrapped(mw string, at *ast.CallExpr, h ast.Expr, v2, v1 string) {
	fn, f, name := c.resolveFunc(h)
	if fn == nil {
		return // a mux, a method value or a handler of another package
	}
	if c.checksSession(f, fn, v2, v1, 0) {
		return
	}
	msg := fmt.Sprintf("%s lets requests without a valid session through, and the handler %s never checks the `ok` of `SessionClaimsFromContext` before serving", rules.Code(mw), rules.Code(name))
	if strings.HasSuffix(mw, "WithSession") || strings.HasSuffix(mw, "WithSessionV2") {
		msg = fmt.Sprintf("%s (clerk-sdk-go v1) lets requests without a session through, and the handler %s never checks for an active session", rules.Code(mw), rules.Code(name))
	}
	c.pass.Report(rules.Diagnostic{Line: c.f.Line(at.Pos()), Column: c.f.Col(at.Pos()), Message: msg})
}

// resolveFunc finds the function behind a handler expression: a func
// literal, http.HandlerFunc(x), or a function of the package (this file or
// another file of its directory). Method values and handlers of other
// packages are not resolved.
func (c *rp016) resolveFunc(h ast.Expr) (*goFuncNode, *goast.File, string) {
	switch x := h.(type) {
	case *ast.ParenExpr:
		return c.resolveFunc(x.X)
	case *ast.FuncLit:
		return &goFuncNode{Type: x.Type, Body: x.Body}, c.f, "func literal"
	case *ast.CallExpr:
		// http.HandlerFunc(orders)
		if len(x.Args) == 1 && strings.HasSuffix(goast.CallName(x), "HandlerFunc") {
			return c.resolveFunc(x.Args[0])
		}
	case *ast.Ident:
		if fd := c.f.FuncDecl(x.Name); fd != nil {
			return &goFuncNode{Type: fd.Type, Body: fd.Body}, c.f, x.Name
		}
		for _, pf := range c.packageFiles() {
			if fd := pf.FuncDecl(x.Name); fd != nil {
				return &goFuncNode{Type: fd.Type, Body: fd.Body}, pf, x.Name
			}
		}
	}
	return nil, nil, ""
}

// goFuncNode is a function's signature and body.
type goFuncNode struct {
	Type *ast.FuncType
	Body *ast.BlockStmt
}

// packageFiles parses the other non-test Go files of the directory.
func (c *rp016) packageFiles() []*goast.File {
	if c.pkg != nil {
		return c.pkg
	}
	dir := path.Dir(c.pass.File.Path)
	c.pkg = []*goast.File{}
	for _, p := range c.pass.Paths() {
		if p == c.pass.File.Path || path.Dir(p) != dir || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			continue
		}
		sf := c.pass.Get(p)
		if sf == nil {
			continue
		}
		if pf, err := goast.Parse(sf); err == nil && pf.AST.Name.Name == c.f.AST.Name.Name {
			c.pkg = append(c.pkg, pf)
		}
	}
	return c.pkg
}

// checksSession reports whether a handler body checks the session: the ok
// of a claims getter (or of a context type assertion) tested in an if, or
// a call to a package helper that does (one level).
func (c *rp016) checksSession(f *goast.File, fn *goFuncNode, v2, v1 string, depth int) bool {
	if fn.Body == nil {
		return false
	}
	v2 = nonEmpty(f.ImportName(goClerkV2), v2)
	v1 = nonEmpty(f.ImportName(goClerkV1), v1)
	okVars := map[string]bool{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, isAssign := n.(*ast.AssignStmt)
		if !isAssign || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return true
		}
		id, isIdent := as.Lhs[1].(*ast.Ident)
		if !isIdent || id.Name == "_" {
			return true
		}
		switch r := as.Rhs[0].(type) {
		case *ast.CallExpr:
			if c.isClaimsGetter(r, v2, v1) {
				okVars[id.Name] = true
			}
		case *ast.TypeAssertExpr:
			// claims, ok := r.Context().Value(clerk.ActiveSessionClaims).(*clerk.SessionClaims)
			if strings.Contains(f.Text(r), "Claims") || strings.Contains(f.Text(r), "Session") {
				okVars[id.Name] = true
			}
		}
		return true
	})
	checked := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if checked {
			return false
		}
		if is, isIf := n.(*ast.IfStmt); isIf {
			for v := range okVars {
				if goast.Mentions(is.Cond, v) {
					checked = true
				}
			}
		}
		return true
	})
	if checked || depth > 0 {
		return checked
	}
	// One level of package helpers: requireUser(w, r).
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if found || !isCall {
			return !found
		}
		if id, isIdent := call.Fun.(*ast.Ident); isIdent {
			if h, hf, _ := c.resolveFunc(id); h != nil && c.checksSession(hf, h, v2, v1, depth+1) {
				found = true
			}
		}
		return !found
	})
	return found
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
