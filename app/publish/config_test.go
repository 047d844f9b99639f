package publish

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

// TestBuildOutputConfig: configuration problems never make a review
// succeed on a broken base configuration, never hide findings, fail a pull
// request that breaks the file, and stay within the section's budget.
func TestBuildOutputConfig(t *testing.T) {
	baseErr := &rules.ConfigError{Line: 2, Msg: "field disabel not found in type rules.Config"}
	warn := rules.ConfigWarning{Line: 3, Msg: `rules.disable: unknown rule "CLK-OLD-001"`}
	high := []rules.Finding{finding("CLK-RP-003", rules.High, "a.ts", 1, "1")}
	for _, tc := range []struct {
		name   string
		fs     []rules.Finding
		cfg    ConfigReport
		want   string
		levels string
	}{
		{"no problems", nil, ConfigReport{}, Success, ""},
		{"invalid base, clean change", nil, ConfigReport{BaseErr: baseErr}, Neutral, "failure"},
		{"invalid base, blocking finding", high, ConfigReport{BaseErr: baseErr}, Failure, "failure"},
		{"warnings only", nil, ConfigReport{BaseWarnings: []rules.ConfigWarning{warn}, HeadWarnings: []rules.ConfigWarning{warn}}, Success, "warning,warning"},
		{"invalid new version", nil, ConfigReport{BaseWarnings: []rules.ConfigWarning{warn}, HeadErr: baseErr}, Failure, "warning,failure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := BuildOutput(tc.fs, OutputOptions{FailOn: rules.High, Config: tc.cfg})
			if out.Conclusion != tc.want {
				t.Errorf("conclusion %q, want %q", out.Conclusion, tc.want)
			}
			var levels []string
			for _, a := range out.Annotations {
				if a.GetPath() == rules.ConfigPath {
					levels = append(levels, a.GetAnnotationLevel())
				}
			}
			if got := strings.Join(levels, ","); got != tc.levels {
				t.Errorf("config annotation levels %q, want %q", got, tc.levels)
			}
			if len(tc.fs) > 0 && !strings.Contains(out.Summary, "CLK-RP-003") {
				t.Errorf("the finding is missing from the summary:\n%s", out.Summary)
			}
			if tc.levels != "" && !strings.Contains(out.Summary, "#### Configuration") {
				t.Errorf("no configuration section:\n%s", out.Summary)
			}
		})
	}
	// A hostile new version with many unknown IDs cannot crowd out the findings.
	var many []rules.ConfigWarning
	for i := 0; i < 500; i++ {
		many = append(many, rules.ConfigWarning{Line: i + 1, Msg: strings.Repeat("@team `x` ", 200)})
	}
	out := BuildOutput(high, OutputOptions{FailOn: rules.High, Config: ConfigReport{HeadWarnings: many}})
	if !strings.Contains(out.Summary, "CLK-RP-003") || !strings.Contains(out.Summary, "more configuration problems not shown") || len(out.Summary) > 16<<10 {
		t.Errorf("summary of %d bytes: findings lost or configuration section unbounded", len(out.Summary))
	}
	if n := len(out.Annotations); n != 1+maxConfigAnnotations {
		t.Errorf("%d annotations, want the finding and %d on the configuration", n, maxConfigAnnotations)
	}
	if strings.Contains(out.Summary, "@team") {
		t.Error("a mention from the configuration reached the summary unescaped")
	}
}
