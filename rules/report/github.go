package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
)

// GitHub writes GitHub Actions workflow commands (::error / ::warning /
// ::notice), which become annotations on the workflow run.
func GitHub(w io.Writer, res *rules.Result) error {
	for _, f := range res.Findings {
		level := "notice"
		switch {
		case f.Severity >= rules.High:
			level = "error"
		case f.Severity == rules.Medium:
			level = "warning"
		}
		title := fmt.Sprintf("%s %s (%s)", f.Rule, f.Name, f.Severity)
		msg := f.Message + "\nFix: " + f.Fix + "\n" + f.DocURL
		if _, err := fmt.Fprintf(w, "::%s file=%s,line=%d,endLine=%d,col=%d,title=%s::%s\n", level,
			escapeProp(f.Path), f.Line, f.EndLine, f.Column, escapeProp(title), escapeData(msg)); err != nil {
			return err
		}
	}
	for _, e := range res.Errors {
		if _, err := fmt.Fprintf(w, "::warning title=clerkguard rule failure::%s\n", escapeData(e.Rule+" failed on "+e.Path+": "+e.Err)); err != nil {
			return err
		}
	}
	for _, s := range res.Skipped {
		if _, err := fmt.Fprintf(w, "::warning file=%s,title=clerkguard skipped a file::%s\n", escapeProp(s.Path), escapeData(s.Path+": "+s.Reason)); err != nil {
			return err
		}
	}
	return nil
}

// escapeData and escapeProp follow the toolkit's command escaping.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
