package server_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestKillNineDuringReviewSQLite: `kill -9` while a review is in flight
// (its inline review already posted, the check run not yet completed),
// then a restart on the same SQLite store, at the default settings. The
// restarted server resumes the job when its store opens (the job's record
// holds no rescue by River, which at the default settings comes 11 min
// later, past go test's default deadline) and the review is posted exactly
// once.
func TestKillNineDuringReviewSQLite(t *testing.T) {
	bin := apptest.BuildClerkguard(t)
	gh := fakeWithPR(t, 1, map[string]string{"lib/clerk.ts": leakyClient})
	head, _ := gh.HeadSHA("acme", "shop", 1)
	// Completing the check run hangs, so the process dies between posting the
	// review and completing the run: the hardest point for exactly-once.
	gh.SetFaults(fakegithub.Faults{SlowRate: 1, SlowDelay: 20 * time.Second, Operations: []string{"checks/update"}})

	dir := t.TempDir()
	env := []string{
		"CLERKGUARD_APP_ID=" + fmt.Sprint(gh.AppID()),
		"CLERKGUARD_PRIVATE_KEY=" + string(gh.PrivateKeyPEM()),
		"CLERKGUARD_WEBHOOK_SECRET=" + secret,
		"CLERKGUARD_GITHUB_API_URL=" + gh.URL(),
		"CLERKGUARD_DATABASE_URL=sqlite://" + filepath.Join(dir, "store.db"),
	}
	port := freePort(t)
	a := startReplica(t, bin, "first", port, env, dir)
	h := &harness{t: t, gh: gh}
	// The review has one batch of annotations: its only check-run update is
	// the completion.
	completing := gh.Arrival("checks/update")
	id, status, err := gh.Deliver(t.Context(), a.hook(), secret, "pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
	if err != nil || status != 202 {
		t.Fatalf("deliver: %v %d", err, status)
	}
	guard, stop := apptest.Guard(t)
	defer stop()
	select {
	case <-completing: // the completion request now hangs in SlowDelay
	case <-guard.Done():
		t.Fatalf("gave up waiting (test deadline): the check run's completion request\n%s", a.tail(30))
	}
	if len(gh.Reviews("acme", "shop", 1)) == 0 {
		t.Fatalf("the check run is being completed before the review was posted\n%s", a.tail(30))
	}
	a.kill()
	killed := time.Now()
	gh.SetFaults(fakegithub.Faults{})
	if runs := gh.CheckRuns("acme", "shop"); len(runs) != 1 || runs[0].Status == "completed" {
		t.Fatalf("before restart: %+v", runs)
	}

	b := startReplica(t, bin, "restarted", port, env, dir)
	restarted := time.Now()
	waitHead(t, gh, "acme", "shop", head)
	// Resumed at start (the store's running job made available again), not
	// rescued by River after RescueAfter (11 min at the default settings,
	// past go test's default deadline): the job's record says which.
	db, err := sql.Open("sqlite", filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var state, errs string
	var attempt int
	if err := db.QueryRow(`SELECT state, attempt, CASE WHEN errors IS NULL THEN '' ELSE json(errors) END FROM river_job WHERE kind = 'clerkguard_review'`).Scan(&state, &attempt, &errs); err != nil {
		t.Fatalf("the review job's record: %v", err)
	}
	t.Logf("review job: %s, attempt %d, errors %s", state, attempt, errs)
	if strings.Contains(errs, "JobRescuer") {
		t.Errorf("the killed review was rescued by River (after RescueAfter), not resumed when the store opened: %s", errs)
	}
	t.Logf("check run completed %s after the restart, %s after kill -9 (delivery %s)",
		time.Since(restarted).Round(100*time.Millisecond), time.Since(killed).Round(100*time.Millisecond), id)
	runs := gh.CheckRuns("acme", "shop")
	if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "failure" {
		t.Errorf("runs after restart: %+v\n%s", runs, b.tail(30))
	}
	if rv := gh.Reviews("acme", "shop", 1); len(rv) != 1 {
		t.Errorf("%d reviews, want exactly 1", len(rv))
	}
	seen := map[string]bool{}
	for _, c := range gh.ReviewComments("acme", "shop", 1) {
		i := strings.Index(c.Body, "fp=")
		if c.InReplyTo != 0 || i < 0 {
			continue
		}
		if seen[c.Body[i:]] {
			t.Errorf("duplicate comment %q", c.Body[i:])
		}
		seen[c.Body[i:]] = true
	}
	if v := gh.Violations(); len(v) > 0 {
		t.Errorf("violations: %+v", v)
	}
}
