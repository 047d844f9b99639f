package rules

import (
	"context"
	"fmt"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
	"github.com/clerkguard/clerkguard/rules/verdictdiff"
)

// Diagnostic is what a rule reports. Zero fields take the rule's defaults.
type Diagnostic struct {
	Path    string // defaults to the pass's file
	Line    int
	EndLine int // defaults to Line
	Column  int
	Message string
	// Fix overrides the rule's fix text for this finding.
	Fix string
	// Match is the text that identifies the finding within its file, for
	// the fingerprint. Defaults to the trimmed source line. Never put a
	// secret value here; use its redacted form.
	Match      string
	Severity   Severity
	Confidence Confidence
	Related    []Location
	Suggestion *Suggestion
	// Secrets are raw secret values connected to this finding. The engine
	// redacts them from every text field before the finding leaves it.
	Secrets []string
	// ChangedHere says the change at this place caused the finding (a
	// protection regression shown at the deletion of a file, or at a
	// moved file with no changed line): in diff mode it is always in the
	// diff.
	ChangedHere bool
	// Protection lists the entry points the finding is about, for the
	// check run's "Protection changes" section.
	Protection []ProtectionChange
}

// Pass is the interface between the engine and one run of a rule.
type Pass struct {
	Ctx     context.Context
	Rule    *Rule
	File    *source.File // nil for PerSnapshot rules
	Project *project.Model
	// Model is the semantic model of the snapshot: entry points, guard
	// verdicts, effects and inputs, computed lazily and once per run.
	Model *model.Model

	files   *FileSet
	report  func(Diagnostic)
	changes func(context.Context) ([]verdictdiff.Change, error)
}

// ProtectionChanges returns, in review mode (a diff and a base snapshot),
// the entry points whose guard verdict the change made worse and the new
// ones left unguarded, each with the changed line that caused it. It is
// computed once per run; outside review mode it returns nothing.
func (p *Pass) ProtectionChanges() ([]verdictdiff.Change, error) {
	if p.changes == nil {
		return nil, nil
	}
	return p.changes(p.Ctx)
}

// Report records a diagnostic.
func (p *Pass) Report(d Diagnostic) {
	if d.Path == "" && p.File != nil {
		d.Path = p.File.Path
	}
	p.report(d)
}

// Reportf reports a message at a line of the pass's file.
func (p *Pass) Reportf(line int, format string, args ...any) {
	p.Report(Diagnostic{Line: line, Message: fmt.Sprintf(format, args...)})
}

// ReportNode reports at a syntax node of the pass's file.
func (p *Pass) ReportNode(n *jsast.Node, msg string) {
	p.Report(Diagnostic{Line: n.Line, EndLine: n.EndLine, Column: n.Col, Message: msg})
}

// Get returns another file of the snapshot (nil when absent or unreadable).
func (p *Pass) Get(path string) *source.File {
	f, err := p.files.Get(p.Ctx, path)
	if err != nil {
		return nil
	}
	return f
}

// Read is Get with the reason a file could not be read: an error wrapping
// source.ErrTooLarge or ErrBudget means the file exists but was not read,
// which a rule must not take for "absent".
func (p *Pass) Read(path string) (*source.File, error) {
	return p.files.Get(p.Ctx, path)
}

// Committed reports whether the file at path is committed, as the
// snapshot's version control says: every file of a commit's or a pull
// request's tree is; in a git working tree, what git tracks or would add.
// known is false when the snapshot cannot tell (a plain directory, a
// single file): then the .gitignore rules are the best answer.
func (p *Pass) Committed(path string) (committed, known bool) {
	return p.files.Committed(p.Ctx, path)
}

// Paths lists every path of the snapshot.
func (p *Pass) Paths() []string { return p.files.Paths() }

// AST parses the pass's file (or another file) as JavaScript/TypeScript,
// through the run's parser: trees are shared between files of identical
// content and bounded by the run's budget. It returns nil when the file is
// not JS/TS, cannot be parsed or is over budget (then the engine names it
// among the skipped files).
func (p *Pass) AST(f *source.File) *jsast.File {
	if f == nil {
		return nil
	}
	pf, err := p.files.AST(p.Ctx, f)
	if err != nil {
		return nil
	}
	return pf
}

// Fix returns the rule's fix text for the file at path.
func (p *Pass) Fix(path string) string { return p.Rule.Fix(p.Project, path) }
