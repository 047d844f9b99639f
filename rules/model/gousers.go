package model

import (
	"go/ast"
	"strings"

	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// The Go side's answer to "does the handler send Clerk users' data to
// the caller" (the ReturnsUser effect the JavaScript side records): a
// value read with a Backend API user read (user.List, user.Get of an id
// that is not the caller's) is followed through assignments, range loops,
// the records built from it and the returns of helpers, to the
// framework's JSON answer (gin's and echo's c.JSON).

// clerkUsersRead reports whether e is a Backend API read of users that
// are not (only) the caller: its arguments do not name the identity.
func (w *goWalker) clerkUsersRead(c *ast.CallExpr) bool {
	eff, ok := w.backendCall(c)
	if !ok || eff.Kind != ReadsData {
		return false
	}
	for _, a := range c.Args {
		if w.mentionsIdentity(a) {
			return false
		}
	}
	return true
}

// holdsClerkUsers reports whether the value of e carries Clerk users'
// data: a user read, a variable holding one whole, its contact fields
// (u.EmailAddresses[0].EmailAddress: knowledge.UserContactField) or its
// list (UserList.Users), a record built from those, or the result of a
// helper that returns one. Public profile fields picked one by one
// (u.FirstName, u.ImageURL) are what a public page shows: they do not
// count, as on the JavaScript side.
func (w *goWalker) holdsClerkUsers(e ast.Expr) bool {
	return goFind(e, func(n ast.Node) (bool, bool) {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if root := goRootIdent(x); root != nil && w.facts[root.Name] != nil && w.facts[root.Name].clerkUsers {
				return x.Sel.Name == "Users" || goContactChain(x), false
			}
		case *ast.Ident:
			return w.facts[x.Name] != nil && w.facts[x.Name].clerkUsers, true
		case *ast.CallExpr:
			return w.clerkUsersRead(x) || w.returnsClerkUsers(x), true
		case *ast.FuncLit:
			return false, false
		}
		return false, true
	})
}

// returnsClerkUsers reports whether a call is of a helper of the snapshot
// that returns Clerk users' data.
func (w *goWalker) returnsClerkUsers(c *ast.CallExpr) bool {
	fn := w.p.resolveCallee(w.fn.file, c.Fun)
	if fn == nil || fn.body == nil || fn.node == w.fn.node {
		return false
	}
	if _, lit := fn.node.(*ast.FuncLit); lit {
		return false
	}
	hs := w.helper(fn)
	return hs != nil && hs.retClerkUsers
}

// goContactChain reports whether a selector chain selects a Clerk User's
// contact field (the Go SDK exports the JSON names capitalised).
func goContactChain(e ast.Expr) bool {
	return goFind(e, func(n ast.Node) (bool, bool) {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			return knowledge.UserContactField(strings.ToLower(x.Sel.Name[:1]) + x.Sel.Name[1:]), true
		case *ast.IndexExpr, *ast.ParenExpr, *ast.StarExpr:
			return false, true
		}
		return false, false
	})
}

// markClerkUsers records that the roots of the assigned expressions (x,
// users[i], out.Items) hold Clerk users' data when what is assigned does.
func (w *goWalker) markClerkUsers(lhs, rhs []ast.Expr) {
	for i, l := range lhs {
		var e ast.Expr
		if len(rhs) == len(lhs) {
			e = rhs[i]
		} else if len(rhs) == 1 && i == 0 {
			e = rhs[0]
		}
		if e == nil || !w.holdsClerkUsers(e) {
			continue
		}
		if ix, ok := l.(*ast.IndexExpr); ok {
			l = ix.X
		}
		root := goRootIdent(l)
		if root == nil || root.Name == "_" {
			continue
		}
		f := w.facts[root.Name]
		if f == nil {
			f = &goFact{}
			w.facts[root.Name] = f
		}
		f.clerkUsers = true
	}
}

// rangeClerkUsers marks the value of a range over (a member of) a value
// holding Clerk users' data: for _, u := range list.Users.
func (w *goWalker) rangeClerkUsers(x *ast.RangeStmt) {
	root := goRootIdent(x.X)
	if x.Value == nil || root == nil || w.facts[root.Name] == nil || !w.facts[root.Name].clerkUsers {
		return
	}
	if id, ok := x.Value.(*ast.Ident); ok && id.Name != "_" {
		w.facts[id.Name] = &goFact{clerkUsers: true}
	}
}

// answersClerkUsers returns the ReturnsUser effect of a JSON answer
// (c.JSON(200, users)) whose body carries Clerk users' data.
func (w *goWalker) answersClerkUsers(c *ast.CallExpr, last string, r tri) (Effect, bool) {
	if !strings.HasPrefix(last, "JSON") {
		return Effect{}, false
	}
	for _, a := range c.Args {
		if w.holdsClerkUsers(a) {
			return Effect{Kind: ReturnsUser, Call: "returns " + clip(w.fn.file.Text(a), 40), Location: w.loc(c.Pos()),
				OtherUsers: true, SignedOut: reachWord(r)}, true
		}
	}
	return Effect{}, false
}
