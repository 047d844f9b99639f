package server_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestStartupMakesNoGitHubRequest (issue 14 point 2): a server started at
// the default settings on a store that holds no unfinished work makes no
// GitHub request: it does not list installations, repositories, pull
// requests or webhook deliveries. It waits until the server leads its
// store (when periodic jobs set to run at start are queued), then stops it
// gracefully (running jobs finish) and counts.
func TestStartupMakesNoGitHubRequest(t *testing.T) {
	gh := fakeWithPR(t, 1, nil)
	store := filepath.Join(t.TempDir(), "store.db")
	h := startOn(t, gh, map[string]string{"CLERKGUARD_DATABASE_URL": "sqlite://" + store})
	resp, err := http.Get(h.base + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	db, err := sql.Open("sqlite", store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Wait until the server's periodic-job enqueuer runs (it queues jobs
	// marked to run at start as it starts) and no job is waiting or running.
	var (
		pending int
		started bool
		qerr    error
	)
	if !apptest.Until(t, "the server's start-up to settle", func() bool {
		started = strings.Contains(h.logs.String(), "PeriodicJobEnqueuer: Run loop started")
		qerr = db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')`).Scan(&pending)
		return started && qerr == nil && pending == 0
	}, func() string { return fmt.Sprintf("enqueuer started %v, %d jobs pending, %v", started, pending, qerr) }) {
		t.FailNow()
	}
	h.stop()
	if rs := gh.Requests(); len(rs) > 0 {
		var ops []string
		for _, r := range rs {
			ops = append(ops, r.Method+" "+r.Path)
		}
		t.Errorf("start-up made %d GitHub requests: %v", len(rs), ops)
	}
}

// fakeWithPR is a fake GitHub with installation 1 on acme/shop and pull
// request number adding an unguarded route and the extra files.
func fakeWithPR(t *testing.T, number int, extra map[string]string) *fakegithub.Server {
	t.Helper()
	gh := apptest.Fake(t, fakegithub.Options{})
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: number, BaseFiles: baseFiles, HeadFiles: with(with(baseFiles, extra), map[string]string{"app/api/invoices/route.ts": unprotected})}); err != nil {
		t.Fatal(err)
	}
	return gh
}
