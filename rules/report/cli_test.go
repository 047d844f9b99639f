package report_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/baseline"
	"github.com/clerkguard/clerkguard/rules/report"
)

// TestTextSnippet: the text report shows a finding's code lines under it,
// its own marked, and no line of a file can drive the terminal (an escape
// sequence) or reorder what is shown (bidirectional controls).
func TestTextSnippet(t *testing.T) {
	res := sample()
	res.Findings[0].Snippet = []rules.SnippetLine{
		{Line: 3, Text: "export default clerkMiddleware(async () => {}, {"},
		{Line: 4, Text: "\tdebug: true, // \x1b]8;;https://evil.example\x07click\x1b[2J \u202eevil", Finding: true},
		{Line: 5, Text: "})"},
	}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := report.Text(&buf, res, nil, report.Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, "       > 4 |     debug: true, //  ]8;;https://evil.example click [2J \ufffdevil\n") {
			t.Errorf("color=%v: the finding's line is not shown, marked and made inert:\n%q", color, out)
		}
		if !strings.Contains(out, "3 | export default clerkMiddleware") || !strings.Contains(out, "5 | })") {
			t.Errorf("color=%v: context lines missing:\n%s", color, out)
		}
		if strings.Contains(out, "\x1b]") || strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\u202e") {
			t.Errorf("color=%v: a control sequence from the file reached the output: %q", color, out)
		}
		if i, j := strings.Index(out, "> 4 |"), strings.Index(out, "fix:"); i < 0 || j < i {
			t.Errorf("color=%v: the snippet is not between the message and the fix", color)
		}
	}
}

// TestSARIFCategory: automationDetails.id keeps diff and full-scan uploads
// apart in code scanning, and the log still validates against SARIF 2.1.0.
func TestSARIFCategory(t *testing.T) {
	sch := compileSchema(t, filepath.Join(sharedDir(t), "sarif", "sarif-schema-2.1.0.json"))
	for _, cat := range []string{"clerkguard/review/", "clerkguard/scan/"} {
		var buf bytes.Buffer
		if err := report.SARIF(&buf, sample(), all.Rules(), report.Options{Version: "test", Category: cat}); err != nil {
			t.Fatal(err)
		}
		validate(t, sch, buf.Bytes())
		var log struct {
			Runs []struct {
				AutomationDetails struct{ ID string } `json:"automationDetails"`
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil || len(log.Runs) != 1 || log.Runs[0].AutomationDetails.ID != cat {
			t.Errorf("automationDetails.id = %+v (%v), want %q", log.Runs, err, cat)
		}
	}
}

// TestJSONBaseline: the baseline object extends the contract and
// validates; it is absent without a baseline.
func TestJSONBaseline(t *testing.T) {
	sch := compileSchema(t, filepath.Join("..", "..", "docs", "schema", "findings.schema.json"))
	var buf bytes.Buffer
	sum := &baseline.Summary{File: ".clerkguard-baseline.json", Hidden: 2,
		Unmatched: []baseline.Entry{{Fingerprint: "0123456789abcdef0123456789abcdef", Rule: "CLK-RP-003", Path: "app/api/x/route.ts"}}}
	if err := report.JSON(&buf, sample(), report.Options{Baseline: sum}); err != nil {
		t.Fatal(err)
	}
	validate(t, sch, buf.Bytes())
	if !strings.Contains(buf.String(), `"hidden": 2`) || !strings.Contains(buf.String(), `"unmatched": [`) {
		t.Errorf("baseline object missing:\n%s", buf.String())
	}
	buf.Reset()
	report.JSON(&buf, sample(), report.Options{})
	if strings.Contains(buf.String(), `"baseline"`) {
		t.Error("baseline object present without a baseline")
	}
}
