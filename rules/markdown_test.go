package rules_test

import (
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"auth()":            "`auth()`",
		"a`b":               "``a`b``",
		"`a":                "`` `a ``",
		"a``":               "``` a`` ```",
		"fetch(`${u}/x`)":   "``fetch(`${u}/x`)``",
		" a ":               "`  a  `",
		" a":                "` a`",
		"   ":               "`   `",
		"":                  "` `",
		"a\nb\r\nc":         "`a b  c`",
		"/x\n\n### ✅ merge": "`/x  ### ✅ merge`",
		"a\u202eb":          "`a\ufffdb`",
		"a\x00b\tc":         "`a b c`",
		"\xff":              "`\ufffd`",
		"```":               "```` ``` ````",
	} {
		if got := rules.Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}
