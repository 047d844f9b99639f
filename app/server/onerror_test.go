package server_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/app/server"
	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/rules/all"
)

// TestFailurePolicy: when the review itself fails on its last attempt
// (here GitHub answers 5xx to every listing of review comments, after the
// base configuration was read), the check concludes by the failure policy:
// CLERKGUARD_ON_ERROR (default neutral), overridden by the base
// configuration's on_error.
func TestFailurePolicy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    string // CLERKGUARD_ON_ERROR, "" unset
		repo   string // on_error in the base config, "" none
		want   string
		policy string
	}{
		{"default is neutral", "", "", "neutral", "failure policy: neutral"},
		{"server says failure", "failure", "", "failure", "failure policy: failure"},
		{"repository says failure", "", "failure", "failure", "failure policy: failure"},
		{"repository overrides the server", "failure", "neutral", "neutral", "failure policy: neutral"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh := apptest.Fake(t, fakegithub.Options{Faults: fakegithub.Faults{ServerErrorRate: 1, Operations: []string{"git/get-tree"}}})
			env := map[string]string{}
			if tc.env != "" {
				env["CLERKGUARD_ON_ERROR"] = tc.env
			}
			h := startServer(t, gh, env, all.Rules(), func(o *server.Options) { o.MaxAttempts = 1 })
			gh.AddInstallation(1, "acme")
			gh.AddRepo("acme", "shop", 1, "main")
			base := baseFiles
			if tc.repo != "" {
				base = with(baseFiles, map[string]string{".github/clerkguard.yml": "on_error: " + tc.repo + "\n"})
			}
			if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: base, HeadFiles: with(base, map[string]string{"app/api/invoices/route.ts": protected})}); err != nil {
				t.Fatal(err)
			}
			h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
			sha, _ := gh.HeadSHA("acme", "shop", 1)
			cr := h.waitCompleted("acme", "shop", sha, 1)[0]
			if cr.Conclusion != tc.want {
				t.Errorf("conclusion %q, want %q", cr.Conclusion, tc.want)
			}
			if cr.Output.Title != "clerkguard could not complete the review" || !strings.Contains(cr.Output.Summary, tc.policy) {
				t.Errorf("title %q, summary does not name %q:\n%s", cr.Output.Title, tc.policy, cr.Output.Summary)
			}
		})
	}
}
