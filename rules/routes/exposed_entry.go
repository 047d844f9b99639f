package routes

import "github.com/clerkguard/clerkguard/rules/model"

// entryLabel is "METHOD /path" ("/path" for a handler of every method).
func entryLabel(e *model.Entry) string {
	if len(e.Methods) == 1 && e.Methods[0] == "ALL" {
		return e.Path
	}
	return e.Label()
}

// bypassLayer returns the middleware layer that guards e only on the
// plain spelling of its path (model.Layer.Bypass), when that is the
// entry's only guard.
func bypassLayer(e *model.Entry) (model.Layer, bool) {
	var out model.Layer
	found := false
	for _, l := range e.Chain {
		switch l.Gate {
		case model.GateRejects, model.GateRedirects:
			if l.Bypass == "" {
				return model.Layer{}, false
			}
			if !found {
				out, found = l, true
			}
		}
	}
	return out, found
}
