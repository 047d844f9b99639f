// Command gendocs writes docs/rules/ from the rule definitions. Run it with
// `go generate ./rules/all`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/report"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	docs := report.RuleDocs(all.Rules())
	old, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range old {
		if _, ok := docs[filepath.Base(p)]; !ok && strings.HasPrefix(filepath.Base(p), "CLK-") {
			os.Remove(p)
		}
	}
	for name, text := range docs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
