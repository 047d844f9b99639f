package secrets

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

var runFuncs = map[string]runFunc{
	"CLK-SEC-001": runSEC001, "CLK-SEC-002": runSEC002, "CLK-SEC-003": runSEC003, "CLK-SEC-004": runSEC004,
	"CLK-SEC-005": runSEC005, "CLK-SEC-006": runSEC006, "CLK-SEC-007": runSEC007, "CLK-SEC-008": runSEC008,
	"CLK-SEC-009": runSEC009, "CLK-SEC-010": runSEC010, "CLK-SEC-011": runSEC011, "CLK-SEC-012": runSEC012, "CLK-SEC-013": runSEC013, "CLK-SEC-014": runSEC014,
}

// TestNoRawSecretInDiagnostics runs every rule over every fixture and
// inspects each raw Diagnostic, before the engine's redaction: no
// Message, Fix, Match or Suggestion may hold a generated key, and every
// secret-shaped value on a reported line must be listed in Secrets.
func TestNoRawSecretInDiagnostics(t *testing.T) {
	for _, r := range Rules {
		fn, ok := runFuncs[r.ID]
		if !ok {
			t.Fatalf("%s: no run function registered in the test", r.ID)
		}
		cases, _ := filepath.Glob(filepath.Join("testdata", r.ID, "*.txtar"))
		for _, c := range cases {
			ar, err := txtar.ParseFile(c)
			if err != nil {
				t.Fatal(err)
			}
			snap := source.Mem{}
			var raw []string
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "@") {
					continue
				}
				data := rulestest.Expand(string(f.Data))
				snap[f.Name] = []byte(data)
				for _, cand := range detect.Find(data) {
					if cand.Kind != detect.PublishableKey && len(cand.Value) >= 12 {
						raw = append(raw, cand.Value)
					}
				}
			}
			var diags []rules.Diagnostic
			rule := *r
			rule.Run = func(p *rules.Pass) error {
				return fn(p, func(d rules.Diagnostic) { diags = append(diags, d); p.Report(d) })
			}
			if _, err := rules.Run(context.Background(), snap, rules.Options{Rules: []*rules.Rule{&rule}}); err != nil {
				t.Fatal(err)
			}
			for _, d := range diags {
				text := d.Message + "\n" + d.Fix + "\n" + d.Match
				if d.Suggestion != nil {
					text += "\n" + d.Suggestion.Text
				}
				for _, s := range raw {
					if strings.Contains(text, s) {
						t.Errorf("%s %s: diagnostic at %s:%d holds a raw secret %s", r.ID, filepath.Base(c), d.Path, d.Line, s[:8])
					}
				}
				if d.Match == "" {
					t.Errorf("%s %s: diagnostic at %s:%d has no Match (the default is the source line, which may hold a secret)", r.ID, filepath.Base(c), d.Path, d.Line)
				}
			}
		}
	}
}
