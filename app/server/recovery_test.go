package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/review"
	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestReconcilerRedeliversFailedDeliveries: a delivery GitHub could not
// make while the App was down is found through GET /app/hook/deliveries
// and redelivered, and its review completes.
func TestReconcilerRedeliversFailedDeliveries(t *testing.T) {
	gh := fakeWithPR(t, 5, nil)
	h := startOn(t, gh, map[string]string{"CLERKGUARD_RECONCILE_INTERVAL": "1s"})
	// Recorded as failed: GitHub tried while we were down.
	guid := gh.RecordFailedDelivery(h.url, secret, "pull_request", h.prPayload("opened", "acme", "shop", 5, 1))
	head, _ := gh.HeadSHA("acme", "shop", 5)
	cr := h.waitCompleted("acme", "shop", head, 1)[0]
	if cr.Conclusion != "failure" {
		t.Errorf("redelivered review concluded %q", cr.Conclusion)
	}
	if !strings.Contains(h.logs.String(), guid) {
		t.Errorf("logs do not mention the redelivered delivery %s", guid)
	}
	// Later reconciler runs do not redeliver it again: wait for two more.
	runs := func() int { return strings.Count(h.logs.String(), `"msg":"reconciler finished"`) }
	after := runs()
	if !apptest.Until(t, "two more reconciler runs", func() bool { return runs() >= after+2 }) {
		t.FailNow()
	}
	n := 0
	for _, d := range gh.Deliveries() {
		if d.GUID == guid {
			n++
		}
	}
	if n != 2 {
		t.Errorf("delivery %s was attempted %d times, want 2 (the failure and one redelivery)", guid, n)
	}
	h.assertClean()
}

// TestSweepResumesStuckCheckRun: a check run left in_progress by a lost
// job is found at start and the review completes on that same run.
func TestSweepResumesStuckCheckRun(t *testing.T) {
	gh := fakeWithPR(t, 8, nil)
	repoID := gh.RepoID("acme", "shop")
	head, _ := gh.HeadSHA("acme", "shop", 8)
	// A previous process created the run and died; its job store is gone.
	tok, err := gh.MintInstallationToken(1)
	if err != nil {
		t.Fatal(err)
	}
	gc := github.NewClient(&http.Client{Transport: &tokenTransport{tok}})
	gc, _ = gc.WithEnterpriseURLs(gh.URL(), gh.URL())
	gc.BaseURL, _ = gc.BaseURL.Parse(gh.URL())
	key := review.Request{InstallationID: 1, Owner: "acme", Repo: "shop", RepoID: repoID, PR: 8, HeadSHA: head}.Key()
	if _, _, err := gc.Checks.CreateCheckRun(context.Background(), "acme", "shop", github.CreateCheckRunOptions{
		Name: "Clerk security review", HeadSHA: head, ExternalID: github.String(key), Status: github.String("in_progress")}); err != nil {
		t.Fatal(err)
	}
	// The sweep does not run at start-up (no GitHub request then): its
	// first periodic run finds the run.
	h := startOn(t, gh, map[string]string{"CLERKGUARD_SWEEP_INTERVAL": "1s"})
	runs := h.waitCompleted("acme", "shop", head, 1)
	if len(gh.CheckRuns("acme", "shop")) != 1 || runs[0].Conclusion != "failure" {
		t.Errorf("runs = %+v, want the stuck run completed, no second run", gh.CheckRuns("acme", "shop"))
	}
	if rv := gh.Reviews("acme", "shop", 8); len(rv) != 1 {
		t.Errorf("%d reviews, want 1", len(rv))
	}
	h.assertClean()
}

type tokenTransport struct{ tok string }

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "token "+t.tok)
	return http.DefaultTransport.RoundTrip(r)
}

// TestInstallReviewsOpenPullRequests: adding a repository to an
// installation reviews that repository's recently updated open pull
// requests, and crawls nothing else: not the list of installations, not
// another installation's pull requests (issue 14 point 2).
func TestInstallReviewsOpenPullRequests(t *testing.T) {
	gh := fakeWithPR(t, 1, nil) // installation 1: acme/shop, an open PR never reviewed
	h := startOn(t, gh, nil)
	gh.AddInstallation(4, "newco")
	gh.AddRepo("newco", "app", 4, "main")
	gh.AddPR("newco", "app", fakegithub.PR{Number: 2, BaseFiles: baseFiles, HeadFiles: with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected})})
	m := fixture(t, "installation_repositories.added.json")
	m["installation"] = map[string]any{"id": 4}
	m["repositories_added"] = []any{map[string]any{"id": gh.RepoID("newco", "app"), "name": "app", "full_name": "newco/app", "private": false}}
	b, _ := json.Marshal(m)
	if _, status := h.deliver("installation_repositories", b); status != 202 {
		t.Fatalf("status %d", status)
	}
	head, _ := gh.HeadSHA("newco", "app", 2)
	if cr := h.waitCompleted("newco", "app", head, 1)[0]; cr.Conclusion != "failure" {
		t.Errorf("conclusion %q", cr.Conclusion)
	}
	for _, r := range gh.Requests() {
		if r.InstallationID == 1 || r.OperationID == "apps/list-installations" || r.OperationID == "apps/list-repos-accessible-to-installation" {
			t.Errorf("the crawl of newco/app made %s %s (installation %d)", r.Method, r.Path, r.InstallationID)
		}
	}
	h.assertClean()
}
