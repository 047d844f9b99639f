package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestGHESAndOperations runs a review against a GitHub Enterprise Server
// layout (REST under /api/v3/, GraphQL under /api/graphql) and checks the
// operational endpoints.
func TestGHESAndOperations(t *testing.T) {
	h := startWith(t, fakegithub.Options{GHES: true})
	if !strings.HasSuffix(h.gh.URL(), "/api/v3/") {
		t.Fatalf("fake GHES URL %q", h.gh.URL())
	}
	gh := h.gh
	gh.AddInstallation(3, "corp")
	gh.AddRepo("corp", "portal", 3, "main")
	gh.AddPR("corp", "portal", fakegithub.PR{Number: 9, BaseFiles: baseFiles,
		HeadFiles: with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected})})
	h.deliver("pull_request", h.prPayload("opened", "corp", "portal", 9, 3))
	head, _ := gh.HeadSHA("corp", "portal", 9)
	if cr := h.waitCompleted("corp", "portal", head, 1)[0]; cr.Conclusion != "failure" {
		t.Errorf("GHES review concluded %q", cr.Conclusion)
	}
	h.assertClean()

	get := func(path string) (int, string) {
		resp, err := http.Get(h.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz %d", code)
	}
	if code, _ := get("/webhook"); code != 405 {
		t.Errorf("GET /webhook %d, want 405", code)
	}
	// The job records the review's metrics after GitHub has the completed
	// check run, so wait for them rather than read /metrics once.
	want := []string{
		`clerkguard_webhook_deliveries_total{event="pull_request",outcome="queued"} 1`,
		`clerkguard_review_duration_seconds_count{conclusion="failure"} 1`,
		`clerkguard_github_requests_total{endpoint="POST /repos/:owner/:repo/check-runs",status="201"}`,
		`clerkguard_github_rate_limit_remaining{installation="3"}`,
		`clerkguard_webhook_ack_seconds_bucket`,
	}
	var lacks []string
	apptest.Until(t, "the review's metrics", func() bool {
		code, metrics := get("/metrics")
		if code != 200 {
			t.Fatalf("/metrics %d", code)
		}
		lacks = nil
		for _, m := range want {
			if !strings.Contains(metrics, m) {
				lacks = append(lacks, m)
			}
		}
		return len(lacks) == 0
	}, func() string { return "/metrics lacks " + strings.Join(lacks, ", ") })
}
