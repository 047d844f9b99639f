package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
)

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var sevColor = map[rules.Severity]string{
	rules.Critical: "\x1b[1;31m", rules.High: "\x1b[31m", rules.Medium: "\x1b[33m",
	rules.Low: "\x1b[36m", rules.Info: "\x1b[2m",
}

// Text writes findings grouped by file, each with its fix and checklist
// item, and a closing summary line.
func Text(w io.Writer, res *rules.Result, _ []*rules.Rule, o Options) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	counts := map[rules.Severity]int{}
	last := ""
	for _, f := range res.Findings {
		counts[f.Severity]++
		if f.Path != last {
			if last != "" {
				b.WriteString("\n")
			}
			b.WriteString(paint(ansiBold, rules.PlainLine(f.Path)) + "\n")
			last = f.Path
		}
		sev := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String()))
		fmt.Fprintf(&b, "  %d:%d  %s %s %s\n", f.Line, f.Column, paint(sevColor[f.Severity], sev), f.Rule, indent(f.Message, "                 "))
		writeSnippet(&b, f.Snippet, paint)
		fmt.Fprintf(&b, "         %s %s\n", paint(ansiDim, "fix:"), indent(f.Fix, "              "))
		fmt.Fprintf(&b, "         %s #%d %s · %s\n", paint(ansiDim, "checklist:"), f.Checklist, rules.Checklist[f.Checklist], f.DocURL)
	}
	if len(res.Findings) > 0 {
		b.WriteString("\n")
	}
	var parts []string
	for _, s := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = fmt.Sprintf("%d findings (%s)", len(res.Findings), strings.Join(parts, ", "))
	}
	dur := fmt.Sprintf(" in %dms", res.Stats.DurationMS)
	if o.Deterministic {
		dur = ""
	}
	fmt.Fprintf(&b, "%s · %d files, %d bytes scanned%s\n", summary, res.Stats.FilesScanned, res.Stats.BytesScanned, dur)
	for _, e := range res.Errors {
		if e.Rule == rules.EngineID { // the engine's own note: a pattern, a stopped analysis
			fmt.Fprintf(&b, "warning: %s\n", rules.PlainLine(e.Err))
			continue
		}
		fmt.Fprintf(&b, "warning: rule %s failed on %s: %s\n", e.Rule, rules.PlainLine(e.Path), rules.PlainLine(e.Err))
	}
	for _, s := range res.Skipped {
		// Paths and reasons come from the scanned tree: folded onto one
		// line, so no path can drive the terminal.
		fmt.Fprintf(&b, "note: skipped %s: %s\n", rules.PlainLine(s.Path), rules.PlainLine(s.Reason))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSnippet writes a finding's code lines, its own marked with '>'.
// The lines come from the scanned files: tabs become four spaces, control
// characters (a terminal escape) spaces and bidirectional formatting
// characters U+FFFD, so no file can drive the terminal or hide code.
func writeSnippet(b *strings.Builder, lines []rules.SnippetLine, paint func(code, s string) string) {
	if len(lines) == 0 {
		return
	}
	width := len(fmt.Sprint(lines[len(lines)-1].Line))
	for _, l := range lines {
		text := rules.PlainLine(strings.ReplaceAll(l.Text, "\t", "    "))
		line := strings.TrimRight(fmt.Sprintf("%*d | %s", width, l.Line, text), " ")
		if l.Finding {
			fmt.Fprintf(b, "       > %s\n", line)
			continue
		}
		fmt.Fprintf(b, "         %s\n", paint(ansiDim, line))
	}
}

func indent(s, pad string) string { return strings.ReplaceAll(s, "\n", "\n"+pad) }
