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
	Partial        string // non-empty when the PR was too large to analyse fully
	Errors         []rules.RuleError
	Skipped        []rules.Skipped
}

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
	if o.Partial != "" && out.Conclusion == Success {
		out.Conclusion = Neutral
		out.Title = "Pull request too large to analyse completely"
	}
	var head strings.Builder
	fmt.Fprintf(&head, "**%s** in the changed lines (fail on %s and above).\n", report.Counts(in), o.FailOn)
	if o.Partial != "" {
		fmt.Fprintf(&head, "\n> **Partial review.** %s\n", o.Partial)
	}
	for _, e := range o.Errors {
		if e.Rule == rules.EngineID { // the engine's own note: a pattern, a stopped analysis
			fmt.Fprintf(&head, "\n> Not evaluated: %s\n", oneLine(e.Err))
			continue
		}
		fmt.Fprintf(&head, "\n> Rule %s could not analyse `%s`: %s\n", e.Rule, e.Path, oneLine(e.Err))
	}
	if len(o.Skipped) > 0 {
		fmt.Fprintf(&head, "\n> %d file(s) were not analysed (too large or unreadable), e.g. `%s`: %s\n", len(o.Skipped), o.Skipped[0].Path, o.Skipped[0].Reason)
	}
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
	if len(rest) > 0 {
		out.Text = report.Budget(fmt.Sprintf("%d more finding(s) beyond the %d annotations:\n\n", len(rest), max), rest, report.MaxOutputBytes, "findings")
	}
	return out
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
		Title:           github.String(truncate(fmt.Sprintf("%s %s (%s)", f.Rule, f.Name, f.Severity), 255)),
		Message:         github.String(truncate(f.Message+"\n\nFix: "+f.Fix, 60000)),
		RawDetails:      github.String(truncate(fmt.Sprintf("Checklist #%d: %s\nDocs: %s\nFingerprint: %s", f.Checklist, rules.Checklist[f.Checklist], f.DocURL, f.Fingerprint), 60000)),
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

// ConfigOutput is the action_required output for an invalid repository
// configuration, with an annotation on the config file.
func ConfigOutput(err error, line int) Output {
	if line < 1 {
		line = 1
	}
	msg := err.Error()
	return Output{
		Conclusion: ActionRequired,
		Title:      "Invalid " + rules.ConfigPath,
		Summary: fmt.Sprintf("The repository configuration `%s` on the base branch is invalid, so the review did not run.\n\n```\n%s\n```\n\nFix the file; see the configuration reference in the clerkguard README.",
			rules.ConfigPath, msg),
		Annotations: []*github.CheckRunAnnotation{{
			Path: github.String(rules.ConfigPath), StartLine: github.Int(line), EndLine: github.Int(line),
			AnnotationLevel: github.String("failure"), Title: github.String("invalid clerkguard configuration"),
			Message: github.String(truncate(msg, 60000)),
		}},
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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
