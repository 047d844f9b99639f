package model

import (
	"go/ast"
	"slices"
)

// credentialRead records where a Go middleware reads a credential by
// name: c.GetHeader("Authorization") is the headers, c.Cookie("__session")
// the cookies (Layer.CredentialFrom, for a middleware that also reads
// the identity). CLK-HARD-005 asks it: an API that takes the session
// token from a header only sends no cookie a cross-site page could ride.
func (w *goWalker) credentialRead(c *ast.CallExpr) {
	if w.role != goGinMW && w.role != goHTTPMW && w.role != goEchoMW {
		return
	}
	src, name, ok := w.inputCall(c)
	if !ok || src != FromHeaders && src != FromCookies && src != FromQuery || !credentialName(name) {
		return
	}
	if !slices.Contains(w.s.credFrom, src) {
		w.s.credFrom = sortSources(append(w.s.credFrom, src))
	}
}
