package model

import (
	"go/ast"
	"go/token"
	"strings"
)

// Context values in Go: a route middleware stores a request input in the
// request's context (context.WithValue(r.Context(), "id", n) with n from
// chi.URLParam) and the handler reads it back (r.Context().Value("id")).
// The handler's walk gives such a read the placeholder source "ctx:<key>"
// (the key as written); goAnalyse replaces it by the sources of the
// values the entry's middleware layers store under that key, so the
// handler's summary stays the same whichever route it serves.

// goCtxPrefix starts a context-value placeholder source.
const goCtxPrefix = "ctx:"

// goCtxSource reports a context-value placeholder source.
func goCtxSource(s InputSource) bool { return strings.HasPrefix(string(s), goCtxPrefix) }

// storesCtxValue records context.WithValue(ctx, key, v): the request
// inputs v comes from, under key.
func (w *goWalker) storesCtxValue(c *ast.CallExpr) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "WithValue" || len(c.Args) != 3 {
		return
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || importPath(w.fn.file, pkg.Name) != "context" {
		return
	}
	src := w.sourcesOf(c.Args[2])
	if w.s.ctxValues == nil {
		w.s.ctxValues = map[string][]InputSource{}
	}
	k := w.fn.file.Text(c.Args[1])
	w.s.ctxValues[k] = sortSources(append(w.s.ctxValues[k], src...))
}

// ctxValueRead classifies r.Context().Value(key) (and ctx.Value(key) of
// a context parameter) as the placeholder source of key.
func (w *goWalker) ctxValueRead(c *ast.CallExpr) (InputSource, bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Value" || len(c.Args) != 1 {
		return "", false
	}
	switch x := sel.X.(type) {
	case *ast.CallExpr: // r.Context().Value(key)
		inner, ok := x.Fun.(*ast.SelectorExpr)
		if !ok || inner.Sel.Name != "Context" || len(x.Args) != 0 {
			return "", false
		}
		if root := goRootIdent(inner.X); root == nil || !w.reqs[root.Name] {
			return "", false
		}
	default:
		return "", false
	}
	return InputSource(goCtxPrefix + w.fn.file.Text(c.Args[0])), true
}

// ctxCompared records the keys of the context values a record's field
// is compared with (plan.HouseholdID != household, == or !=) in the
// condition of a check that ends the request, and reports whether there
// was one.
func (w *goWalker) ctxCompared(cond ast.Expr) bool {
	found := false
	ast.Inspect(cond, func(n ast.Node) bool {
		be, ok := n.(*ast.BinaryExpr)
		if !ok || be.Op != token.EQL && be.Op != token.NEQ {
			return true
		}
		for _, side := range [2][2]ast.Expr{{be.X, be.Y}, {be.Y, be.X}} {
			sel, field := side[1].(*ast.SelectorExpr)
			if !field {
				continue
			}
			if root := goRootIdent(sel); root == nil || w.facts[root.Name] == nil && importPath(w.fn.file, root.Name) != "" {
				continue // a package's value (models.ErrNotFound), no record's field
			}
			of := map[string]bool{}
			for _, k := range w.ctxKeys(side[1]) {
				of[k] = true // the record was loaded by these values
			}
			for _, k := range w.ctxKeys(side[0]) {
				if !of[k] {
					w.s.ctxChecks = append(w.s.ctxChecks, k)
					found = true
				}
			}
		}
		return true
	})
	return found
}

// ctxKeys returns the keys of the context values e comes from.
func (w *goWalker) ctxKeys(e ast.Expr) []string {
	var out []string
	for _, s := range w.sourcesOf(e) {
		if goCtxSource(s) {
			out = append(out, strings.TrimPrefix(string(s), goCtxPrefix))
		}
	}
	return out
}

// goCtxChecked reports whether a check of the handler compares with a
// context value a middleware layer of e stores from no request input
// (the household or tenant an authenticating middleware looked up): a
// record compared with it before the request goes on is scoped to the
// caller's.
func goCtxChecked(e *Entry, keys []string) bool {
	for _, k := range keys {
		for i := range e.Chain {
			if src, ok := e.Chain[i].goCtx[k]; ok && len(goRequestOnly(src)) == 0 {
				return true
			}
		}
	}
	return false
}

// goCtxKeys returns the keys of the context-value placeholders of src.
func goCtxKeys(src []InputSource) []string {
	var out []string
	for _, s := range src {
		if goCtxSource(s) {
			out = append(out, strings.TrimPrefix(string(s), goCtxPrefix))
		}
	}
	return out
}

// goCtxInputs returns the request inputs of the context values the
// placeholders of src name, as the middleware layers of e store them.
func goCtxInputs(e *Entry, src []InputSource) []InputSource {
	var out []InputSource
	for _, s := range src {
		if !goCtxSource(s) {
			continue
		}
		k := strings.TrimPrefix(string(s), goCtxPrefix)
		for i := range e.Chain {
			out = append(out, goRequestOnly(e.Chain[i].goCtx[k])...)
		}
	}
	return out
}

// goRequestOnly drops the placeholders (another context value, a
// helper's parameter) from src: what remains is the request's.
func goRequestOnly(src []InputSource) []InputSource {
	var out []InputSource
	for _, s := range src {
		if !goCtxSource(s) && !strings.HasPrefix(string(s), "param:") {
			out = append(out, s)
		}
	}
	return out
}
