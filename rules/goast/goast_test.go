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
