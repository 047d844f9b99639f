package goast

import (
	"errors"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestParseRefusesOverLimits: a Go file nested beyond the parse limits is
// refused before go/parser builds it; ordinary Go parses.
func TestParseRefusesOverLimits(t *testing.T) {
	deep := "package p\nvar x = " + strings.Repeat("[]any{", 5000) + strings.Repeat("}", 5000) + "\n"
	if _, err := Parse(source.NewFile("deep.go", []byte(deep))); !errors.Is(err, jsast.ErrLimit) {
		t.Errorf("deep Go file: err = %v, want a limit error", err)
	}
	f, err := Parse(source.NewFile("ok.go", []byte("package p\n\nfunc F() int { return 1 }\n")))
	if err != nil || f.AST.Name.Name != "p" {
		t.Errorf("ordinary Go file: %v", err)
	}
}

// TestImportsAsEveryName: a package imported twice, plain and under an
// alias, answers to both names; ImportName keeps returning the first.
func TestImportsAsEveryName(t *testing.T) {
	src := "package p\n\nimport (\n\t\"example.com/app/guard\"\n\tauth \"example.com/app/guard\"\n\t_ \"example.com/app/side\"\n)\n"
	f, err := Parse(source.NewFile("p.go", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, local string
		want        bool
	}{
		{"example.com/app/guard", "guard", true},
		{"example.com/app/guard", "auth", true},
		{"example.com/app/guard", "other", false},
		{"example.com/app/side", "side", false},
		{"example.com/app/side", "_", false},
		{"example.com/app/none", "none", false},
	} {
		if got := f.ImportsAs(c.path, c.local); got != c.want {
			t.Errorf("ImportsAs(%q, %q) = %v, want %v", c.path, c.local, got, c.want)
		}
	}
	if n := f.ImportName("example.com/app/guard"); n != "guard" {
		t.Errorf("ImportName = %q, want the first name, guard", n)
	}
}
