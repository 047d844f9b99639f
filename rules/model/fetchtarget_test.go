package model

import (
	"context"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

func TestURLSegments(t *testing.T) {
	src := "fetch('/api/users?x=1')\nfetch(`/orgs/${id}/members`)\nfetch('//cdn.example.com/a')\nfetch('https://example.com/api')\nfetch(url)\n"
	f, err := jsast.Parse(context.Background(), source.NewFile("a.ts", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range f.Calls(f.Root, func(n string) bool { return n == "fetch" }) {
		segs, ok := URLSegments(f, jsast.Args(c)[0])
		if !ok {
			got = append(got, "-")
			continue
		}
		got = append(got, strings.Join(segs, "/"))
	}
	want := "api/users orgs/*/members - - -"
	if strings.Join(got, " ") != want {
		t.Errorf("URLSegments = %q, want %q", strings.Join(got, " "), want)
	}
}
