package clerkguard

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestDocsLinks checks that README.md and docs/ link only to files that
// exist, and that README links every page of the documentation.
func TestDocsLinks(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join("docs", "*.md"))
	pages = append(pages, "README.md", filepath.Join("deploy", "README.md"), filepath.Join("fixtures", "demo", "README.md"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", p, target)
			}
		}
	}
	readme, _ := os.ReadFile("README.md")
	for _, page := range []string{"docs/install.md", "docs/permissions.md", "docs/configuration.md", "docs/rules/README.md",
		"docs/operations.md", "docs/troubleshooting.md"} {
		if !strings.Contains(string(readme), "("+page+")") {
			t.Errorf("README.md does not link %s", page)
		}
	}
	// README starts with the two commands that work on a fresh machine.
	head := string(readme)
	if i := strings.Index(head, "```sh"); i < 0 || !strings.Contains(head[i:i+300], "go run ./cmd/clerkguard scan fixtures/demo") || !strings.Contains(head[i:i+300], ".ci/test") {
		t.Error("README.md does not start with the demo scan and the test command")
	}
}
