package rules_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestConfigErrorsInUserTerms checks that every configuration error names
// the key, the line and what was expected, never a Go type.
func TestConfigErrorsInUserTerms(t *testing.T) {
	rs := []*rules.Rule{markerRule}
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       []string
	}{
		{"list for string", "rules:\n  disable: CLK-HARD-901\n", 2, []string{"rules.disable", "expected a list of rule IDs", `"CLK-HARD-901"`}},
		{"unknown top key", "colour: red\n", 1, []string{`unknown key "colour"`, "rules, paths, fail_on, comments"}},
		{"unknown nested key", "rules: {disable: [CLK-HARD-901], colour: 1}\n", 1, []string{`rules: unknown key "colour"`, "disable, severity"}},
		{"severity list", "fail_on: [x]\n", 1, []string{"fail_on", "expected a severity", "a list"}},
		{"bad severity", "rules:\n  severity:\n    CLK-HARD-901: urgent\n", 3, []string{"rules.severity.CLK-HARD-901", `unknown severity "urgent"`}},
		{"bool", "comments: maybe\n", 1, []string{"comments", "expected true or false", `"maybe"`}},
		{"paths list", "\npaths: [a]\n", 2, []string{"paths", "expected a mapping", "exclude", "a list"}},
		{"root list", "- a\n", 1, []string{"expected a mapping", "a list"}},
		{"severity list not map", "rules:\n  severity: [a]\n", 2, []string{"rules.severity", "expected a mapping of rule ID to severity"}},
		{"glob not string", "paths:\n  exclude:\n    - {a: b}\n", 3, []string{"paths.exclude", "expected a glob", "a mapping"}},
		{"duplicate key", "fail_on: high\nfail_on: low\n", 2, []string{`"fail_on"`, "twice", "line 1"}},
		{"syntax", "rules:\n\tdisable: x\n", 2, []string{"not valid YAML", "found character that cannot start any token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.ParseConfig([]byte(tc.yaml), rs)
			var ce *rules.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want a *ConfigError", err, err)
			}
			if ce.Line != tc.line {
				t.Errorf("line = %d, want %d (%v)", ce.Line, tc.line, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(ce.Msg, w) {
					t.Errorf("message %q does not say %q", ce.Msg, w)
				}
			}
			for _, goism := range []string{"!!", "rules.Config", "rules.Severity", "struct {", "[]string", "map[", "unmarshal", "line 1:", "line 2:", "line 3:"} {
				if strings.Contains(ce.Msg, goism) {
					t.Errorf("message %q shows %q", ce.Msg, goism)
				}
			}
		})
	}
}

func TestConfigErrorNamesItsFile(t *testing.T) {
	_, err := rules.ParseConfig([]byte("colour: red\n"), nil)
	var ce *rules.ConfigError
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	if got := err.Error(); !strings.HasPrefix(got, rules.ConfigPath+":1: ") {
		t.Errorf("Error() = %q", got)
	}
	ce.File = ".github/clerkguard.yaml"
	if got := err.Error(); !strings.HasPrefix(got, ".github/clerkguard.yaml:1: ") {
		t.Errorf("Error() with File = %q", got)
	}
}

func TestConfigRuleIDsCaseInsensitive(t *testing.T) {
	rs := []*rules.Rule{markerRule}
	c, err := rules.ParseConfig([]byte("rules:\n  disable: [clk-hard-901]\n  severity: {Clk-Hard-901: low}\n"), rs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Enabled("CLK-HARD-901") {
		t.Error("rules.disable: clk-hard-901 did not disable CLK-HARD-901")
	}
	if c.Rules.Severity["CLK-HARD-901"] != rules.Low {
		t.Errorf("rules.severity = %v, want CLK-HARD-901: low", c.Rules.Severity)
	}
	c, err = rules.ParseConfig([]byte("rules:\n  severity: {clk-hard-901: low}\n"), rs)
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, source.Mem{"a.ts": []byte("BAD")}, rules.Options{Config: c})
	if len(res.Findings) != 1 || res.Findings[0].Severity != rules.Low {
		t.Errorf("lower-case severity override not applied: %+v", res.Findings)
	}
	if _, err := rules.ParseConfig([]byte("rules:\n  severity: {clk-hard-901: low, CLK-HARD-901: high}\n"), rs); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("the same rule under two spellings: err = %v, want an error", err)
	}
}

func TestSuppressionRuleIDsCaseInsensitive(t *testing.T) {
	src := "// clerkguard:ignore clk-hard-901 -- reviewed: test data\nconst x = \"BAD\"\n"
	res := run(t, source.Mem{"a.ts": []byte(src)}, rules.Options{})
	if len(res.Findings) != 0 {
		t.Errorf("a lower-case rule ID did not suppress: %+v", res.Findings)
	}
}

func TestReadConfigBothExtensions(t *testing.T) {
	files := map[string]string{}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("open %s: %w", p, fs.ErrNotExist)
	}
	if b, p, err := rules.ReadConfig(read); b != nil || p != "" || err != nil {
		t.Errorf("none: %q %q %v", b, p, err)
	}
	files[rules.ConfigPathAlt] = "fail_on: low\n"
	if b, p, err := rules.ReadConfig(read); string(b) != "fail_on: low\n" || p != ".github/clerkguard.yaml" || err != nil {
		t.Errorf(".yaml: %q %q %v", b, p, err)
	}
	files[rules.ConfigPath] = "fail_on: high\n"
	_, _, err := rules.ReadConfig(read)
	var ce *rules.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), ".github/clerkguard.yml and .github/clerkguard.yaml") {
		t.Errorf("both: err = %v, want a ConfigError naming both", err)
	}
	broken := errors.New("permission denied")
	_, _, err = rules.ReadConfig(func(p string) ([]byte, error) { return nil, broken })
	if !errors.Is(err, broken) {
		t.Errorf("read error: %v, want it wrapped", err)
	}
}
