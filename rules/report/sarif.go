package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/clerkguard/clerkguard/rules"
)

// securitySeverity is GitHub code scanning's numeric severity per level.
var securitySeverity = map[rules.Severity]string{
	rules.Critical: "9.5", rules.High: "8.0", rules.Medium: "5.5", rules.Low: "3.0", rules.Info: "1.0",
}

func sarifLevel(s rules.Severity) string {
	switch {
	case s >= rules.High:
		return "error"
	case s == rules.Medium:
		return "warning"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning upload.
func SARIF(w io.Writer, res *rules.Result, rs []*rules.Rule, o Options) error {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	run := sarif.NewRunWithInformationURI("clerkguard", "https://github.com/clerkguard/clerkguard")
	run.Tool.Driver.Version = &version
	if o.Category != "" {
		run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(o.Category))
	}
	index := map[string]int{}
	for i, r := range rs {
		index[r.ID] = i
		help := RuleMarkdown(r)
		desc := run.AddRule(r.ID).
			WithName(ruleName(r)).
			WithShortDescription(sarif.NewMultiformatMessageString(r.Doc.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString(firstParagraph(r.Doc.Text))).
			WithHelpURI(r.DocURL()).
			WithHelp(sarif.NewMultiformatMessageString(plain(help)).WithMarkdown(help)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
		pb := sarif.NewPropertyBag()
		pb.Add("tags", []string{"security", "clerk", r.Pack, fmt.Sprintf("checklist-%d", r.Checklist)})
		pb.Add("precision", precision(r.Confidence))
		pb.Add("security-severity", securitySeverity[r.Severity])
		pb.Add("problem.severity", sarifLevel(r.Severity))
		desc.AttachPropertyBag(pb)
	}
	for _, f := range res.Findings {
		idx, ok := index[f.Rule]
		if !ok {
			continue
		}
		msg := f.Message + "\n\nFix: " + f.Fix
		region := sarif.NewRegion().WithStartLine(f.Line).WithEndLine(f.EndLine).WithStartColumn(f.Column)
		loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(f.Path).WithUriBaseId("%SRCROOT%")).
			WithRegion(region))
		r := sarif.NewRuleResult(f.Rule).WithRuleIndex(idx).WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(msg)).WithLocations([]*sarif.Location{loc}).
			WithPartialFingerPrints(map[string]interface{}{"clerkguard/v1": f.Fingerprint})
		for _, rel := range f.Related {
			r.AddRelatedLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(rel.Path).WithUriBaseId("%SRCROOT%")).
				WithRegion(sarif.NewRegion().WithStartLine(rel.Line))))
		}
		pb := sarif.NewPropertyBag()
		pb.Add("confidence", f.Confidence.String())
		pb.Add("checklist", f.Checklist)
		pb.Add("in_diff", f.InDiff)
		r.AttachPropertyBag(pb)
		run.AddResult(r)
	}
	inv := run.AddInvocation(len(res.Errors) == 0)
	for _, sk := range res.Skipped {
		inv.AddTToolExecutionNotification(sarif.NewNotification().WithLevel("warning").
			WithTextMessage("skipped " + sk.Path + ": " + sk.Reason).
			WithLocations([]*sarif.Location{sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(sk.Path).WithUriBaseId("%SRCROOT%")))}))
	}
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

func ruleName(r *rules.Rule) string {
	// SARIF names are PascalCase identifiers by convention.
	var b strings.Builder
	for _, p := range strings.Split(r.Name, "-") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

func precision(c rules.Confidence) string {
	switch c {
	case rules.HighConfidence:
		return "high"
	case rules.MediumConfidence:
		return "medium"
	}
	return "low"
}

func firstParagraph(s string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func plain(md string) string { return strings.NewReplacer("`", "", "**", "").Replace(md) }
