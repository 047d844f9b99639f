package server_test

import (
	"regexp"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

var markerRe = regexp.MustCompile(`<!-- clerkguard:v1 fp=[0-9a-f]+ rule=CLK-[A-Z]+-\d{3} -->`)

// TestPlantedMarkersDoNotSuppress: fingerprints are public (every review
// shows them, and they hash only the rule, path and code), so anyone can
// copy clerkguard's hidden markers into their own review comments. Only
// comments by the App's bot user count: planted markers must not stop the
// bot from commenting. Before, the bot skipped every planted fingerprint.
func TestPlantedMarkersDoNotSuppress(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	change := map[string]string{"app/api/invoices/route.ts": unprotected, "lib/clerk.ts": leakyClient}
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: with(baseFiles, change)}); err != nil {
		t.Fatal(err)
	}
	head1, _ := gh.HeadSHA("acme", "shop", 1)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 42))
	h.waitCompleted("acme", "shop", head1, 1)
	var markers []string
	for _, c := range gh.ReviewComments("acme", "shop", 1) {
		if m := markerRe.FindString(c.Body); m != "" {
			markers = append(markers, m)
		}
	}
	if len(markers) < 2 {
		t.Fatalf("PR 1 got %d marked comments, want the findings' comments", len(markers))
	}

	// PR 2 makes the same change (same fingerprints). Mallory comments
	// first, with the markers copied from PR 1.
	change["README.md"] = "same change, another pull request\n"
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 2, BaseFiles: baseFiles, HeadFiles: with(baseFiles, change)}); err != nil {
		t.Fatal(err)
	}
	for _, m := range markers {
		if _, err := gh.AddReviewComment("acme", "shop", 2, "mallory", "lib/clerk.ts", 3, "Nothing to see here.\n\n"+m, 0); err != nil {
			t.Fatal(err)
		}
	}
	head2, _ := gh.HeadSHA("acme", "shop", 2)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 2, 42))
	h.waitCompleted("acme", "shop", head2, 1)
	posted := map[string]bool{}
	for _, c := range gh.ReviewComments("acme", "shop", 2) {
		if c.User == gh.BotLogin() {
			posted[markerRe.FindString(c.Body)] = true
		}
	}
	for _, m := range markers {
		if !posted[m] {
			t.Errorf("the bot did not comment %s: a planted marker suppressed it", m)
		}
	}
	h.assertClean()
}
