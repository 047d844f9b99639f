package model

import (
	"go/ast"
)

// The Go side of Model.HeaderReads (headers.go): a request header read by
// its literal name (r.Header.Get("x"), c.GetHeader("x"),
// c.Request.Header.Get("x"), any accessor inputCall classifies as
// FromHeaders) in an entry's handler or a helper it passes the request
// to.

// goHeaderRead records the read of the header name at c.
func (w *goWalker) goHeaderRead(c *ast.CallExpr, name string) {
	if name == "" || len(w.s.headers) >= maxHeaderReads {
		return
	}
	w.s.headers = append(w.s.headers, HeaderRead{Header: name, Location: w.loc(c.Pos()), Col: w.fn.file.Col(c.Pos()), param: -1})
}

// goHeaderVar names the variable a header read initialises (role :=
// r.Header.Get("X-User-Role")): the read was recorded by the walk of the
// right-hand side just before.
func (w *goWalker) goHeaderVar(lhs, rhs []ast.Expr) {
	if len(lhs) != 1 || len(rhs) != 1 || len(w.s.headers) == 0 {
		return
	}
	id, ok := lhs[0].(*ast.Ident)
	if !ok || id.Name == "_" {
		return
	}
	h := &w.s.headers[len(w.s.headers)-1]
	if at := w.loc(rhs[0].Pos()); h.File == at.File && h.Line == at.Line && h.Col == w.fn.file.Col(rhs[0].Pos()) && len(h.Via) == 0 {
		h.Var = id.Name
	}
}

// goEnterHeaders adds the header reads of a helper's summary, reached
// through the call named via.
func (w *goWalker) goEnterHeaders(hs *goSummary, via string) {
	for _, h := range hs.headers {
		if len(w.s.headers) >= maxHeaderReads {
			return
		}
		h.Via = append([]string{via}, h.Via...)
		w.s.headers = append(w.s.headers, h)
	}
}
