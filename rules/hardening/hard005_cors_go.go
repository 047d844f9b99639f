package hardening

import (
	"go/ast"
	"go/token"
	"slices"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// runHARD005Go is CLK-HARD-005 for Go: cors.New(cors.Options{...}) of
// rs/cors and cors.New(cors.Config{...}) of gin-contrib/cors.
func runHARD005Go(pass *rules.Pass) error {
	gf, err := goast.Parse(pass.File)
	if err != nil {
		return nil // unreadable: no verdict, no finding
	}
	for _, pkg := range knowledge.GoCORSPackages() {
		local := gf.ImportName(pkg)
		if local == "" {
			continue
		}
		mw, _ := knowledge.GoCORSMiddlewareOf(pkg)
		ast.Inspect(gf.AST, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || goast.CallName(call) != local+"."+mw.Constructor || len(call.Args) != 1 {
				return true
			}
			lit := goCompositeLit(gf, call.Args[0])
			if lit == nil || !goBoolField(lit, mw.Credentials) {
				return true
			}
			if allows := goCORSOrigin(mw, lit); allows != originListed {
				reportCORS(pass, gf.Line(call.Pos()), gf.Col(call.Pos()), allows, mw.Credentials+": true")
			}
			return true
		})
	}
	return nil
}

// goCompositeLit returns the struct literal an options argument is: the
// literal itself, its address, or the one a variable of the file is
// assigned once.
func goCompositeLit(gf *goast.File, e ast.Expr) *ast.CompositeLit {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	switch x := e.(type) {
	case *ast.CompositeLit:
		return x
	case *ast.Ident:
		var found []*ast.CompositeLit
		ast.Inspect(gf.AST, func(n ast.Node) bool {
			switch d := n.(type) {
			case *ast.AssignStmt:
				for i, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == x.Name && i < len(d.Rhs) {
						if c := goCompositeLit(gf, d.Rhs[i]); c != nil {
							found = append(found, c)
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range d.Names {
					if id.Name == x.Name && i < len(d.Values) {
						if c := goCompositeLit(gf, d.Values[i]); c != nil {
							found = append(found, c)
						}
					}
				}
			}
			return true
		})
		if len(found) == 1 {
			return found[0]
		}
	}
	return nil
}

// goField returns the value of a keyed field of a struct literal.
func goField(lit *ast.CompositeLit, name string) ast.Expr {
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return kv.Value
			}
		}
	}
	return nil
}

func goBoolField(lit *ast.CompositeLit, name string) bool {
	id, ok := goField(lit, name).(*ast.Ident)
	return ok && id.Name == "true"
}

// goCORSOrigin classifies the origins a Go CORS options literal allows.
func goCORSOrigin(mw knowledge.GoCORSMiddleware, lit *ast.CompositeLit) corsOrigin {
	for _, name := range mw.OriginFuncs {
		if fn, ok := goField(lit, name).(*ast.FuncLit); ok && goAlwaysTrue(fn) {
			return originReflect
		}
	}
	if mw.AllOrigins != "" && goBoolField(lit, mw.AllOrigins) {
		return originWildcard
	}
	origins := goField(lit, mw.Origins)
	if origins == nil && mw.DefaultAny && !slices.ContainsFunc(mw.OriginFuncs, func(f string) bool { return goField(lit, f) != nil }) {
		return originWildcard
	}
	if list, ok := origins.(*ast.CompositeLit); ok {
		if slices.ContainsFunc(list.Elts, func(e ast.Expr) bool {
			b, ok := e.(*ast.BasicLit)
			return ok && b.Value == `"*"`
		}) {
			return originWildcard
		}
	}
	return originListed
}

// goAlwaysTrue reports whether every return of a function literal returns
// true as its first (or only) result.
func goAlwaysTrue(fn *ast.FuncLit) bool {
	n := 0
	all := true
	ast.Inspect(fn.Body, func(x ast.Node) bool {
		if _, ok := x.(*ast.FuncLit); ok {
			return false
		}
		r, ok := x.(*ast.ReturnStmt)
		if !ok {
			return true
		}
		n++
		if len(r.Results) == 0 {
			all = false
			return true
		}
		if id, ok := r.Results[0].(*ast.Ident); !ok || id.Name != "true" {
			all = false
		}
		return true
	})
	return all && n > 0
}
