package model

import (
	"go/ast"
	"go/token"
	"go/types"
)

// goRecordOf names the gorm model a write stores (Effect.Record): the
// struct type of its argument, db.Create(&m) with m a Member (var m
// Member, m := Member{...}, m := &models.Member{...}, m := new(Member), a
// Member parameter), db.Create(&Member{...}) or a slice of them; "" when
// the argument's type cannot be told from fn. gorm names the table after
// that type (https://gorm.io/docs/conventions.html), so two writes of the
// same type store the same records.
func goRecordOf(fn *goFunc, e ast.Expr) string {
	switch x := e.(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return goRecordOf(fn, x.X)
		}
	case *ast.ParenExpr:
		return goRecordOf(fn, x.X)
	case *ast.CompositeLit:
		return goTypeRecord(x.Type)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && len(x.Args) == 1 {
			return goTypeRecord(x.Args[0])
		}
	case *ast.Ident:
		return goVarRecord(fn, x.Name)
	}
	return ""
}

// goReadRecord names the gorm model a read loads (Effect.Record): the
// type a Model(&Note{}) call in its chain names, else the type of the
// destination it fills (db.Find(&notes) with notes a []Note); gorm
// reads the table named after that type
// (https://gorm.io/docs/conventions.html). "" when neither can be told.
func goReadRecord(fn *goFunc, c *ast.CallExpr) string {
	for x := c.Fun; ; {
		sel, ok := x.(*ast.SelectorExpr)
		if !ok {
			break
		}
		cx, ok := sel.X.(*ast.CallExpr)
		if !ok {
			break
		}
		if s, ok := cx.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Model" && len(cx.Args) == 1 {
			if r := goRecordOf(fn, cx.Args[0]); r != "" {
				return r
			}
		}
		x = cx.Fun
	}
	if len(c.Args) > 0 {
		return goRecordOf(fn, c.Args[0])
	}
	return ""
}

// goVarRecord is the record type of the variable name declared in fn (a
// parameter, var name T, name := T{...}); "" when it is not declared
// there or its declarations disagree.
func goVarRecord(fn *goFunc, name string) string {
	seen := map[string]bool{}
	if fn.typ != nil && fn.typ.Params != nil {
		for _, p := range fn.typ.Params.List {
			for _, n := range p.Names {
				if n.Name == name {
					seen[goTypeRecord(p.Type)] = true
				}
			}
		}
	}
	if fn.body != nil {
		ast.Inspect(fn.body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false // its own variables
			case *ast.ValueSpec:
				for i, id := range x.Names {
					switch {
					case id.Name != name:
					case x.Type != nil:
						seen[goTypeRecord(x.Type)] = true
					case i < len(x.Values):
						seen[goRecordOf(fn, goNotVar(x.Values[i]))] = true
					}
				}
			case *ast.AssignStmt:
				if x.Tok != token.DEFINE || len(x.Lhs) != len(x.Rhs) {
					return true
				}
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == name {
						seen[goRecordOf(fn, goNotVar(x.Rhs[i]))] = true
					}
				}
			}
			return true
		})
	}
	if len(seen) != 1 {
		return ""
	}
	for r := range seen {
		return r
	}
	return ""
}

// goNotVar keeps a declaration's value from naming another variable
// (a := b), which goVarRecord does not follow.
func goNotVar(e ast.Expr) ast.Expr {
	if _, ok := e.(*ast.Ident); ok {
		return nil
	}
	return e
}

// goTypeRecord is the struct type name a type expression stores
// (*models.Member, []Member → Member); "" for a predeclared type.
func goTypeRecord(t ast.Expr) string {
	switch x := t.(type) {
	case *ast.StarExpr:
		return goTypeRecord(x.X)
	case *ast.ArrayType:
		return goTypeRecord(x.Elt)
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.Ident:
		if types.Universe.Lookup(x.Name) != nil {
			return ""
		}
		return x.Name
	}
	return ""
}
