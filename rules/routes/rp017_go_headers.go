package routes

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
)

// goReportHeaderReads is reportHeaderReads for Go: the request headers
// the model finds read in this file's entries (Model.HeaderReads: the
// handler's request and the helpers it passes it to). One that carries
// the user's identity (knowledge.IdentityHeaderOf) or whose value
// decides authorization (a role header compared with a literal in a
// check that returns) is the client's to set. at holds the reads already
// reported by goHeaderIdentity.
func goReportHeaderReads(pass *rules.Pass, f *goast.File, at map[token.Pos]bool) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return
	}
	sets := goHeadersSet(f)
	seen := map[[2]int]bool{}
	for _, e := range es {
		if e.Kind != model.GoRoute {
			continue
		}
		for _, hr := range pass.Model.HeaderReads(pass.Ctx, e) {
			k := [2]int{hr.Line, hr.Col}
			if hr.File != pass.File.Path || seen[k] || sets[strings.ToLower(hr.Header)] {
				continue
			}
			seen[k] = true
			call, scope := goReadAt(f, hr)
			if call == nil || at[call.Pos()] {
				continue
			}
			if _, id := knowledge.IdentityHeaderOf(hr.Header); id {
				at[call.Pos()] = true
				pass.Report(rules.Diagnostic{Line: hr.Line, Column: hr.Col,
					Message: fmt.Sprintf("the %s request header is read as the user's identity, but any client can send it", rules.Code(hr.Header))})
				continue
			}
			if goRoleHeaderCheck(pass, f, scope, call, hr) {
				at[call.Pos()] = true
			}
		}
	}
}

// goHeadersSet returns the headers this file sets on the request
// (r.Header.Set("X-User-Id", claims.Subject) in the application's own
// middleware): a read of one is not the client's value.
func goHeadersSet(f *goast.File) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(f.AST, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || len(c.Args) == 0 {
			return true
		}
		name := goast.CallName(c)
		if !strings.HasSuffix(name, ".Header.Set") && !strings.HasSuffix(name, ".Header.Add") {
			return true
		}
		if b, ok := c.Args[0].(*ast.BasicLit); ok && b.Kind == token.STRING {
			if v, err := strconv.Unquote(b.Value); err == nil {
				out[strings.ToLower(v)] = true
			}
		}
		return true
	})
	return out
}

// goReadAt returns the header read the model located and the body of the
// innermost function holding it.
func goReadAt(f *goast.File, hr model.HeaderRead) (*ast.CallExpr, *ast.BlockStmt) {
	var (
		call  *ast.CallExpr
		scope *ast.BlockStmt
	)
	var bodies []*ast.BlockStmt
	ast.Inspect(f.AST, func(n ast.Node) bool {
		if call != nil {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncDecl:
			if x.Body != nil {
				bodies = append(bodies, x.Body)
			}
		case *ast.FuncLit:
			bodies = append(bodies, x.Body)
		case *ast.CallExpr:
			if f.Line(x.Pos()) == hr.Line && f.Col(x.Pos()) == hr.Col {
				call = x
				for _, b := range bodies {
					if b.Pos() <= x.Pos() && x.End() <= b.End() && (scope == nil || b.Pos() >= scope.Pos()) {
						scope = b
					}
				}
				return false
			}
		}
		return true
	})
	return call, scope
}

// goRoleHeaderCheck reports a role header (its name, or the variable it
// initialises, names a role: model.RoleName) compared with a string
// literal in an if whose branch returns: the check passes for whoever
// sends that value.
func goRoleHeaderCheck(pass *rules.Pass, f *goast.File, scope *ast.BlockStmt, read *ast.CallExpr, hr model.HeaderRead) bool {
	if scope == nil || !model.RoleName(hr.Header) && !model.RoleName(hr.Var) {
		return false
	}
	reported := false
	ast.Inspect(scope, func(n ast.Node) bool {
		st, ok := n.(*ast.IfStmt)
		if reported || !ok || st.End() <= read.Pos() || !goBranchReturns(st.Body) {
			return !reported
		}
		ast.Inspect(st.Cond, func(c ast.Node) bool {
			b, ok := c.(*ast.BinaryExpr)
			if reported || !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
				return !reported
			}
			l, r := b.X, b.Y
			if goStringLit(l) {
				l, r = r, l
			}
			if !goStringLit(r) {
				return true
			}
			id, isVar := l.(*ast.Ident)
			if l != ast.Expr(read) && (hr.Var == "" || !isVar || id.Name != hr.Var) {
				return true
			}
			reported = true
			pass.Report(rules.Diagnostic{Line: hr.Line, Column: hr.Col, Severity: rules.High,
				Message: fmt.Sprintf("the %s request header decides authorization (%s, line %d), but any client can send it: take the role from the verified session claims (clerk.SessionClaimsFromContext) or the user's metadata",
					rules.Code(hr.Header), rules.Code(f.Text(b)), f.Line(b.Pos()))})
			return false
		})
		return !reported
	})
	return reported
}

// goBranchReturns reports a branch that ends the handler: its last
// statement is a return (or a panic).
func goBranchReturns(b *ast.BlockStmt) bool {
	if b == nil || len(b.List) == 0 {
		return false
	}
	switch x := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		c, ok := x.X.(*ast.CallExpr)
		return ok && goast.CallName(c) == "panic"
	}
	return false
}

// goStringLit reports a non-empty string literal (a comparison with ""
// tests presence, it grants nothing).
func goStringLit(e ast.Expr) bool {
	b, ok := e.(*ast.BasicLit)
	return ok && b.Kind == token.STRING && b.Value != `""` && b.Value != "``"
}
