package routes

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// notModels are built-in constructors whose instances have no data store
// behind a save() call.
var notModels = map[string]bool{"Date": true, "Map": true, "Set": true, "URL": true, "URLSearchParams": true,
	"Response": true, "NextResponse": true, "Request": true, "Headers": true, "FormData": true, "Error": true,
	"Promise": true, "Array": true, "Object": true, "RegExp": true, "Blob": true, "File": true, "WeakMap": true,
	"TextEncoder": true, "TextDecoder": true, "AbortController": true, "Intl": true}

// isModelSave reports whether call is `doc.save()` on a document built in
// fn with `new Model(...)`, the active-record write of Mongoose and the
// like (`const weight = new Weight({ userId, weight }); await weight.save()`).
// The constructor must come from the repository (a models file), not a
// package.
func isModelSave(f *jsast.File, fn *jsast.Node, call *jsast.Node) bool {
	name := f.CalleeName(call)
	recv, ok := strings.CutSuffix(name, ".save")
	if !ok || recv == "" || strings.ContainsAny(recv, ".()") {
		return false
	}
	found := false
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if found {
			return false
		}
		if n.Type != "variable_declarator" || f.Text(n.ChildByField("name")) != recv {
			return true
		}
		v := jsast.Unwrap(n.ChildByField("value"))
		if v == nil || v.Type != "new_expression" {
			return true
		}
		ctor := f.Text(v.ChildByField("constructor"))
		if ctor == "" || ctor[0] < 'A' || ctor[0] > 'Z' || notModels[ctor] || strings.ContainsAny(ctor, ".(") {
			return true
		}
		im, imported := f.ImportOf(ctor)
		switch {
		case !imported:
			// A model declared in this file: mongoose.model('Weight', schema).
			if lv := jsast.Unwrap(f.LocalValue(ctor)); lv != nil && lv.Type == "call_expression" &&
				jsast.LastSegment(f.CalleeName(lv)) == "model" {
				found = true
			}
		case !isPackage(im.Source) || strings.Contains(strings.ToLower(im.Source), "model"):
			found = true
		}
		return !found
	})
	return found
}
