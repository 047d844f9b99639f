package queue

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/review"
)

type nopRunner struct{}

func (nopRunner) Review(context.Context, review.Request, review.Attempt) error { return nil }

func TestSQLitePath(t *testing.T) {
	for in, want := range map[string]string{"": "clerkguard.db", "sqlite://rel.db": "rel.db", "sqlite:///abs/q.db": "/abs/q.db", "sqlite:///x.db?mode=rw": "/x.db"} {
		if got, err := SQLitePath(in); err != nil || got != want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"sqlite://", "postgres://x"} {
		if _, err := SQLitePath(bad); err == nil {
			t.Errorf("SQLitePath(%q) accepted", bad)
		}
	}
}

// TestEnqueueDedupes: a delivery is recorded with its jobs in one
// transaction; the same delivery again does nothing, and a second delivery
// for the same (installation, repo, PR, head SHA) adds no job.
func TestEnqueueDedupes(t *testing.T) {
	ctx := context.Background()
	q, err := Open(ctx, Options{DatabaseURL: "sqlite://" + filepath.Join(t.TempDir(), "q.db"), Runner: nopRunner{}})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	req := review.Request{InstallationID: 1, Owner: "o", Repo: "r", PR: 3, HeadSHA: "abc", DeliveryID: "d1", Trigger: "pull_request.opened"}
	res, err := q.Enqueue(ctx, "d1", []review.Request{req})
	if err != nil || res.Inserted != 1 || res.Duplicate {
		t.Fatalf("first: %+v %v", res, err)
	}
	if res, _ := q.Enqueue(ctx, "d1", []review.Request{req}); !res.Duplicate || res.Inserted != 0 {
		t.Errorf("same delivery again: %+v", res)
	}
	other := req
	other.DeliveryID, other.Trigger = "d2", "pull_request.synchronize" // not part of the unique key
	if res, _ := q.Enqueue(ctx, "d2", []review.Request{other}); res.Duplicate || res.Inserted != 0 || res.Existing != 1 {
		t.Errorf("same head from another delivery: %+v, want one existing job", res)
	}
	rerun := req
	rerun.Rerun = "d3"
	if res, _ := q.Enqueue(ctx, "d3", []review.Request{rerun}); res.Inserted != 1 {
		t.Errorf("re-run request: %+v, want a new job", res)
	}
	for _, g := range []string{"d1", "d2", "d3"} {
		if ok, err := q.Seen(ctx, g); !ok || err != nil {
			t.Errorf("Seen(%s) = %v, %v", g, ok, err)
		}
	}
	if ok, _ := q.Seen(ctx, "never"); ok {
		t.Error("Seen(never) = true")
	}
	if v, err := q.State(ctx, "k"); v != "" || err != nil {
		t.Errorf("unset state = %q, %v", v, err)
	}
	q.SetState(ctx, "k", "1")
	q.SetState(ctx, "k", "2")
	if v, _ := q.State(ctx, "k"); v != "2" {
		t.Errorf("state = %q, want 2", v)
	}
	if err := q.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	q, err := Open(ctx, Options{DatabaseURL: "sqlite://" + filepath.Join(t.TempDir(), "q.db"), Runner: nopRunner{}})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	q.Enqueue(ctx, "old", nil)
	if err := q.prune(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := q.Seen(ctx, "old"); ok {
		t.Error("delivery older than the cut-off was kept")
	}
	q.Enqueue(ctx, "new", nil)
	q.prune(ctx, time.Now().Add(-time.Hour))
	if ok, _ := q.Seen(ctx, "new"); !ok {
		t.Error("recent delivery was pruned")
	}
}
