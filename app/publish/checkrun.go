// Package publish turns engine results into GitHub check run output and a
// pull request review, within GitHub's limits. The functions here are pure;
// the review job does the API calls.
package publish

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/report"
)

// CheckName is the stable check run name required status checks bind to.
const CheckName = "Clerk security review"

// AnnotationsPerRequest is GitHub's limit for output.annotations per
// create/update call; further calls append.
const AnnotationsPerRequest = 50

// Conclusions.
const (
	Success        = "success"
	Failure        = "failure"
	Neutral        = "neutral"
	ActionRequired = "action_required"
	Cancelled      = "cancelled"
	Skipped        = "skipped"
)

// maxHeadText bounds each path quoted in the summary's head, so the
// findings keep the space.
const maxHeadText = 512

// Output is a check run's final state.
type Output struct {
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []*github.CheckRunAnnotation
}

// OutputOptions tune BuildOutput.
type OutputOptions struct {
	FailOn         rules.Severity
	MaxAnnotations int
	BlobURL        string // https://github.com/o/r/blob/SHA, for links
	// Partial says why the review is incomplete beyond single files (an
	// incomplete change list, say); "" when it is not.
	Partial string
	// Errors are rules that failed on a file: that file was not analysed in
	// full.
	Errors []rules.RuleError
	// Skipped are files the review wanted and did not analyse, each with the
	// reason: the review budget, the engine's size limit, an unreadable
	// blob, a symlink that leads out of the tree, a parser that refused it.
	Skipped []rules.SkippedFile
	// PartialConclusion concludes a review that is partial (Partial, Errors
	// or Skipped) and found nothing at or above FailOn: Failure by default,
	// or ActionRequired or Neutral as configured. A partial review never
	// concludes Success.
	PartialConclusion string
	// Config holds the repository configuration's problems: shown in the
	// summary, annotated on the file, and weighed in the conclusion.
	Config ConfigReport
	// NewUnguarded are the entry points the change added that touch data
	// unguarded (rules.Result.NewUnguarded), listed with the regressions
	// under "Protection changes".
	NewUnguarded []rules.ProtectionChange
}

// Output budget of the "not analysed" and rule-error sections of the
// summary; the full list goes to the text when it is longer.
const (
	maxSkippedSummary = 16 << 10
	maxErrorsSummary  = 8 << 10
)

// BuildOutput computes the conclusion, summary, annotations and text for
// the findings of a diff-mode run (only InDiff findings count).
func BuildOutput(fs []rules.Finding, o OutputOptions) Output {
	var in []rules.Finding
	for _, f := range fs {
		if f.InDiff {
			in = append(in, f)
		}
	}
	report.SortBySeverity(in)
	out := Output{Conclusion: Success}
	blocking := 0
	for _, f := range in {
		if f.Severity >= o.FailOn {
			blocking++
		}
	}
	switch {
	case blocking > 0:
		out.Conclusion = Failure
		out.Title = fmt.Sprintf("%d finding(s) at or above %s", blocking, o.FailOn)
	case len(in) > 0:
		out.Conclusion = Neutral
		out.Title = fmt.Sprintf("%d finding(s) below %s", len(in), o.FailOn)
	default:
		out.Title = "No Clerk misconfigurations in this change"
	}
	partial := o.Partial != "" || len(o.Errors) > 0 || len(o.Skipped) > 0
	if partial {
		out.Title = partialTitle(o, out.Title, blocking > 0)
		if blocking == 0 {
			out.Conclusion = partialConclusion(o.PartialConclusion)
		}
	}
	var head strings.Builder
	fmt.Fprintf(&head, "**%s** in the changed lines (fail on %s and above).\n", report.Counts(in), o.FailOn)
	skippedLong := false
	if partial {
		fmt.Fprintf(&head, "\n> **Partial review.** Not everything this change needs reviewed was analysed, so this check does not pass on what was. %s\n", o.Partial)
		head.WriteString(errorsSection(o.Errors))
		sum, text := SkippedSection(o.Skipped, report.MaxOutputBytes)
		head.WriteString(sum)
		skippedLong = text != ""
	}
	head.WriteString(ProtectionSection(in, o.NewUnguarded))
	applyConfig(&out, o.Config, &head)
	out.Summary = report.Summary(head.String(), in, o.BlobURL)

	max := o.MaxAnnotations
	if max <= 0 {
		max = 200
	}
	var rest []string
	for i, f := range in {
		if i >= max {
			rest = append(rest, report.FindingMarkdown(f, o.BlobURL))
			continue
		}
		out.Annotations = append(out.Annotations, Annotation(f))
	}
	limit := report.MaxOutputBytes
	if skippedLong && len(rest) > 0 {
		limit /= 2
	}
	if len(rest) > 0 {
		out.Text = report.Budget(fmt.Sprintf("%d more finding(s) beyond the %d annotations:\n\n", len(rest), max), rest, limit, "findings")
	}
	if skippedLong {
		_, text := SkippedSection(o.Skipped, report.MaxOutputBytes-len(out.Text))
		out.Text += text
	}
	return out
}

func partialTitle(o OutputOptions, title string, blocking bool) string {
	what := "Partial review"
	if n := len(o.Skipped); n > 0 {
		what = fmt.Sprintf("Partial review: %d file(s) not analysed", n)
	}
	if blocking {
		return title + "; " + strings.ToLower(what[:1]) + what[1:]
	}
	return what
}

