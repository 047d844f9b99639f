package queue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/queue"
	"github.com/clerkguard/clerkguard/app/review"
	"github.com/clerkguard/clerkguard/app/webhook"
	"github.com/clerkguard/clerkguard/internal/pgtest"
)

type nopRunner struct{}

func (nopRunner) Review(context.Context, review.Request, review.Attempt) error { return nil }

// rerunPayload is GitHub's check_run payload of the given action for our
// check run id on pull request 7.
func rerunPayload(t *testing.T, action string, id int64) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", "check_run."+action+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	cr := m["check_run"].(map[string]any)
	cr["id"] = id
	cr["name"] = "Clerk security review"
	cr["pull_requests"] = []any{map[string]any{"number": 7, "head": map[string]any{"sha": cr["head_sha"]}}}
	if action == "requested_action" {
		m["requested_action"] = map[string]any{"identifier": "rerun"}
	}
	out, _ := json.Marshal(m)
	return out
}

// enqueueDelivery turns a signed-and-verified delivery into jobs, as the
// webhook handler does.
func enqueueDelivery(t *testing.T, q *queue.Queue, event, delivery string, payload []byte) queue.Result {
	t.Helper()
	reqs, ignore, err := webhook.Requests(event, delivery, payload)
	if err != nil || ignore != "" || len(reqs) != 1 {
		t.Fatalf("Requests: %v %q %d", err, ignore, len(reqs))
	}
	res, err := q.Enqueue(context.Background(), delivery, reqs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func testRerunReplay(t *testing.T, dsn string) {
	// The queue reads the clock inside Enqueue, on this goroutine.
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	q, err := queue.Open(context.Background(), queue.Options{DatabaseURL: dsn, Runner: nopRunner{}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	rerun := rerunPayload(t, "rerequested", 4242)
	if res := enqueueDelivery(t, q, "check_run", "a1", rerun); res.Inserted != 1 {
		t.Fatalf("first re-run: %+v, want one job", res)
	}
	// The same signed payload replayed under fresh delivery IDs: one job.
	for i := 0; i < 5; i++ {
		now = now.Add(5 * time.Second)
		if res := enqueueDelivery(t, q, "check_run", fmt.Sprint("replay", i), rerun); res.Inserted != 0 || res.Coalesced != 1 {
			t.Errorf("replay %d: %+v, want no job", i, res)
		}
	}
	// Another check run's re-run is its own job.
	if res := enqueueDelivery(t, q, "check_run", "b1", rerunPayload(t, "rerequested", 4243)); res.Inserted != 1 {
		t.Errorf("another check run's re-run: %+v, want a job", res)
	}
	// After the window, a re-run of the same check run is a new job.
	now = now.Add(queue.RerunWindow)
	if res := enqueueDelivery(t, q, "check_run", "a2", rerun); res.Inserted != 1 {
		t.Errorf("re-run after the window: %+v, want a job", res)
	}
	if res := enqueueDelivery(t, q, "check_run", "a3", rerun); res.Inserted != 0 {
		t.Errorf("replay right after: %+v, want no job", res)
	}
	// The "Re-run review" button of the same run is its own request.
	if res := enqueueDelivery(t, q, "check_run", "c1", rerunPayload(t, "requested_action", 4242)); res.Inserted != 1 {
		t.Errorf("button: %+v, want a job", res)
	}
}

// TestRerunReplayIsOneJob: re-run requests of one check run within
// RerunWindow make one job, whatever their delivery IDs (the signature
// does not cover the X-GitHub-Delivery header). Before, each fresh
// delivery ID made a new review.
func TestRerunReplayIsOneJob(t *testing.T) {
	testRerunReplay(t, "sqlite://"+filepath.Join(t.TempDir(), "q.db"))
}

// TestRerunReplayAcrossReplicas: on PostgreSQL the window holds across
// replicas racing on the same re-run.
func TestRerunReplayAcrossReplicas(t *testing.T) {
	pg := pgtest.New(t)
	t.Run("sequential", func(t *testing.T) { testRerunReplay(t, pg.URL) })
	ctx := context.Background()
	var qs []*queue.Queue
	for i := 0; i < 3; i++ {
		q, err := queue.Open(ctx, queue.Options{DatabaseURL: pg.URL, Runner: nopRunner{}})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		qs = append(qs, q)
	}
	rerun := rerunPayload(t, "rerequested", 777)
	var wg sync.WaitGroup
	results := make([]queue.Result, 12)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = enqueueDelivery(t, qs[i%len(qs)], "check_run", fmt.Sprint("race", i), rerun)
		}()
	}
	wg.Wait()
	inserted := 0
	for _, r := range results {
		inserted += r.Inserted
	}
	if inserted != 1 {
		t.Errorf("%d jobs from 12 concurrent replays on 3 replicas, want 1: %+v", inserted, results)
	}
}
