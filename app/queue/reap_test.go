package queue

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clerkguard/clerkguard/app/review"
	"github.com/clerkguard/clerkguard/internal/pgtest"
)

// TestReapRetriesADeadReplicasReview (issue 14 point 3, PostgreSQL): a
// running review job whose lease expired (its replica died) is made
// available at once; a job whose lease is being renewed, a job that has
// not taken its lease yet and a job that just started stay running.
func TestReapRetriesADeadReplicasReview(t *testing.T) {
	pg := pgtest.New(t)
	ctx := context.Background()
	q, err := Open(ctx, Options{DatabaseURL: pg.URL, Runner: nopRunner{}}) // not started: nothing runs the jobs
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	pool, err := pgxpool.New(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	now := time.Now()
	ttl := 30 * time.Second
	reqs := map[string]review.Request{}
	for _, name := range []string{"dead", "alive", "nolease", "fresh"} {
		r := review.Request{InstallationID: 1, Owner: "acme", Repo: "shop", PR: 1, HeadSHA: name}
		reqs[name] = r
		if _, err := q.Insert(ctx, []review.Request{r}); err != nil {
			t.Fatal(err)
		}
		started := now.Add(-time.Hour)
		if name == "fresh" {
			started = now.Add(-time.Second)
		}
		if _, err := pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $2 WHERE args->>'head_sha' = $1`, name, started); err != nil {
			t.Fatal(err)
		}
		expires := map[string]time.Time{"dead": now.Add(-time.Second), "alive": now.Add(ttl), "fresh": now.Add(-time.Second)}
		if e, ok := expires[name]; ok {
			if _, err := pool.Exec(ctx, `INSERT INTO clerkguard_leases (name, holder, expires_at) VALUES ($1, 'x', $2)`, r.LeaseKey(), e.UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := reap(ctx, pool, ttl, now)
	// "nolease" has run for an hour without taking its lease, which an
	// execution does first: its process died before that step.
	if err != nil || n != 2 {
		t.Fatalf("reaped %d (%v), want 2", n, err)
	}
	for name, want := range map[string]string{"dead": "available", "alive": "running", "nolease": "available", "fresh": "running"} {
		var state string
		if err := pool.QueryRow(ctx, `SELECT state::text FROM river_job WHERE args->>'head_sha' = $1`, name).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != want {
			t.Errorf("%s: state %s, want %s", name, state, want)
		}
	}
}
