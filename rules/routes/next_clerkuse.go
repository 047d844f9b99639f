package routes

import (
	"bytes"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// clerkHelperCall returns the first call in the file at p to a Clerk
// helper that needs clerkMiddleware() (an identity source of
// @clerk/nextjs that knowledge marks NeedsMiddleware), and the helper's
// name.
func clerkHelperCall(pass *rules.Pass, p string) (*jsast.Node, string) {
	sf := pass.Get(p)
	if sf == nil || !sf.IsJS() || !bytes.Contains(sf.Content, []byte("@clerk/nextjs")) {
		return nil, ""
	}
	f := pass.AST(sf)
	if f == nil {
		return nil, ""
	}
	var found *jsast.Node
	var name string
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if found != nil {
			return false
		}
		if x.Type != "call_expression" {
			return true
		}
		callee := f.CalleeName(x)
		root := rootName(callee)
		im, ok := f.ImportOf(root)
		if !ok || !needsClerkMiddleware(im.Source, im.Imported) {
			return true
		}
		found = x
		name = im.Imported + "()"
		if strings.HasSuffix(callee, ".protect") {
			name = "auth.protect()"
		}
		return false
	})
	return found, name
}

// needsClerkMiddleware reports whether name imported from the @clerk/nextjs
// path is a helper that throws without clerkMiddleware().
func needsClerkMiddleware(path, name string) bool {
	if knowledge.ClerkPackageOf(path) != "@clerk/nextjs" {
		return false
	}
	src, ok := knowledge.IdentitySourceOf(path, name)
	return ok && src.NeedsMiddleware
}
