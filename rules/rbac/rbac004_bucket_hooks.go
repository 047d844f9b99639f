package rbac

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
)

// allowAllHooks reports the bucket hooks of a library handler's router
// that allow every caller (`.beforeDelete(() => true)`): the library asks
// the hook before it deletes a stored file a caller names by URL, and a
// hook that answers `true` whatever the caller lets anyone delete another
// user's files. The model lists them; seen dedupes the entries (GET and
// POST) that share one handler.
func allowAllHooks(pass *rules.Pass, e *model.Entry, seen map[model.Location]bool) {
	if e.Library == nil {
		return
	}
	for _, k := range e.Library.AllowAll {
		if k.File != pass.File.Path || seen[k.Location] {
			continue
		}
		seen[k.Location] = true
		pass.Report(rules.Diagnostic{Path: k.File, Line: k.Line, Severity: rules.High,
			Related: []rules.Location{{Path: e.Library.File, Line: e.Library.Line}},
			Message: fmt.Sprintf("bucket %s of the %s handler: %s returns `true` for every caller, without comparing the caller (`ctx`) with the file's owner: anyone can %s",
				rules.Code(k.Bucket), rules.Code(e.Library.Export), rules.Code(k.Method), k.Allows)})
	}
}
