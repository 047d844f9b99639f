package routes

import (
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
)

// exposedEffect is the policy of CLK-RP-014 and CLK-RP-015 over the
// model: the first effect of an entry that a signed-out caller reaches
// and that matters: a write, a privileged Clerk call, mail or money, a
// Clerk user returned, or a read of user data. A read that no request
// input selects and no identity scopes returns the same rows to every
// caller: public by design (a lookup table, a blog's posts) unless the
// entry sits in a private-looking area (/admin, /dashboard) or the rows
// are Clerk users. ok is false for an entry the model cannot judge.
func exposedEffect(v model.Verdict, fx model.Effects, e *model.Entry) (model.Effect, bool) {
	if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
		return model.Effect{}, false
	}
	var read *model.Effect
	for i, x := range fx.List {
		if x.SignedOut != model.ReachYes {
			continue
		}
		switch x.Kind {
		case model.WritesData, model.ClerkPrivilege, model.SendsMail, model.MovesMoney, model.ReturnsUser:
			return x, true
		case model.ReadsData:
			_, clerk := knowledge.BackendCallIn(x.Call)
			if read == nil && !x.OwnerScoped && (clerk || len(x.Request) > 0 || knowledge.PrivateArea(e.Path)) {
				read = &fx.List[i]
			}
		}
	}
	if read != nil {
		return *read, true
	}
	return model.Effect{}, false
}

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
