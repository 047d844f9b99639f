package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeCommands names, for every command README.md shows in a ```sh
// block, the test that runs it or checks its output (package directory and
// test function). A command README adds without one fails
// TestREADMECommandsAreExercised, as docs/install.md's do in
// TestInstallDocCommands.
var readmeCommands = map[string][2]string{
	"go run ./cmd/clerkguard scan fixtures/demo": {"cmd/clerkguard", "TestDemo"},
	".ci/test": {".", "TestDocsLinks"}, // CI runs it (.ci/run), and it must be the command README shows
	"clerkguard scan [--format text|json|sarif|github] [--config FILE] [--fail-on SEVERITY|none]": {"cmd/clerkguard", "TestHelpOnEverySubcommand"},
	"[--output FILE] [--baseline FILE] [--write-baseline FILE] [PATH...]":                         {"cmd/clerkguard", "TestScanPathsAreRepositoryRelative"},
	"clerkguard review [the same flags] --base REF [--head REF] [DIR]":                            {"cmd/clerkguard", "TestHelpOnEverySubcommand"},
	"clerkguard rules [ID]":                                                 {"cmd/clerkguard", "TestRuleIDsCaseInsensitive"},
	"clerkguard routes [--format text|json] [DIR]":                          {"cmd/clerkguard", "TestRoutesOutputValidates"},
	"clerkguard version":                                                    {"deploy", "TestCommandLineIntegrations"},
	"clerkguard scan --write-baseline .clerkguard-baseline.json .":          {"cmd/clerkguard", "TestBaseline"},
	"clerkguard scan --baseline .clerkguard-baseline.json .":                {"cmd/clerkguard", "TestBaseline"},
	"go test ./...":                                                         {".", "TestDocsLinks"},
	"UPDATE_GOLDEN=1 go test ./rules/report":                                {"rules/report", "TestGolden"},
	"go generate ./rules/all":                                               {"rules/all", "TestDocsCurrent"},
	"go run ./cmd/clerkguard-score --check":                                 {"cmd/clerkguard-score", "TestLabelValidation"},
	"go run ./cmd/clerkguard-score --clones DIR":                            {"cmd/clerkguard-score", "TestScoreEndToEnd"},
	"go run ./cmd/clerkguard-score --clones DIR --format json > after.json": {"cmd/clerkguard-score", "TestScoreEndToEnd"},
	"go run ./cmd/clerkguard-score --clones DIR --compare before.json":      {"cmd/clerkguard-score", "TestScoreEndToEnd"},
}

// TestREADMECommandsAreExercised: every command README.md shows is
// exercised by a test that exists (issue 15: every command in README and
// docs/install.md is exercised by a test).
func TestREADMECommandsAreExercised(t *testing.T) {
	readme := string(mustRead(t, filepath.Join("..", "README.md")))
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1)
	if len(blocks) < 3 {
		t.Fatalf("found %d sh blocks in README.md", len(blocks))
	}
	seen := 0
	for _, b := range blocks {
		for _, line := range strings.Split(b[1], "\n") {
			cmd := strings.TrimSpace(line)
			if i := strings.Index(cmd, " #"); i >= 0 {
				cmd = strings.TrimSpace(cmd[:i])
			}
			cmd = strings.Join(strings.Fields(cmd), " ")
			if cmd == "" || strings.HasPrefix(cmd, "#") {
				continue
			}
			seen++
			tt, ok := readmeCommands[cmd]
			if !ok {
				t.Errorf("README.md shows %q, which no test is named for in readmeCommands", cmd)
				continue
			}
			if !testExists(t, tt[0], tt[1]) {
				t.Errorf("README.md's %q: no test %s in %s", cmd, tt[1], tt[0])
			}
		}
	}
	if seen == 0 {
		t.Fatal("no command found in README.md")
	}
}

func testExists(t *testing.T, dir, name string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", dir, "*_test.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "func "+name+"(t *testing.T)") {
			return true
		}
	}
	return false
}