// partialConclusion is the configured conclusion of a partial review
// without blocking findings: Failure unless configured otherwise, never
// Success.
func partialConclusion(policy string) string {
	switch policy {
	case ActionRequired, Neutral:
		return policy
	}
	return Failure
}

func errorsSection(errs []rules.RuleError) string {
	var blocks []string
	for _, e := range errs {
		if e.Rule == rules.EngineID { // the engine's own note: a pattern it could not evaluate, a stopped analysis
			blocks = append(blocks, fmt.Sprintf("> - not evaluated: %s\n", report.InertClip(e.Err, 300)))
			continue
		}
		where := "the snapshot"
		if e.Path != "" {
			where = rules.Code(report.Clip(e.Path, maxHeadText))
		}
		blocks = append(blocks, fmt.Sprintf("> - rule %s could not analyse %s: %s\n", e.Rule, where, report.InertClip(e.Err, 300)))
	}
	if len(blocks) == 0 {
		return ""
	}
	return report.Budget(fmt.Sprintf(">\n> **%d rule error(s) or note(s).**\n", len(errs)), blocks, maxErrorsSummary, "rule errors")
}

// SkippedSection renders the files a review did not analyse, grouped by
// reason, the rarer reasons first (so a file above the size limit is never
// hidden behind thousands the budget left out): a summary part that fits
// maxSkippedSummary and, when not every file fit, the list again for the
// check run's text within textLimit bytes.
func SkippedSection(skipped []rules.SkippedFile, textLimit int) (summary, text string) {
	if len(skipped) == 0 {
		return "", ""
	}
	byReason := map[string][]string{}
	for _, s := range skipped {
		r := report.InertClip(s.Reason, 300)
		byReason[r] = append(byReason[r], s.Path)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := byReason[reasons[i]], byReason[reasons[j]]
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return reasons[i] < reasons[j]
	})
	list := func(head string, limit int) (string, bool) {
		var b strings.Builder
		b.WriteString(head)
		shown := 0
		for _, r := range reasons {
			for i, p := range byReason[r] {
				line := "- `" + codeSpan(p) + "`\n"
				if i == 0 {
					line = fmt.Sprintf("\n%s (%d file(s)):\n\n", r, len(byReason[r])) + line
				}
				if b.Len()+len(line)+80 > limit {
					fmt.Fprintf(&b, "\n… %d more file(s) not shown.\n", len(skipped)-shown)
					return b.String(), false
				}
				b.WriteString(line)
				shown++
			}
		}
		return b.String(), true
	}
	summary, all := list(fmt.Sprintf("\n#### Not analysed (%d file(s))\n", len(skipped)), maxSkippedSummary)
	if !all && textLimit >= 1024 {
		text, _ = list(fmt.Sprintf("\n\n## Not analysed (%d file(s))\n", len(skipped)), textLimit)
	}
	return summary, text
}

// codeSpan makes a path safe inside a markdown code span: a path may hold
// any byte but NUL and "/" separators, so backticks and control characters
// (a newline would start a new markdown line) are replaced.
func codeSpan(p string) string {
	return strings.Map(func(r rune) rune {
		if r == '`' || r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, p)
}

// Annotation converts a finding; columns are only sent for one-line spans.
func Annotation(f rules.Finding) *github.CheckRunAnnotation {
	level := "notice"
	switch {
	case f.Severity >= rules.High:
		level = "failure"
	case f.Severity == rules.Medium:
		level = "warning"
	}
	end := f.EndLine
	if end < f.Line {
		end = f.Line
	}
	a := &github.CheckRunAnnotation{
		Path: github.String(f.Path), StartLine: github.Int(f.Line), EndLine: github.Int(end),
		AnnotationLevel: github.String(level),
		Title:           github.String(report.Clip(fmt.Sprintf("%s %s (%s)", f.Rule, f.Name, f.Severity), 255)),
		Message:         github.String(report.Clip(f.Message+"\n\nFix: "+f.Fix, 60000)),
		RawDetails:      github.String(report.Clip(fmt.Sprintf("Checklist #%d: %s\nDocs: %s\nFingerprint: %s", f.Checklist, rules.Checklist[f.Checklist], f.DocURL, f.Fingerprint), 60000)),
	}
	return a
}

// Batches splits annotations into GitHub-sized requests.
func Batches(as []*github.CheckRunAnnotation) [][]*github.CheckRunAnnotation {
	var out [][]*github.CheckRunAnnotation
	for len(as) > 0 {
		n := AnnotationsPerRequest
		if len(as) < n {
			n = len(as)
		}
		out = append(out, as[:n])
		as = as[n:]
	}
	return out
}

// sortFindings orders by path and line.
func sortFindings(fs []rules.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
}

// RerunAction is the identifier of the check run's "Re-run review" button;
// a click arrives as check_run.requested_action.
const RerunAction = "rerun"

// Actions are the buttons on a completed check run (GitHub: at most 3;
// label <= 20, description <= 40, identifier <= 20 characters).
func Actions() []*github.CheckRunAction {
	return []*github.CheckRunAction{{Label: "Re-run review", Description: "Review this commit again", Identifier: RerunAction}}
}
