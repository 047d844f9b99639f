package routes

import (
	"bytes"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// middlewareHelpers are the @clerk/nextjs server helpers that need
// clerkMiddleware() to have run on the request; without it they throw.
var middlewareHelpers = map[string]bool{"auth": true, "currentUser": true, "getAuth": true}

// clerkHelperCall returns the first call in the file at p to a Clerk
// helper that needs clerkMiddleware(), and the helper's name.
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
		if !ok || !strings.HasPrefix(im.Source, "@clerk/nextjs") || !middlewareHelpers[im.Imported] {
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
