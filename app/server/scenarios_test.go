package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// payloadFor builds a pull_request payload for an explicit head SHA.
func (h *harness) payloadFor(action, owner, repo string, number int, inst int64, sha string) []byte {
	var m map[string]any
	json.Unmarshal(h.prPayload(action, owner, repo, number, inst), &m)
	m["pull_request"].(map[string]any)["head"].(map[string]any)["sha"] = sha
	b, _ := json.Marshal(m)
	return b
}

func TestScenarios(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	n := 0
	newRepo := func() string {
		n++
		name := fmt.Sprintf("repo%d", n)
		gh.AddRepo("acme", name, 1, "main")
		return name
	}
	headWithRoute := with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected})

	t.Run("a PR cannot disable its own review", func(t *testing.T) {
		repo := newRepo()
		gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles,
			HeadFiles: with(headWithRoute, map[string]string{".github/clerkguard.yml": "rules:\n  disable: [CLK-RP-003]\n"})})
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		head, _ := gh.HeadSHA("acme", repo, 1)
		if cr := h.waitCompleted("acme", repo, head, 1)[0]; cr.Conclusion != "failure" {
			t.Errorf("conclusion %q: the head's config switched the rule off", cr.Conclusion)
		}
	})

	for _, tc := range []struct {
		name    string
		pr      fakegithub.PR
		reviews int
	}{
		{"diff too large: trees compared, anchors from the compare endpoint", fakegithub.PR{DiffTooLarge: true}, 1},
		// GitHub shows no patch for the file, so no line of it can carry a
		// comment: the finding is in the check run only.
		{"files without a patch are diffed from blobs", fakegithub.PR{DiffTooLarge: true, OmitPatch: []string{"app/api/invoices/route.ts"}}, 0},
		{"fork PRs work the same", fakegithub.PR{Fork: true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := newRepo()
			pr := tc.pr
			pr.Number, pr.BaseFiles, pr.HeadFiles = 3, baseFiles, headWithRoute
			if err := gh.AddPR("acme", repo, pr); err != nil {
				t.Fatal(err)
			}
			h.deliver("pull_request", h.prPayload("opened", "acme", repo, 3, 1))
			head, _ := gh.HeadSHA("acme", repo, 3)
			cr := h.waitCompleted("acme", repo, head, 1)[0]
			if cr.Conclusion != "failure" || !strings.Contains(annotationTitles(cr), "CLK-RP-003") {
				t.Errorf("conclusion %q annotations %s", cr.Conclusion, annotationTitles(cr))
			}
			if r := gh.Reviews("acme", repo, 3); len(r) != tc.reviews {
				t.Errorf("%d reviews, want %d", len(r), tc.reviews)
			}
		})
	}

	t.Run("hostile contents: non-UTF-8, binary, huge, minified, symlink, submodule", func(t *testing.T) {
		repo := newRepo()
		huge := strings.Repeat("export const x = 1\n", 200000) // ~3.8 MB, above the analysis limit
		head := with(headWithRoute, map[string]string{
			"lib/latin1.ts":        "export const name = '\xe9t\xe9'\n",
			"public/logo.png":      "\x89PNG\r\n\x1a\n\x00\x00binary",
			"lib/huge.ts":          huge,
			"public/vendor.min.js": "var a=1;" + strings.Repeat("function b(){return 2}", 5000),
			"lib/link.ts":          "../lib/db.ts",
			"vendor/sdk":           "0123456789abcdef0123456789abcdef01234567",
		})
		err := gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: head,
			Kinds: map[string]fakegithub.FileKind{"lib/link.ts": fakegithub.KindSymlink, "vendor/sdk": fakegithub.KindSubmodule, "public/logo.png": fakegithub.KindBinary}})
		if err != nil {
			t.Fatal(err)
		}
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		sha, _ := gh.HeadSHA("acme", repo, 1)
		cr := h.waitCompleted("acme", repo, sha, 1)[0]
		if cr.Conclusion != "failure" || !strings.Contains(annotationTitles(cr), "CLK-RP-003") {
			t.Errorf("conclusion %q, annotations %s: the real finding must survive hostile files", cr.Conclusion, annotationTitles(cr))
		}
		if !strings.Contains(cr.Output.Summary, "lib/huge.ts") {
			t.Errorf("summary does not say the huge file was skipped:\n%s", cr.Output.Summary)
		}
	})

	t.Run("clean change succeeds without a review", func(t *testing.T) {
		repo := newRepo()
		gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: with(baseFiles, map[string]string{"app/api/invoices/route.ts": protected})})
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		head, _ := gh.HeadSHA("acme", repo, 1)
		if cr := h.waitCompleted("acme", repo, head, 1)[0]; cr.Conclusion != "success" {
			t.Errorf("conclusion %q, want success: %s", cr.Conclusion, cr.Output.Summary)
		}
		if r := gh.Reviews("acme", repo, 1); len(r) != 0 {
			t.Errorf("review posted on a clean change")
		}
	})

	t.Run("an older head is superseded", func(t *testing.T) {
		repo := newRepo()
		gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: headWithRoute})
		old, _ := gh.HeadSHA("acme", repo, 1)
		newer, _ := gh.Push("acme", repo, 1, "", with(headWithRoute, map[string]string{"README.md": "x"}))
		h.deliver("pull_request", h.payloadFor("opened", "acme", repo, 1, 1, old))
		cr := h.waitCompleted("acme", repo, old, 1)[0]
		if cr.Conclusion != "cancelled" || !strings.Contains(cr.Output.Title+cr.Output.Summary, newer[:7]) {
			t.Errorf("old head: %q %q, want cancelled naming %s", cr.Conclusion, cr.Output.Title, newer[:7])
		}
	})

	t.Run("check_run rerequested creates a new run", func(t *testing.T) {
		repo := newRepo()
		gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: headWithRoute})
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		head, _ := gh.HeadSHA("acme", repo, 1)
		h.waitCompleted("acme", repo, head, 1)
		m := fixture(t, "check_run.rerequested.json")
		cr := m["check_run"].(map[string]any)
		cr["name"], cr["head_sha"] = "Clerk security review", head
		cr["pull_requests"] = []any{map[string]any{"number": 1, "head": map[string]any{"sha": head}}}
		r := m["repository"].(map[string]any)
		r["id"], r["name"], r["full_name"] = gh.RepoID("acme", repo), repo, "acme/"+repo
		r["owner"].(map[string]any)["login"] = "acme"
		m["installation"] = map[string]any{"id": 1}
		b, _ := json.Marshal(m)
		if _, status := h.deliver("check_run", b); status != 202 {
			t.Fatalf("status %d", status)
		}
		runs := h.waitCompleted("acme", repo, head, 2)
		if len(runs) != 2 {
			t.Errorf("%d runs", len(runs))
		}
		if rv := gh.Reviews("acme", repo, 1); len(rv) != 1 {
			t.Errorf("%d reviews after a re-run, want 1 (no repeated comments)", len(rv))
		}
	})

	t.Run("repository not installed leaves nothing stuck", func(t *testing.T) {
		repo := newRepo()
		gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: headWithRoute})
		// The earlier cases' jobs end just after their check runs complete.
		before := h.waitJobs("the earlier review jobs ended", jobsIdle)
		_, status := h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 999))
		if status != 202 {
			t.Fatalf("status %d", status)
		}
		// The barrier: the delivery's job has run: it ended, or failed and
		// waits for a retry.
		h.waitJobs("the uninstalled repository's review job ran", func(m map[string]int) bool {
			return jobsEnded(m) > jobsEnded(before) || m["retryable"] > before["retryable"]
		})
		for _, cr := range gh.CheckRuns("acme", repo) {
			if cr.Status != "completed" {
				t.Errorf("stuck check run %+v", cr)
			}
		}
		failed := false
		for _, l := range strings.Split(h.logs.String(), "\n") {
			failed = failed || strings.Contains(l, `"error":`) && strings.Contains(l, "/installations/999/")
		}
		if !failed {
			t.Error("no log line gives the failed job's reason (installation 999)")
		}
	})
	h.assertClean()
}

