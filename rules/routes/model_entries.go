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

// hasEntries reports whether the model lists an entry of a framework and
// kind declared in the pass's file: the adapter, not a file-name pattern,
// says which files are Route Handlers or pages.
func hasEntries(pass *rules.Pass, fw knowledge.Framework, kind model.Kind) bool {
	if pass.Model == nil {
		return false
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return false
	}
	for _, e := range es {
		if e.Framework == fw && e.Kind == kind && e.File == pass.File.Path {
			return true
		}
	}
	return false
}

// ownChecked reports whether an entry checks the caller itself (its
// middleware left out): yes, or unknown, which is never reported as
// missing.
func ownChecked(pass *rules.Pass, e *model.Entry) bool {
	v, _ := pass.Model.OwnGuard(pass.Ctx, e)
	return v.Authn == model.AuthnYes || v.Authn == model.AuthnUnknown
}

// exposure applies the model's public-by-design policy (model.Exposed)
// to the entry's verdict with its middleware; ok is false when nothing a
// signed-out caller should not do is reached.
func exposure(pass *rules.Pass, e *model.Entry) (model.Exposure, bool) {
	x := model.Exposed(e, pass.Model.Guard(pass.Ctx, e), pass.Model.Effects(pass.Ctx, e))
	return x, x.Level != model.ExposeNone
}

// severityOf maps an exposure level to a finding's severity.
func severityOf(x model.Exposure) rules.Severity {
	if x.Level == model.ExposeHigh {
		return rules.High
	}
	return rules.Medium
}

// isHTTPExport reports whether a route file's export is an HTTP method
// handler (GET, POST, ...).
func isHTTPExport(name string) bool {
	_, ok := knowledge.HTTPMethod(name)
	return ok && name != "ALL"
}
