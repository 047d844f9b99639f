package modules

import (
	"context"
	"strings"
	"testing"
)

// TestResolveCases runs every testdata/resolve/*.txtar case: each line of
// its @resolve section is "importer specifier => expected resolution".
func TestResolveCases(t *testing.T) {
	for _, a := range archives(t, "resolve") {
		t.Run(a.name, func(t *testing.T) {
			r := NewResolver(newMemFiles(a.files))
			if len(a.sections["@resolve"]) == 0 {
				t.Fatal("no @resolve section")
			}
			for _, line := range a.sections["@resolve"] {
				lhs, want := fields(t, line)
				if len(lhs) != 2 {
					t.Fatalf("line %q: want 'importer specifier => resolution'", line)
				}
				got, err := r.Resolve(context.Background(), lhs[0], lhs[1])
				if strings.HasPrefix(want, "error") {
					if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(strings.TrimPrefix(want, "error"))) {
						t.Errorf("Resolve(%s, %q) = %s, %v; want %s", lhs[0], lhs[1], describe(got), err, want)
					}
					continue
				}
				if err != nil {
					t.Errorf("Resolve(%s, %q): %v", lhs[0], lhs[1], err)
					continue
				}
				if !matches(got, want) {
					t.Errorf("Resolve(%s, %q) = %s; want %s", lhs[0], lhs[1], describe(got), want)
				}
			}
		})
	}
}