func annotationTitles(cr fakegithub.CheckRun) string {
	var s []string
	for _, a := range cr.Annotations {
		s = append(s, a.Title)
	}
	return strings.Join(s, ", ")
}

// TestFaultInjection: random 5xx, secondary rate limits with Retry-After,
// slow responses and a 422 on one request. Every review still completes,
// once, with no duplicate comments.
func TestFaultInjection(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	const prs = 6
	for i := 1; i <= prs; i++ {
		gh.AddPR("acme", "shop", fakegithub.PR{Number: i, BaseFiles: baseFiles,
			HeadFiles: with(baseFiles, map[string]string{fmt.Sprintf("app/api/r%d/route.ts", i): unprotected, "lib/clerk.ts": leakyClient})})
	}
	gh.SetFaults(fakegithub.Faults{ServerErrorRate: 0.15, SecondaryRateLimitRate: 0.1, RetryAfter: time.Second,
		SlowRate: 0.1, SlowDelay: 100 * time.Millisecond, Fail422Once: "pulls/create-review"})
	for i := 1; i <= prs; i++ {
		for {
			// The receiver itself never fails; a 5xx here would be ours.
			_, status := h.deliver("pull_request", h.prPayload("opened", "acme", "shop", i, 1))
			if status != 202 {
				t.Fatalf("PR %d: webhook status %d", i, status)
			}
			break
		}
	}
	for i := 1; i <= prs; i++ {
		head, _ := gh.HeadSHA("acme", "shop", i)
		runs := h.waitCompleted("acme", "shop", head, 1)
		if len(runs) != 1 || runs[0].Conclusion != "failure" {
			t.Errorf("PR %d: runs %+v", i, runs)
		}
	}
	gh.SetFaults(fakegithub.Faults{})
	// Every job has ended (a job ends after its check run completes): no
	// retry is left that could post a second review.
	h.waitJobs(fmt.Sprintf("the %d review jobs completed", prs), func(m map[string]int) bool {
		return jobsIdle(m) && jobsEnded(m) == prs
	})
	for i := 1; i <= prs; i++ {
		rv := gh.Reviews("acme", "shop", i)
		if len(rv) != 1 {
			t.Errorf("PR %d: %d reviews, want exactly 1", i, len(rv))
		}
		seen := map[string]bool{}
		for _, c := range gh.ReviewComments("acme", "shop", i) {
			if c.InReplyTo != 0 {
				continue
			}
			fp := c.Body[strings.Index(c.Body, "fp="):]
			if seen[fp] {
				t.Errorf("PR %d: duplicate comment %q", i, fp)
			}
			seen[fp] = true
		}
	}
	faults := map[string]int{}
	for _, r := range gh.Requests() {
		if r.Fault != "" {
			faults[r.Fault]++
		}
	}
	if len(faults) < 3 {
		t.Errorf("faults injected: %v; the test did not exercise 5xx, rate limits and the 422", faults)
	}
	t.Logf("faults survived: %v", faults)
	counts := map[string]int{}
	for _, cr := range gh.CheckRuns("acme", "shop") {
		counts[cr.HeadSHA]++
	}
	for sha, n := range counts {
		if n != 1 {
			t.Errorf("head %s has %d check runs, want 1", sha[:7], n)
		}
	}
	h.assertClean()
}
