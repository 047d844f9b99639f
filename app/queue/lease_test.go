package queue

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clerkguard/clerkguard/app/review"
	"github.com/clerkguard/clerkguard/internal/pgtest"
	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

// gateRunner blocks every review until the gate opens and records how
// many executions of each review run at once.
type gateRunner struct {
	gate    chan struct{}
	entered chan review.Request
	mu      sync.Mutex
	active  map[string]int
	max     int
}

func newGateRunner() *gateRunner {
	return &gateRunner{gate: make(chan struct{}), entered: make(chan review.Request, 16), active: map[string]int{}}
}

func (g *gateRunner) Review(ctx context.Context, req review.Request, _ review.Attempt) error {
	k := req.LeaseKey()
	g.mu.Lock()
	g.active[k]++
	g.max = max(g.max, g.active[k])
	g.mu.Unlock()
	g.entered <- req
	<-g.gate // ignores ctx, like a review stuck past its deadline
	g.mu.Lock()
	g.active[k]--
	g.mu.Unlock()
	return nil
}

func (g *gateRunner) waitEntered(t *testing.T) (r review.Request) {
	t.Helper()
	guard.Returns(t, "waiting for a review to start", func() { r = <-g.entered })
	return r
}

func testJob(id int64, attempt int, req review.Request) *river.Job[review.Request] {
	return &river.Job[review.Request]{JobRow: &rivertype.JobRow{ID: id, Attempt: attempt, MaxAttempts: 8}, Args: req}
}

func wantSnooze(t *testing.T, what string, err error) {
	t.Helper()
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) {
		t.Errorf("%s: %v, want a snooze while the same review runs", what, err)
	}
}

// leaseExpiry reads a lease's expiry straight from the store.
type leaseExpiry func(t *testing.T, key string) int64

// TestLeaseRunsAReviewOnceAtATime: while one execution of a review runs
// (here stuck past any deadline), River's retry of the same job and a
// re-run of the same head snooze instead of running beside it; the lease
// is renewed as long as the execution runs, is released when it returns,
// and a dead holder's expired lease does not block. Before the fix every
// one of those executions ran at once.
func TestLeaseRunsAReviewOnceAtATime(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "q.db")
		testLease(t, "sqlite://"+path, func(t *testing.T, key string) int64 {
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var v int64
			if err := db.QueryRow(`SELECT expires_at FROM clerkguard_leases WHERE name = ?`, key).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		})
	})
	t.Run("postgres", func(t *testing.T) {
		pg := pgtest.New(t)
		testLease(t, pg.URL, func(t *testing.T, key string) int64 {
			pool, err := pgxpool.New(context.Background(), pg.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			var v int64
			if err := pool.QueryRow(context.Background(), `SELECT expires_at FROM clerkguard_leases WHERE name = $1`, key).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		})
	})
}

func testLease(t *testing.T, dsn string, expiry leaseExpiry) {
	ctx := context.Background()
	q, err := Open(ctx, Options{DatabaseURL: dsn, Runner: nopRunner{}})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	r := newGateRunner()
	const ttl = 400 * time.Millisecond
	renewals := make(chan string, 64)
	leases := *q.leases
	leases.renewed = func(key string) { renewals <- key }
	w := &worker{runner: r, leases: &leases, leaseTTL: ttl, log: slog.New(slog.DiscardHandler)}
	req := review.Request{InstallationID: 1, Owner: "o", Repo: "r", PR: 3, HeadSHA: "abc"}

	first := make(chan error, 1)
	go func() { first <- w.Work(ctx, testJob(1, 1, req)) }()
	r.waitEntered(t)

	wantSnooze(t, "the rescued job", w.Work(ctx, testJob(1, 2, req)))
	rerun := req
	rerun.Rerun = "d9"
	wantSnooze(t, "a re-run of the same head", w.Work(ctx, testJob(2, 1, rerun)))

	// Another pull request runs meanwhile.
	other := req
	other.PR = 4
	otherDone := make(chan error, 1)
	go func() { otherDone <- w.Work(ctx, testJob(3, 1, other)) }()
	if got := r.waitEntered(t); got.PR != 4 {
		t.Fatalf("entered %+v, want PR 4", got)
	}

	// The stuck execution outlives its TTL several times over: the lease
	// is renewed, and the job still cannot run twice.
	key := req.LeaseKey()
	before := expiry(t, key)
	guard.Returns(t, "waiting for three renewals of the lease", func() {
		for n := 0; n < 3; {
			if <-renewals == key {
				n++
			}
		}
	})
	if after := expiry(t, key); after <= before {
		t.Errorf("expiry %d after renewals, was %d", after, before)
	}
	wantSnooze(t, "the job after several TTLs", w.Work(ctx, testJob(1, 3, req)))

	close(r.gate)
	for _, ch := range []chan error{first, otherDone} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	// Released: the next execution runs.
	if err := w.Work(ctx, testJob(1, 4, req)); err != nil {
		t.Fatalf("after release: %v", err)
	}
	r.waitEntered(t)

	// A lease left by a dead process (expired) does not block.
	dead := req
	dead.PR = 5
	if ok, err := q.leases.acquire(ctx, dead.LeaseKey(), "dead-process", -time.Minute); !ok || err != nil {
		t.Fatalf("seed an expired lease: %v %v", ok, err)
	}
	if err := w.Work(ctx, testJob(4, 1, dead)); err != nil {
		t.Fatalf("behind an expired lease: %v", err)
	}
	r.waitEntered(t)

	if r.max != 1 {
		t.Errorf("%d executions of one review ran at once, want 1", r.max)
	}
	if err := q.prune(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "review/1/o/r/3/abc") {
		t.Errorf("lease key %q", key)
	}
}
