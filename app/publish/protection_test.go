package publish

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

func TestProtectionSection(t *testing.T) {
	if got := ProtectionSection(nil, nil); got != "" {
		t.Errorf("no change: %q, want no section", got)
	}
	var pcs []rules.ProtectionChange
	for i := 0; i < maxProtectionLines+3; i++ {
		pcs = append(pcs, rules.ProtectionChange{Entry: fmt.Sprintf("GET /api/r%d", i), Path: fmt.Sprintf("app/api/r%d/route.ts", i), Line: 3,
			Was: "yes", Now: "no", Why: "middleware.ts's matcher does not run on it " + hostile})
	}
	fs := []rules.Finding{
		{Rule: "CLK-RP-020", InDiff: true, Protection: pcs},
		{Rule: "CLK-RP-020", InDiff: false, Protection: []rules.ProtectionChange{{Entry: "GET /old", Path: "x.ts", Line: 1}}},
	}
	fresh := []rules.ProtectionChange{{Entry: "POST /api/new", Path: "app/api/new/route.ts", Line: 2, Now: "no", Why: "nothing checks the caller", New: true}}
	got := ProtectionSection(fs, fresh)
	if !strings.Contains(got, fmt.Sprintf("#### Protection changes (%d entry point(s))", len(pcs)+1)) {
		t.Errorf("heading:\n%s", got)
	}
	if !strings.Contains(got, "- `GET /api/r0` — `app/api/r0/route.ts:3` — became unguarded (yes → no): middleware.ts") {
		t.Errorf("entry line:\n%s", got)
	}
	if n := strings.Count(got, "\n- "); n != maxProtectionLines+1 {
		t.Errorf("%d lines, want %d and the rest counted", n, maxProtectionLines+1)
	}
	if !strings.Contains(got, "- … and 4 more") {
		t.Errorf("cap not stated:\n%s", got)
	}
	if strings.Contains(got, "GET /old") {
		t.Error("a finding outside the diff (pre-existing or suppressed) is listed")
	}
	// Inert: the markup is escaped, the mention and the link broken.
	if strings.Contains(got, " [details](") || strings.Contains(got, " <img") || strings.Contains(got, "@octocat") ||
		strings.Contains(got, "https://evil") || strings.Count(got, "\n#") != 1 {
		t.Errorf("the why is not inert:\n%s", got)
	}
}
