package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestMergeGroupIsNotBlocked: merge_group.checks_requested gets a completed
// "Clerk security review" on the merge group's head SHA with a passing
// conclusion, so a merge queue that requires the check never waits on it.
// The group's changes come from comparing its base and head trees.
func TestMergeGroupIsNotBlocked(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	repoID := gh.AddRepo("acme", "shop", 1, "main")
	base, err := gh.AddCommit("acme", "shop", "", baseFiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := gh.AddCommit("acme", "shop", "", with(baseFiles, map[string]string{"README.md": "merged"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{
		"action":       "checks_requested",
		"merge_group":  map[string]any{"head_sha": head, "base_sha": base, "head_ref": "refs/heads/gh-readonly-queue/main/pr-1-" + base},
		"repository":   map[string]any{"id": repoID, "name": "shop", "full_name": "acme/shop", "owner": map[string]any{"login": "acme"}},
		"installation": map[string]any{"id": 1},
	})
	if _, status := h.deliver("merge_group", payload); status != 202 {
		t.Fatalf("status %d", status)
	}
	cr := h.waitCompleted("acme", "shop", head, 1)[0]
	if cr.Conclusion != "success" && cr.Conclusion != "neutral" {
		t.Errorf("merge group concluded %q; a merge queue would be blocked", cr.Conclusion)
	}
	for _, v := range gh.Violations() {
		if !strings.Contains(v.Path, "/compare/") {
			t.Errorf("violation: %s", v)
		}
	}
}
