package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/internal/pgtest"
)

// TestMultiReplicaPostgres runs two `clerkguard serve` processes on one
// real PostgreSQL database against the fake GitHub, delivers 200
// pull_request events spread over both (exact duplicates, GitHub
// redeliveries, new deliveries for a head already queued, deliveries that
// fail while a replica is down), SIGKILLs one replica while it is
// reviewing, restarts it, and asserts that every head SHA has exactly one
// completed check run and one review, with no duplicate comments.
func TestMultiReplicaPostgres(t *testing.T) {
	pg := pgtest.New(t)
	bin := apptest.BuildClerkguard(t)

	gh := apptest.Fake(t, fakegithub.Options{RateLimit: 1 << 30})
	const (
		owners   = 4
		reposPer = 2
		prs      = 100
		pushed   = 43 // PRs that get a second head
	)
	type prRef struct {
		owner, repo string
		inst        int64
		number      int
		heads       []string
	}
	var all []*prRef
	for o := 1; o <= owners; o++ {
		gh.AddInstallation(int64(o), fmt.Sprintf("org%d", o))
		for r := 1; r <= reposPer; r++ {
			gh.AddRepo(fmt.Sprintf("org%d", o), fmt.Sprintf("app%d", r), int64(o), "main")
		}
	}
	h := &harness{t: t, gh: gh}
	for k := 0; k < prs; k++ {
		slot := k % (owners * reposPer)
		p := &prRef{owner: fmt.Sprintf("org%d", slot/reposPer+1), repo: fmt.Sprintf("app%d", slot%reposPer+1),
			inst: int64(slot/reposPer + 1), number: k/(owners*reposPer) + 1}
		head := with(baseFiles, map[string]string{fmt.Sprintf("app/api/r%d/route.ts", k): unprotected, "lib/clerk.ts": leakyClient})
		if err := gh.AddPR(p.owner, p.repo, fakegithub.PR{Number: p.number, BaseFiles: baseFiles, HeadFiles: head}); err != nil {
			t.Fatal(err)
		}
		sha, _ := gh.HeadSHA(p.owner, p.repo, p.number)
		p.heads = []string{sha}
		all = append(all, p)
	}

	env := []string{
		"CLERKGUARD_APP_ID=" + fmt.Sprint(gh.AppID()),
		"CLERKGUARD_PRIVATE_KEY=" + string(gh.PrivateKeyPEM()),
		"CLERKGUARD_WEBHOOK_SECRET=" + secret,
		"CLERKGUARD_GITHUB_API_URL=" + gh.URL(),
		"CLERKGUARD_DATABASE_URL=" + pg.URL,
		"CLERKGUARD_WORKERS=4",
		// The default job deadline and rescue: a dead replica's reviews are
		// retried when their lease expires (see queue.reap).
		"CLERKGUARD_POLL_INTERVAL=100ms",
		"CLERKGUARD_MUTATION_SPACING=0s",
		"CLERKGUARD_SHUTDOWN_GRACE=5s",
	}
	dir := t.TempDir()
	a := startReplica(t, bin, "A", freePort(t), env, dir)
	b := startReplica(t, bin, "B", freePort(t), env, dir)
	replicas := []*replica{a, b}

	pool, err := pgxpool.New(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	var (
		mu         sync.Mutex
		events     int
		acked      = map[string]int{} // kind -> 2xx count
		failed     []string           // GUIDs GitHub could not deliver (replica down)
		unexpected []string
	)
	count := func(kind string, status int, err error, guid string, expectFail bool) {
		mu.Lock()
		defer mu.Unlock()
		events++
		switch {
		case expectFail && (err != nil || status == 0):
			failed = append(failed, guid)
		case err == nil && status >= 200 && status < 300: // 202 queued; 200 for a delivery already recorded
			acked[kind]++
		default:
			unexpected = append(unexpected, fmt.Sprintf("%s %s: status %d err %v", kind, guid, status, err))
		}
	}
	alive := func(i int) *replica {
		if r := replicas[i%2]; r.alive() {
			return r
		}
		return replicas[(i+1)%2]
	}
	payloads := make([][]byte, prs)
	for k, p := range all {
		payloads[k] = h.payloadFor("opened", p.owner, p.repo, p.number, p.inst, p.heads[0])
	}
	reopened := func(k int) []byte {
		p := all[k]
		return h.payloadFor("reopened", p.owner, p.repo, p.number, p.inst, p.heads[0])
	}
	guids := make([]string, prs)
	sendPR := func(k int) {
		target := alive(k)
		down := k >= 80 && k < 90 // GitHub cannot reach A while it is down
		if down {
			target = a
		}
		guid, status, err := gh.Deliver(context.Background(), target.hook(), secret, "pull_request", payloads[k])
		guids[k] = guid
		count("original", status, err, guid, down)
		if k%4 == 1 { // the same delivery (same GUID, bytes, headers) reaches the other replica too
			other := alive(k + 1)
			if other == target {
				other = alive(k)
			}
			status, err := repost(other.hook(), guid, payloads[k])
			count("exact duplicate", status, err, guid, false)
		}
		if k%10 == 3 { // a new delivery for a head already queued
			guid, status, err := gh.Deliver(context.Background(), alive(k+1).hook(), secret, "pull_request", reopened(k))
			count("new delivery, same head", status, err, guid, false)
		}
	}
	parallel := func(from, to int, f func(int)) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for k := from; k < to; k++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				f(k)
			}()
		}
		wg.Wait()
	}

	t0 := time.Now()
	parallel(0, 40, sendPR)

	// Kill A while it is reviewing.
	aID, inflight := waitRunningOn(t, pool, a)
	killedAt := time.Now()
	a.kill()
	t.Logf("SIGKILLed replica A (%s) %.1fs after the first delivery, with %d jobs running on it", aID, killedAt.Sub(t0).Seconds(), len(inflight))

	parallel(40, prs, sendPR)

	// A comes back on the same port; GitHub's failed deliveries to it and
	// some successful ones are redelivered through the API.
	a = startReplica(t, bin, "A2", a.port, env, dir)
	replicas[0] = a
	var redeliver []string
	redeliver = append(redeliver, failed...)
	for k := 0; k < 80 && len(redeliver) < len(failed)+12; k += 7 {
		redeliver = append(redeliver, guids[k])
	}
	for _, guid := range redeliver {
		status, err := redeliverAPI(gh, guid)
		if err != nil || status != http.StatusAccepted {
			t.Errorf("redeliver %s: status %d err %v", guid, status, err)
		}
	}
	waitRedeliveries(t, gh, redeliver)
	mine := map[string]bool{}
	for _, g := range redeliver {
		mine[g] = true
	}
	for _, d := range gh.Deliveries() {
		// The first finished redelivery of each: the App's reconciler may
		// redeliver the same GUIDs too, and one of those may still be under
		// way when ours are done.
		if d.Redelivery && !d.Pending && mine[d.GUID] {
			mine[d.GUID] = false
			count("GitHub redelivery", d.StatusCode, nil, d.GUID, false)
		}
	}

	// Second heads: pushed after the first head's review is done.
	parallel(0, pushed, func(k int) {
		p := all[k]
		if !waitHead(t, gh, p.owner, p.repo, p.heads[0]) {
			return
		}
		head := with(baseFiles, map[string]string{fmt.Sprintf("app/api/r%d/route.ts", k): unprotected, "lib/clerk.ts": leakyClient,
			fmt.Sprintf("app/api/extra%d/route.ts", k): unprotected})
		sha, err := gh.Push(p.owner, p.repo, p.number, "", head)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		p.heads = append(p.heads, sha)
		mu.Unlock()
		payload := h.payloadFor("synchronize", p.owner, p.repo, p.number, p.inst, sha)
		guid, status, err := gh.Deliver(context.Background(), alive(k).hook(), secret, "pull_request", payload)
		count("synchronize", status, err, guid, false)
	})
	lastDelivery := time.Now()

	// Wait for every head, timing A's in-flight jobs separately.
	var heads []string
	repoOf := map[string]*prRef{}
	for _, p := range all {
		for _, sha := range p.heads {
			heads = append(heads, sha)
			repoOf[sha] = p
		}
	}
	doneAt := map[string]time.Time{}
	allDone := time.Now()
	missing := func() string {
		var m []string
		for _, sha := range heads {
			if doneAt[sha].IsZero() {
				m = append(m, sha[:7])
			}
		}
		return fmt.Sprintf("%d of %d heads have no completed check run: %v\n%s\n%s", len(m), len(heads), m, a.tail(40), b.tail(40))
	}
	if apptest.Until(t, "a completed check run on every head", func() bool {
		for _, cr := range allCheckRuns(gh, owners, reposPer) {
			if cr.Status == "completed" && doneAt[cr.HeadSHA].IsZero() {
				doneAt[cr.HeadSHA] = time.Now()
			}
		}
		return len(doneAt) == len(heads)
	}, missing) {
		allDone = latest(doneAt)
	}

	mu.Lock()
	t.Logf("events: %d delivered (%v), %d failed while A was down (redelivered), unexpected: %d", events, acked, len(failed), len(unexpected))
	for _, u := range unexpected {
		t.Errorf("unexpected webhook outcome: %s", u)
	}
	mu.Unlock()
	if events != 200 {
		t.Errorf("%d events, want 200", events)
	}
	t.Logf("all %d heads reviewed %.1fs after the first delivery (%.1fs after the last)", len(heads),
		allDone.Sub(t0).Seconds(), allDone.Sub(lastDelivery).Seconds())
	var slowest time.Duration
	for _, sha := range inflight {
		if d := doneAt[sha].Sub(killedAt); !doneAt[sha].IsZero() && d > slowest {
			slowest = d
		}
	}
	t.Logf("A's %d in-flight jobs at the kill completed within %.1fs of the SIGKILL (a running job whose review lease expired is retried at once)",
		len(inflight), slowest.Seconds())
	// Retried by the reaper once their leases expired, not rescued by River
	// after RescueAfter (11 min at the default settings): the job records
	// say which.
	var rescued int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1 AND errors::text LIKE '%JobRescuer%'`,
		"clerkguard_review").Scan(&rescued); err != nil {
		t.Errorf("the review jobs' records: %v", err)
	} else if rescued > 0 {
		t.Errorf("%d review jobs were rescued by River (after RescueAfter), not retried when their replica's leases expired", rescued)
	}

	// Exactly one completed check run and one review per head SHA, no
	// duplicate comments, no schema violations.
	runs := map[string][]fakegithub.CheckRun{}
	for _, cr := range allCheckRuns(gh, owners, reposPer) {
		runs[cr.HeadSHA] = append(runs[cr.HeadSHA], cr)
	}
	for _, sha := range heads {
		rs := runs[sha]
		if len(rs) != 1 || rs[0].Status != "completed" || rs[0].Conclusion != "failure" || rs[0].Name != "Clerk security review" {
			var desc []string
			for _, r := range rs {
				desc = append(desc, fmt.Sprintf("%q %s/%s", r.Name, r.Status, r.Conclusion))
			}
			t.Errorf("%s/%s#%d head %s: check runs %v, want exactly one completed with failure", repoOf[sha].owner, repoOf[sha].repo, repoOf[sha].number, sha[:7], desc)
		}
	}
	if n := len(runs); n != len(heads) {
		t.Errorf("check runs on %d head SHAs, want %d", n, len(heads))
	}
	for _, p := range all {
		perHead := map[string]int{}
		for _, rv := range gh.Reviews(p.owner, p.repo, p.number) {
			if !rv.Implicit {
				perHead[rv.CommitID]++
			}
		}
		for _, sha := range p.heads {
			if perHead[sha] != 1 {
				t.Errorf("%s/%s#%d head %s: %d reviews, want 1", p.owner, p.repo, p.number, sha[:7], perHead[sha])
			}
		}
		if len(perHead) != len(p.heads) {
			t.Errorf("%s/%s#%d: reviews on %d commits, want %d", p.owner, p.repo, p.number, len(perHead), len(p.heads))
		}
		seen := map[string]bool{}
		for _, c := range gh.ReviewComments(p.owner, p.repo, p.number) {
			if c.InReplyTo != 0 {
				continue
			}
			i := strings.Index(c.Body, "<!-- clerkguard:v1 fp=")
			if i < 0 {
				t.Errorf("%s/%s#%d: comment without a fingerprint marker: %q", p.owner, p.repo, p.number, c.Body)
				continue
			}
			fp := c.Body[i:]
			if seen[fp] {
				t.Errorf("%s/%s#%d: duplicate comment %s", p.owner, p.repo, p.number, fp)
			}
			seen[fp] = true
		}
	}
	if v := gh.Violations(); len(v) > 0 {
		t.Errorf("requests that violate GitHub's schemas: %+v", v)
	}
	if r := gh.AnchorRejections(); len(r) > 0 {
		t.Errorf("review anchors rejected with 422: %+v", r)
	}
	var stuck int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1 AND state NOT IN ('completed', 'cancelled', 'discarded')`,
		"clerkguard_review").Scan(&stuck); err == nil && stuck > 0 {
		t.Logf("note: %d review jobs not yet finalised in the store", stuck)
	}
	if t.Failed() {
		t.Logf("replica logs:\n%s\n%s", a.tail(60), b.tail(60))
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	_, port, _ := net.SplitHostPort(apptest.FreeAddr(t))
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// replica is one `clerkguard serve` process.
type replica struct {
	name    string
	port    int
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
}

func startReplica(t *testing.T, bin, name string, port int, env []string, dir string) *replica {
	t.Helper()
	r := &replica{name: name, port: port, logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	logf, err := os.Create(r.logPath)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = append(cleanEnv(), env...)
	r.cmd.Env = append(r.cmd.Env, fmt.Sprintf("CLERKGUARD_LISTEN=127.0.0.1:%d", port))
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = r.cmd.Wait()
		logf.Close()
		close(r.exited)
	}()
	t.Cleanup(func() {
		if !r.alive() {
			return
		}
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		// No fixed limit: only a hang reaches the hang guard, and fails.
		guard, stop := apptest.CleanupGuard(t)
		defer stop()
		select {
		case <-r.exited:
		case <-guard.Done():
			t.Errorf("gave up waiting (test deadline): replica %s did not stop on SIGTERM\n%s", r.name, r.tail(30))
			r.kill()
		}
	})
	ready := false
	apptest.Until(t, "replica "+name+" ready", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == http.StatusOK
		}
		return ready || !r.alive()
	})
	if !ready {
		t.Fatalf("replica %s did not become ready:\n%s", name, r.tail(40))
	}
	return r
}

