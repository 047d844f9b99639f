package maintain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/review"
)

// Unit tests of the reconciler and the sweep against hand-written
// in-memory fakes of GitHub and the store.

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakeDeliveries serves pages of deliveries and records redeliveries.
type fakeDeliveries struct {
	pages       [][]*github.HookDelivery
	listed      []string // cursors asked for
	redelivered []int64
	fail        map[int64]error
}

func (f *fakeDeliveries) Deliveries(_ context.Context, cursor string) ([]*github.HookDelivery, string, error) {
	f.listed = append(f.listed, cursor)
	i := 0
	if cursor != "" {
		fmt.Sscanf(cursor, "page%d", &i)
	}
	next := ""
	if i+1 < len(f.pages) {
		next = fmt.Sprintf("page%d", i+1)
	}
	return f.pages[i], next, nil
}

func (f *fakeDeliveries) Redeliver(_ context.Context, id int64) error {
	if err := f.fail[id]; err != nil {
		return err
	}
	f.redelivered = append(f.redelivered, id)
	return nil
}

func delivery(id int64, guid string, status int, ago time.Duration) *github.HookDelivery {
	return &github.HookDelivery{ID: github.Int64(id), GUID: github.String(guid), StatusCode: github.Int(status),
		Event: github.String("pull_request"), DeliveredAt: &github.Timestamp{Time: now.Add(-ago)}}
}

// memStore is the queue's side: the deliveries it recorded and its state.
type memStore struct {
	seen  map[string]bool
	state map[string]string
}

func (m *memStore) Seen(_ context.Context, g string) (bool, error) { return m.seen[g], nil }
func (m *memStore) State(_ context.Context, n string) (string, error) {
	return m.state[n], nil
}
func (m *memStore) SetState(_ context.Context, n, v string) error { m.state[n] = v; return nil }

// TestReconcilerRedeliversWhatNeverArrived: of the deliveries in the
// window, each GUID that never succeeded and that the App never recorded
// is redelivered once, by its latest attempt; pages are followed until a
// delivery older than the window.
func TestReconcilerRedeliversWhatNeverArrived(t *testing.T) {
	f := &fakeDeliveries{pages: [][]*github.HookDelivery{
		{delivery(9, "a", 502, time.Minute), delivery(8, "b", 202, 2*time.Minute), delivery(7, "c", 0, 3*time.Minute)},
		{delivery(6, "a", 0, time.Hour), delivery(5, "d", 500, 2*time.Hour), delivery(4, "b", 500, 3*time.Hour)},
		{delivery(3, "e", 500, 80*time.Hour), delivery(2, "f", 500, 90*time.Hour)},
		{delivery(1, "g", 500, 100*time.Hour)},
	}}
	st := &memStore{seen: map[string]bool{"d": true}, state: map[string]string{}}
	r := &Reconciler{GitHub: f, Store: st, Log: discard(), Now: func() time.Time { return now }}
	n, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// a: failed twice, redelivered by its latest attempt (9); b succeeded
	// once; c never reached us; d was recorded by the App; e and f are
	// older than the 72 h window; the fourth page is never listed.
	if want := []int64{9, 7}; n != 2 || !reflect.DeepEqual(f.redelivered, want) {
		t.Errorf("redelivered %v (n=%d), want %v", f.redelivered, n, want)
	}
	if want := []string{"", "page1", "page2"}; !reflect.DeepEqual(f.listed, want) {
		t.Errorf("listed pages %v, want %v", f.listed, want)
	}
	if got := st.state[cursorKey]; got != now.Format(time.RFC3339Nano) {
		t.Errorf("cursor %q", got)
	}

	// The next run looks back to its cursor less five minutes' overlap,
	// not the whole window, and a failed redelivery is not counted.
	later := now.Add(30 * time.Minute)
	f.pages = [][]*github.HookDelivery{{delivery(12, "h", 500, -20*time.Minute), delivery(11, "i", 500, 2*time.Minute), delivery(10, "j", 500, 10*time.Minute)}}
	f.listed, f.redelivered, f.fail = nil, nil, map[int64]error{11: errors.New("502 from GitHub")}
	r.Now = func() time.Time { return later }
	n, err = r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{12}; n != 1 || !reflect.DeepEqual(f.redelivered, want) {
		t.Errorf("second run redelivered %v (n=%d), want %v: i failed, j is before the cursor's overlap", f.redelivered, n, want)
	}
}

// TestReconcilerBound: one run redelivers at most MaxRedeliveries.
func TestReconcilerBound(t *testing.T) {
	var page []*github.HookDelivery
	for i := 0; i < 10; i++ {
		page = append(page, delivery(int64(100-i), fmt.Sprintf("g%d", i), 500, time.Duration(i)*time.Minute))
	}
	f := &fakeDeliveries{pages: [][]*github.HookDelivery{page}}
	r := &Reconciler{GitHub: f, Store: &memStore{state: map[string]string{}}, Log: discard(), MaxRedeliveries: 3, Now: func() time.Time { return now }}
	if n, err := r.Run(context.Background()); err != nil || n != 3 || len(f.redelivered) != 3 {
		t.Errorf("n=%d err=%v redelivered %v, want 3", n, err, f.redelivered)
	}
}

// fakeOrg is the sweep's GitHub: installations of repositories of pull
// requests with check runs.
type fakeOrg struct {
	repos  map[int64][]Repo
	pulls  map[string][]*github.PullRequest // "owner/name"
	runs   map[string][]*github.CheckRun    // head SHA
	listed []string                         // repositories whose pulls were listed
	fail   map[string]error                 // "owner/name" whose pulls cannot be listed
}

