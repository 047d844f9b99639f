package routes

import (
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
)

// modelEntry returns the model's entry of kind declared in the pass's
// file under name (an HTTP method export, "default", an action's name), or
// nil.
func modelEntry(pass *rules.Pass, kind model.Kind, name string) *model.Entry {
	return entryIn(pass, pass.File.Path, kind, name)
}

// entryIn returns the model's entry of kind ("" for any) declared in file
// under name, or nil.
func entryIn(pass *rules.Pass, file string, kind model.Kind, name string) *model.Entry {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, file)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if (kind == "" || e.Kind == kind) && e.Name == name && e.File == file {
			return e
		}
	}
	return nil
}

// ownChecked reports whether an entry checks the caller itself (its
// middleware left out): yes, or unknown, which is never reported as
// missing.
func ownChecked(pass *rules.Pass, e *model.Entry) bool {
	v, _ := pass.Model.OwnGuard(pass.Ctx, e)
	return v.Authn == model.AuthnYes || v.Authn == model.AuthnUnknown
}

// openEffect returns the first effect of e that a signed-out caller
// reaches when the model's verdict says nothing stops it (no, or only on
// some paths); ok is false when the entry is guarded, the verdict is
// unknown, or no effect is reached.
func openEffect(pass *rules.Pass, e *model.Entry) (model.Effect, bool) {
	return firstOpen(pass.Model.Guard(pass.Ctx, e), pass.Model.Effects(pass.Ctx, e))
}

// ownOpenEffect is openEffect for the entry's own checks, its middleware
// left out (Server Actions are called by ID, so a rule may require them
// to check the caller themselves).
func ownOpenEffect(pass *rules.Pass, e *model.Entry) (model.Effect, bool) {
	return firstOpen(pass.Model.OwnGuard(pass.Ctx, e))
}

func firstOpen(v model.Verdict, fx model.Effects) (model.Effect, bool) {
	if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
		return model.Effect{}, false
	}
	for _, x := range fx.List {
		if x.SignedOut == model.ReachYes {
			return x, true
		}
	}
	return model.Effect{}, false
}

// isHTTPExport reports whether a route file's export is an HTTP method
// handler (GET, POST, ...).
func isHTTPExport(name string) bool {
	_, ok := knowledge.HTTPMethod(name)
	return ok && name != "ALL"
}

// protectedEffect returns the first effect a signed-out caller reaches
// that a reviewer would call protected: a write, a privileged Clerk call,
// mail, money, a returned Clerk user, or a read of stored data. Outbound
// requests, paid APIs and calls that touch no stored data are left to
// other rules.
func protectedEffect(fx model.Effects) (model.Effect, bool) {
	for _, x := range fx.List {
		if x.SignedOut != model.ReachYes {
			continue
		}
		switch x.Kind {
		case model.WritesData, model.ClerkPrivilege, model.SendsMail, model.MovesMoney, model.ReturnsUser, model.ReadsData:
			return x, true
		}
	}
	return model.Effect{}, false
}