// clientID is the replica's River client ID, from its log.
func (r *replica) clientID(t *testing.T) string {
	t.Helper()
	var id string
	apptest.Until(t, "replica "+r.name+"'s River client ID in its log", func() bool {
		b, _ := os.ReadFile(r.logPath)
		if m := clientIDRe.FindSubmatch(b); m != nil {
			id = string(m[1])
		}
		return id != ""
	})
	return id
}

var clientIDRe = regexp.MustCompile(`"msg":"River client started".*?"client_id":"([^"]+)"`)

func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLERKGUARD_") {
			out = append(out, kv)
		}
	}
	return out
}

func (r *replica) hook() string { return fmt.Sprintf("http://127.0.0.1:%d/webhook", r.port) }

func (r *replica) alive() bool {
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

func (r *replica) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

func (r *replica) tail(n int) string {
	return "--- replica " + r.name + " ---\n" + apptest.Tail(r.logPath, n)
}

// repost sends a delivery again with GitHub's exact bytes and headers.
func repost(url, guid string, payload []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(payload)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/fake1234")
	h.Set("Accept", "*/*")
	h.Set("X-GitHub-Event", "pull_request")
	h.Set("X-GitHub-Delivery", guid)
	h.Set("X-GitHub-Hook-ID", "1")
	h.Set("X-Hub-Signature-256", fakegithub.Sign(secret, payload))
	h.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// redeliverAPI asks the fake to redeliver a delivery, as the App's
// "Redeliver" button or POST /app/hook/deliveries/{id}/attempts does.
func redeliverAPI(gh *fakegithub.Server, guid string) (int, error) {
	var id int64
	for _, d := range gh.Deliveries() {
		if d.GUID == guid && !d.Redelivery {
			id = d.ID
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("no delivery %s", guid)
	}
	jwt, err := gh.SignJWT(5 * time.Minute)
	if err != nil {
		return 0, err
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%sapp/hook/deliveries/%d/attempts", gh.URL(), id), nil)
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitRedeliveries(t *testing.T, gh *fakegithub.Server, guids []string) {
	t.Helper()
	if !apptest.Until(t, "the redeliveries to finish", func() bool {
		finished := map[string]bool{}
		for _, d := range gh.Deliveries() {
			if d.Redelivery && !d.Pending {
				finished[d.GUID] = true
			}
		}
		for _, g := range guids {
			if !finished[g] {
				return false
			}
		}
		return true
	}) {
		t.FailNow()
	}
}

// waitRunningOn waits until replica a runs review jobs and returns its
// River client ID with the head SHAs of the jobs running on it.
func waitRunningOn(t *testing.T, pool *pgxpool.Pool, a *replica) (string, []string) {
	t.Helper()
	id := a.clientID(t)
	var running []string
	apptest.Until(t, "replica A running a review", func() bool {
		running = nil
		rows, err := pool.Query(context.Background(),
			`SELECT args->>'head_sha' FROM river_job WHERE kind = 'clerkguard_review' AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1`, id)
		if err != nil {
			t.Error(err)
			return true
		}
		defer rows.Close()
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				t.Error(err)
				return true
			}
			running = append(running, sha)
		}
		return len(running) > 0
	})
	return id, running
}

// waitHead waits until sha has a completed check run.
func waitHead(t *testing.T, gh *fakegithub.Server, owner, repo, sha string) bool {
	return apptest.Until(t, fmt.Sprintf("%s/%s head %s reviewed", owner, repo, sha[:7]), func() bool {
		for _, cr := range gh.CheckRuns(owner, repo) {
			if cr.HeadSHA == sha && cr.Status == "completed" {
				return true
			}
		}
		return false
	})
}

func allCheckRuns(gh *fakegithub.Server, owners, reposPer int) []fakegithub.CheckRun {
	var out []fakegithub.CheckRun
	for o := 1; o <= owners; o++ {
		for r := 1; r <= reposPer; r++ {
			out = append(out, gh.CheckRuns(fmt.Sprintf("org%d", o), fmt.Sprintf("app%d", r))...)
		}
	}
	return out
}

func latest(m map[string]time.Time) time.Time {
	var l time.Time
	for _, v := range m {
		if v.After(l) {
			l = v
		}
	}
	return l
}