func (f *fakeOrg) Installations(context.Context) ([]int64, error) {
	var ids []int64
	for id := range f.repos {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

func (f *fakeOrg) Installation(_ context.Context, id int64) (Installation, error) {
	return fakeInst{f, id}, nil
}

type fakeInst struct {
	f  *fakeOrg
	id int64
}

func (i fakeInst) Repos(context.Context) ([]Repo, error) { return i.f.repos[i.id], nil }

func (i fakeInst) OpenPulls(_ context.Context, owner, repo string) ([]*github.PullRequest, error) {
	i.f.listed = append(i.f.listed, owner+"/"+repo)
	if err := i.f.fail[owner+"/"+repo]; err != nil {
		return nil, err
	}
	return i.f.pulls[owner+"/"+repo], nil
}

func (i fakeInst) CheckRuns(_ context.Context, owner, repo, sha string) ([]*github.CheckRun, error) {
	return i.f.runs[sha], nil
}

func pull(n int, sha string, updatedAgo time.Duration) *github.PullRequest {
	return &github.PullRequest{Number: github.Int(n), Head: &github.PullRequestBranch{SHA: github.String(sha)},
		UpdatedAt: &github.Timestamp{Time: now.Add(-updatedAgo)},
		Base:      &github.PullRequestBranch{Repo: &github.Repository{ID: github.Int64(77)}}}
}

func run(inst int64, owner, repo string, pr int, sha, status string) *github.CheckRun {
	key := review.Request{InstallationID: inst, Owner: owner, Repo: repo, PR: pr, HeadSHA: sha}.Key()
	return &github.CheckRun{ExternalID: github.String(key), Status: github.String(status), HeadSHA: github.String(sha)}
}

func org() *fakeOrg {
	return &fakeOrg{
		repos: map[int64][]Repo{1: {{"acme", "web", 10}, {"acme", "api", 11}}, 2: {{"beta", "site", 20}}},
		pulls: map[string][]*github.PullRequest{
			// newest first, as GitHub lists them
			"acme/web":  {pull(1, "s1", time.Hour), pull(2, "s2", 2*time.Hour), pull(3, "s3", 100*time.Hour), pull(4, "s4", 200*time.Hour)},
			"acme/api":  {pull(5, "s5", 300*time.Hour)},
			"beta/site": {pull(6, "s6", time.Minute)},
		},
		runs: map[string][]*github.CheckRun{
			"s2": {run(1, "acme", "web", 2, "s2", "completed")},
			"s4": {run(1, "acme", "web", 4, "s4", "in_progress")},
			"s5": {run(1, "acme", "api", 5, "s5", "completed")},
		},
	}
}

func heads(reqs []review.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s/%s#%d@%s", r.Owner, r.Repo, r.PR, r.HeadSHA))
	}
	sort.Strings(out)
	return out
}

// TestSweepFindsStuckAndMissedReviews: the sweep queues the heads whose
// run of ours was left unfinished, whatever their age, and the recently
// updated pull requests with no run at all; a completed run, or an old
// pull request without one, is left alone.
func TestSweepFindsStuckAndMissedReviews(t *testing.T) {
	f := org()
	f.fail = map[string]error{"acme/api": errors.New("500")}
	var got []review.Request
	s := &Sweeper{GitHub: f, Log: discard(), Now: func() time.Time { return now },
		Enqueue: func(_ context.Context, reqs []review.Request) error { got = append(got, reqs...); return nil }}
	n, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"acme/web#1@s1", "acme/web#4@s4", "beta/site#6@s6"}
	if !reflect.DeepEqual(heads(got), want) || n != len(want) {
		t.Errorf("queued %v (n=%d), want %v", heads(got), n, want)
	}
	for _, r := range got {
		if r.Trigger != "sweep" || r.RepoID == 0 || r.DeliveryID != "" {
			t.Errorf("request %+v: want a sweep request with the repository's ID and no delivery", r)
		}
	}
}

// TestCrawlListsOnlyRecentPullRequests: a crawl (an installation or
// repositories just added) lists only the repositories named and stops at
// the first pull request not updated recently.
func TestCrawlListsOnlyRecentPullRequests(t *testing.T) {
	f := org()
	var got []review.Request
	s := &Sweeper{GitHub: f, Log: discard(), Now: func() time.Time { return now }, Recent: 50 * time.Hour,
		Enqueue: func(_ context.Context, reqs []review.Request) error { got = append(got, reqs...); return nil }}
	n, err := s.Crawl(context.Background(), 1, []string{"acme/web"})
	if err != nil {
		t.Fatal(err)
	}
	// s4's stuck run is older than the crawl looks: the periodic sweep's job.
	if want := []string{"acme/web#1@s1"}; !reflect.DeepEqual(heads(got), want) || n != 1 {
		t.Errorf("queued %v, want %v", heads(got), want)
	}
	if want := []string{"acme/web"}; !reflect.DeepEqual(f.listed, want) {
		t.Errorf("listed %v, want %v", f.listed, want)
	}
}

// TestSweepBound: one sweep looks at no more than MaxPRs pull requests.
func TestSweepBound(t *testing.T) {
	f := org()
	var got []review.Request
	s := &Sweeper{GitHub: f, Log: discard(), Now: func() time.Time { return now }, MaxPRs: 1,
		Enqueue: func(_ context.Context, reqs []review.Request) error { got = append(got, reqs...); return nil }}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"acme/web#1@s1"}; !reflect.DeepEqual(heads(got), want) {
		t.Errorf("queued %v, want %v", heads(got), want)
	}
}
