package routes

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// tokenCallAt returns the token library function a call calls
// (knowledge.TokenCallOf): an import called by name (`decodeJwt(t)`) or a
// method of a default or namespace import (`jwt.verify(t, key)`, also
// through a top-level require).
func tokenCallAt(f *jsast.File, call *jsast.Node) (knowledge.TokenCall, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil {
		return knowledge.TokenCall{}, false
	}
	switch callee.Type {
	case "identifier":
		if im, ok := f.ImportOf(f.Text(callee)); ok {
			return knowledge.TokenCallOf(im.Source, im.Imported)
		}
	case "member_expression":
		obj := jsast.Unwrap(callee.ChildByField("object"))
		if obj == nil || obj.Type != "identifier" {
			break
		}
		if im, ok := f.ImportOf(f.Text(obj)); ok && (im.Imported == "default" || im.Imported == "*") {
			return knowledge.TokenCallOf(im.Source, f.Text(callee.ChildByField("property")))
		}
	}
	return knowledge.TokenCall{}, false
}
