package routes

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// tokenCallAt returns the token library function a call calls
// (knowledge.TokenCallOf of the import it resolves to).
func tokenCallAt(f *jsast.File, call *jsast.Node) (knowledge.TokenCall, bool) {
	src, name, ok := f.ImportedCallee(call)
	if !ok {
		return knowledge.TokenCall{}, false
	}
	return knowledge.TokenCallOf(src, name)
}
