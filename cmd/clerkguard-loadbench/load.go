package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/internal/pgtest"
)

const secret = "loadbench-webhook-secret"

type pr struct {
	owner, repo string
	repoID      int64
	inst        int64
	number      int
	mu          sync.Mutex
	head        string
	version     int
	route       string
}

// ack is one delivery's outcome.
type ack struct {
	step    int
	sent    time.Time
	latency time.Duration
	status  int
	err     error
	head    string
	job     bool // the delivery should produce (or join) a review
}

type step struct {
	rate           int
	sent, ok, fail int
	lat            []time.Duration
}

type result struct {
	store         string
	steps         []*step
	heads         int // distinct acknowledged head SHAs with a job
	completed     int
	lost          int
	lostSample    []string
	reviewLat     []time.Duration
	loadReviews   int // check runs completed during the load phase
	loadDur       time.Duration
	lastDone      time.Duration // from the load start to the last completion
	drained       time.Duration // time after the load until nothing was pending
	peakRSSKiB    int64
	violations    int
	statusCounts  map[int]int
	deliveries    int
	maxInflight   int
	serverExitErr string
	preReviewed   int
	loadBefore    string
	loadAfter     string
	// server-side acknowledgement time (clerkguard_webhook_ack_seconds
	// histogram; bucket upper bounds)
	serverAck50, serverAck99 string
}

// loadavg is the machine's 1-minute load average: other processes on a
// shared 2-core machine make the latencies noisy.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func runStore(ctx context.Context, p params, store, root, work string) (*result, error) {
	gh, err := fakegithub.New(fakegithub.Options{RateLimit: 1 << 30, FixturesDir: filepath.Join(root, "fixtures", "github")})
	if err != nil {
		return nil, err
	}
	defer gh.Close()
	tmpl, err := os.ReadFile(filepath.Join(root, "fixtures", "github", "webhooks", "pull_request.opened.json"))
	if err != nil {
		return nil, err
	}
	prs, err := setup(gh, p)
	if err != nil {
		return nil, err
	}

	var dbURL string
	switch store {
	case "sqlite":
		dbURL = "sqlite://" + filepath.Join(work, "queue-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".db")
	case "postgres":
		c, err := pgtest.Start(ctx, pgtest.Options{Durable: p.durablePG})
		if err != nil {
			return nil, err
		}
		defer c.Stop()
		dbURL = c.URL
		if p.pgPool > 0 {
			dbURL += fmt.Sprintf("&pool_max_conns=%d", p.pgPool)
		}
	default:
		return nil, fmt.Errorf("unknown store %q (sqlite or postgres)", store)
	}
	srv, err := startServer(p, gh, dbURL, filepath.Join(work, store+".log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	res := &result{store: store, statusCounts: map[int]int{}, loadBefore: loadavg()}
	acks := sendLoad(ctx, p, srv.hook, tmpl, gh, prs, res)
	loadEnd := time.Now()

	// Which heads were acknowledged, and when first.
	firstAck := map[string]time.Time{}
	var loadStart time.Time
	for _, a := range acks {
		if loadStart.IsZero() || a.sent.Before(loadStart) {
			loadStart = a.sent
		}
		if a.err != nil || a.status < 200 || a.status >= 300 || !a.job {
			continue
		}
		if t, ok := firstAck[a.head]; !ok || a.sent.Before(t) {
			firstAck[a.head] = a.sent
		}
	}
	res.heads = len(firstAck)
	res.loadDur = loadEnd.Sub(loadStart)

	// Drain: wait until every acknowledged head has a completed run.
	repos := repoList(prs)
	deadline := loadEnd.Add(p.drain)
	for {
		done := completedHeads(gh, repos)
		pending := 0
		for h := range firstAck {
			if !done[h] {
				pending++
			}
		}
		if pending == 0 {
			res.drained = time.Since(loadEnd)
			break
		}
		if time.Now().After(deadline) || !srv.alive() {
			res.drained = time.Since(loadEnd)
			fmt.Printf("  drain ended with %d heads pending\n", pending)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	res.peakRSSKiB = srv.peakRSS()
	res.serverAck50, res.serverAck99 = srv.ackQuantiles()
	res.loadAfter = loadavg()

	// Completion times from the fake's request log.
	doneAt := completionTimes(gh, repos)
	for h, t0 := range firstAck {
		t1, ok := doneAt[h]
		if !ok {
			res.lost++
			if len(res.lostSample) < 5 {
				res.lostSample = append(res.lostSample, h[:7])
			}
			continue
		}
		res.completed++
		if t1.Before(t0) {
			// Reviewed before any delivery: the server's start-up sweep
			// picks up open PRs without a check run.
			res.preReviewed++
			continue
		}
		res.reviewLat = append(res.reviewLat, t1.Sub(t0))
		if !t1.After(loadEnd) {
			res.loadReviews++
		}
		if d := t1.Sub(loadStart); d > res.lastDone {
			res.lastDone = d
		}
	}
	res.violations = len(gh.Violations())
	if !srv.alive() {
		res.serverExitErr = "server exited during the run:\n" + srv.tail(20)
	}
	return res, nil
}

// setup creates installations, repositories and PRs whose heads have
// findings, so each review posts a check run and a review.
func setup(gh *fakegithub.Server, p params) ([]*pr, error) {
	var out []*pr
	for i := 1; i <= p.installations; i++ {
		owner := fmt.Sprintf("org%d", i)
		gh.AddInstallation(int64(i), owner)
		for r := 1; r <= p.reposPer; r++ {
			repo := fmt.Sprintf("app%d", r)
			gh.AddRepo(owner, repo, int64(i), "main")
			for n := 1; n <= p.prsPerRepo; n++ {
				x := &pr{owner: owner, repo: repo, repoID: gh.RepoID(owner, repo), inst: int64(i), number: n, route: fmt.Sprintf("app/api/r%d/route.ts", n)}
				if err := gh.AddPR(owner, repo, fakegithub.PR{Number: n, BaseFiles: baseFiles, HeadFiles: x.files()}); err != nil {
					return nil, err
				}
				x.head, _ = gh.HeadSHA(owner, repo, n)
				out = append(out, x)
			}
		}
	}
	return out, nil
}

func (x *pr) files() map[string][]byte {
	f := map[string][]byte{}
	for k, v := range baseFiles {
		f[k] = v
	}
	f[x.route] = []byte(unprotected)
	f["lib/clerk.ts"] = []byte(leakyClient)
	// Unique per PR and version: identical trees in two repositories
	// would share a head SHA and blur the per-head bookkeeping.
	f["README.md"] = []byte(fmt.Sprintf("%s/%s#%d version %d\n", x.owner, x.repo, x.number, x.version))
	return f
}

func repoList(prs []*pr) [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, x := range prs {
		k := [2]string{x.owner, x.repo}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func completedHeads(gh *fakegithub.Server, repos [][2]string) map[string]bool {
	out := map[string]bool{}
	for _, r := range repos {
		for _, cr := range gh.CheckRuns(r[0], r[1]) {
			if cr.Status == "completed" {
				out[cr.HeadSHA] = true
			}
		}
	}
	return out
}

// completionTimes maps each head SHA to the time its first check run was
// completed: the end of the request that made its history "completed"
// (the fake's own timestamps are whole seconds).
func completionTimes(gh *fakegithub.Server, repos [][2]string) map[string]time.Time {
	type runInfo struct {
		sha     string
		history []fakegithub.CheckRunUpdate
	}
	runs := map[string]runInfo{} // path -> run
	for _, r := range repos {
		for _, cr := range gh.CheckRuns(r[0], r[1]) {
			runs[fmt.Sprintf("/repos/%s/%s/check-runs/%d", r[0], r[1], cr.ID)] = runInfo{cr.HeadSHA, cr.History}
		}
	}
	out := map[string]time.Time{}
	seen := map[string]int{} // path -> successful updates so far
	const tmpl = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
	for _, req := range gh.Requests() {
		if req.Template != tmpl || req.Status >= 300 {
			continue
		}
		ri, ok := runs[req.Path]
		if !ok {
			continue
		}
		seen[req.Path]++
		i := seen[req.Path] // history[0] is the create
		if i < len(ri.history) && ri.history[i].Status == "completed" && (i == 0 || ri.history[i-1].Status != "completed") {
			if t, ok := out[ri.sha]; !ok || req.Time.Before(t) {
				out[ri.sha] = req.Time
			}
		}
	}
	for _, ri := range runs { // created already completed: whole-second time
		if len(ri.history) > 0 && ri.history[0].Status == "completed" {
			if _, ok := out[ri.sha]; !ok {
				out[ri.sha] = ri.history[0].Time
			}
		}
	}
	return out
}

// sendLoad sends deliveries open-loop at the stepped rates.
func sendLoad(ctx context.Context, p params, url string, tmpl []byte, gh *fakegithub.Server, prs []*pr, res *result) []ack {
	var base map[string]any
	_ = json.Unmarshal(tmpl, &base)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 2000, MaxIdleConnsPerHost: 2000, IdleConnTimeout: 90 * time.Second,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	rng := mrand.New(mrand.NewPCG(1, 2))
	var (
		mu       sync.Mutex
		acks     []ack
		wg       sync.WaitGroup
		inflight int
	)
	stepLen := p.duration / time.Duration(p.steps)
	for s := 0; s < p.steps; s++ {
		rate := p.from
		if p.steps > 1 {
			rate = p.from + (p.to-p.from)*s/(p.steps-1)
		}
		st := &step{rate: rate}
		res.steps = append(res.steps, st)
		interval := time.Second / time.Duration(rate)
		start := time.Now()
		n := int(stepLen.Seconds() * float64(rate))
		for i := 0; i < n; i++ {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			x := prs[rng.IntN(len(prs))]
			roll := rng.Float64()
			var action, head string
			job := true
			switch {
			case roll < p.newHead:
				x.mu.Lock()
				x.version++
				sha, err := gh.Push(x.owner, x.repo, x.number, "", x.files())
				if err == nil {
					x.head = sha
				}
				head = x.head
				x.mu.Unlock()
				action = "synchronize"
			case roll < p.newHead+p.ignored:
				x.mu.Lock()
				head = x.head
				x.mu.Unlock()
				action, job = "labeled", false
			default:
				x.mu.Lock()
				head = x.head
				x.mu.Unlock()
				action = []string{"opened", "reopened", "synchronize"}[rng.IntN(3)]
			}
			payload := buildPayload(base, action, x, head)
			wg.Add(1)
			mu.Lock()
			inflight++
			if inflight > res.maxInflight {
				res.maxInflight = inflight
			}
			mu.Unlock()
			go func(stepIdx int) {
				defer wg.Done()
				a := deliver(ctx, client, url, payload)
				a.step, a.head, a.job = stepIdx, head, job
				mu.Lock()
				defer mu.Unlock()
				inflight--
				acks = append(acks, a)
			}(s)
		}
		mu.Lock()
		fmt.Printf("  step %d/%d: %d/s sent %d (in flight now %d)\n", s+1, p.steps, rate, n, inflight)
		mu.Unlock()
	}
	wg.Wait()
	for _, a := range acks {
		st := res.steps[a.step]
		st.sent++
		res.deliveries++
		res.statusCounts[a.status]++
		if a.err != nil || a.status < 200 || a.status >= 300 {
			st.fail++
			continue
		}
		st.ok++
		st.lat = append(st.lat, a.latency)
	}
	return acks
}

func buildPayload(base map[string]any, action string, x *pr, head string) []byte {
	// A shallow copy with fresh nested maps where we write.
	m := map[string]any{}
	for k, v := range base {
		m[k] = v
	}
	m["action"] = action
	m["number"] = x.number
	prm := copyMap(base["pull_request"])
	prm["number"] = x.number
	h := copyMap(prm["head"])
	h["sha"] = head
	prm["head"] = h
	m["pull_request"] = prm
	r := copyMap(base["repository"])
	r["id"] = x.repoID
	r["name"] = x.repo
	r["full_name"] = x.owner + "/" + x.repo
	o := copyMap(r["owner"])
	o["login"] = x.owner
	r["owner"] = o
	m["repository"] = r
	m["installation"] = map[string]any{"id": x.inst}
	if action == "labeled" {
		m["label"] = map[string]any{"id": 1, "node_id": "LA_1", "url": "https://api.github.com/repos/x/y/labels/bug", "name": "bug", "color": "d73a4a", "default": true, "description": nil}
	}
	b, _ := json.Marshal(m)
	return b
}

func copyMap(v any) map[string]any {
	out := map[string]any{}
	if m, ok := v.(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func deliver(ctx context.Context, client *http.Client, url string, payload []byte) ack {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return ack{err: err}
	}
	var g [16]byte
	_, _ = rand.Read(g[:])
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/loadbench")
	h.Set("X-GitHub-Event", "pull_request")
	h.Set("X-GitHub-Delivery", hex.EncodeToString(g[:]))
	h.Set("X-GitHub-Hook-ID", "1")
	h.Set("X-Hub-Signature-256", fakegithub.Sign(secret, payload))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return ack{sent: start, latency: time.Since(start), err: err}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return ack{sent: start, latency: time.Since(start), status: resp.StatusCode}
}

// --- the server process ---

type server struct {
	cmd     *exec.Cmd
	hook    string
	logPath string
	exited  chan struct{}
}

func startServer(p params, gh *fakegithub.Server, dbURL, logPath string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{hook: "http://" + addr + "/webhook", logPath: logPath, exited: make(chan struct{})}
	s.cmd = exec.Command(p.bin, "serve")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLERKGUARD_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env,
		"CLERKGUARD_LISTEN="+addr,
		"CLERKGUARD_APP_ID="+strconv.FormatInt(gh.AppID(), 10),
		"CLERKGUARD_PRIVATE_KEY="+string(gh.PrivateKeyPEM()),
		"CLERKGUARD_WEBHOOK_SECRET="+secret,
		"CLERKGUARD_GITHUB_API_URL="+gh.URL(),
		"CLERKGUARD_DATABASE_URL="+dbURL,
		"CLERKGUARD_MUTATION_SPACING="+p.mutationSpacing,
		"CLERKGUARD_LOG_LEVEL=warn",
	)
	if p.workers > 0 {
		s.cmd.Env = append(s.cmd.Env, "CLERKGUARD_WORKERS="+strconv.Itoa(p.workers))
	}
	if p.poll != "" {
		s.cmd.Env = append(s.cmd.Env, "CLERKGUARD_POLL_INTERVAL="+p.poll)
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		_ = s.cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if !s.alive() || time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server did not become ready:\n%s", s.tail(30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// peakRSS reads the server's VmHWM (KiB) while it runs.
func (s *server) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}

// ackQuantiles reads the server's own acknowledgement-time histogram and
// returns the bucket bounds holding p50 and p99.
func (s *server) ackQuantiles() (string, string) {
	u := strings.TrimSuffix(s.hook, "/webhook") + "/metrics"
	resp, err := http.Get(u)
	if err != nil {
		return "?", "?"
	}
	defer resp.Body.Close()
	type bucket struct {
		le    float64
		count float64
	}
	var bs []bucket
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "clerkguard_webhook_ack_seconds_bucket{") {
			continue
		}
		i := strings.Index(line, `le="`)
		j := strings.LastIndex(line, " ")
		if i < 0 || j < 0 {
			continue
		}
		leS := line[i+4:]
		leS = leS[:strings.IndexByte(leS, '"')]
		le, err1 := strconv.ParseFloat(leS, 64)
		if leS == "+Inf" {
			le, err1 = math.Inf(1), nil
		}
		n, err2 := strconv.ParseFloat(line[j+1:], 64)
		if err1 == nil && err2 == nil {
			bs = append(bs, bucket{le, n})
		}
	}
	if len(bs) == 0 {
		return "?", "?"
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	total := bs[len(bs)-1].count
	q := func(f float64) string {
		for _, b := range bs {
			if b.count >= f*total {
				if math.IsInf(b.le, 1) {
					return "> last bucket"
				}
				return fmt.Sprintf("<= %g ms", b.le*1000)
			}
		}
		return "?"
	}
	return q(.5), q(.99)
}

func (s *server) stop() {
	if !s.alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) tail(n int) string { return apptest.Tail(s.logPath, n) }

// --- reporting ---

func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(q*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func (r *result) printSteps() {
	fmt.Printf("  %-8s %6s %6s %6s %9s %9s %9s\n", "rate/s", "sent", "2xx", "fail", "ack p50", "ack p99", "ack max")
	for _, s := range r.steps {
		fmt.Printf("  %-8d %6d %6d %6d %9s %9s %9s\n", s.rate, s.sent, s.ok, s.fail, ms(pct(s.lat, .5)), ms(pct(s.lat, .99)), ms(pct(s.lat, 1)))
	}
	if r.serverExitErr != "" {
		fmt.Println(" ", r.serverExitErr)
	}
}

func (r *result) allAcks() []time.Duration {
	var all []time.Duration
	for _, s := range r.steps {
		all = append(all, s.lat...)
	}
	return all
}

// at200 is the ack latency of the step closest to 200/s.
func (r *result) at200() (*step, bool) {
	var best *step
	for _, s := range r.steps {
		if best == nil || abs(s.rate-200) < abs(best.rate-200) {
			best = s
		}
	}
	return best, best != nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func printSummary(p params, rs []*result) {
	workers := "default"
	if p.workers > 0 {
		workers = strconv.Itoa(p.workers)
	}
	fmt.Printf("\n=== summary: %s load, %d -> %d deliveries/s, %.0f%% new heads, %.0f%% ignored actions, workers %s, poll %s, mutation spacing %s ===\n",
		p.duration, p.from, p.to, 100*p.newHead, 100*p.ignored, workers, or(p.poll, "default"), p.mutationSpacing)
	fmt.Printf("%-9s %10s %10s %12s %12s %9s %12s %12s %9s %7s %6s %9s\n", "store", "ack p50", "ack p99", "p99 @~200/s", "deliveries", "heads",
		"reviews/s", "review p50", "review p99", "RSS MiB", "lost", "drain")
	for _, r := range rs {
		all := r.allAcks()
		s200, _ := r.at200()
		p99at200 := "-"
		if s200 != nil {
			p99at200 = ms(pct(s200.lat, .99)) + " ms"
		}
		rps := 0.0
		if r.lastDone > 0 {
			rps = float64(r.completed) / r.lastDone.Seconds()
		}
		fmt.Printf("%-9s %7s ms %7s ms %12s %12d %9d %12.1f %9.2f s %8.2f s %7.0f %6d %8.1fs\n", r.store, ms(pct(all, .5)), ms(pct(all, .99)), p99at200,
			r.deliveries, r.heads, rps, pct(r.reviewLat, .5).Seconds(), pct(r.reviewLat, .99).Seconds(), float64(r.peakRSSKiB)/1024, r.lost, r.drained.Seconds())
		if r.loadDur > 0 {
			fmt.Printf("          reviews completed during the load: %d (%.1f/s); all %d by %.1fs after the start; statuses %v; max in flight %d; schema violations %d; min review latency %.3fs; %d heads reviewed by the start-up sweep before their first delivery (not in the latencies)\n",
				r.loadReviews, float64(r.loadReviews)/r.loadDur.Seconds(), r.completed, r.lastDone.Seconds(), r.statusCounts, r.maxInflight, r.violations, pct(r.reviewLat, 0).Seconds(), r.preReviewed)
		}
		fmt.Printf("          server-side ack time (its histogram): p50 %s, p99 %s\n", r.serverAck50, r.serverAck99)
		fmt.Printf("          machine load average (1 min) before %s, after %s\n", r.loadBefore, r.loadAfter)
		if r.lost > 0 {
			fmt.Printf("          LOST (acknowledged, never completed): %d, e.g. %v\n", r.lost, r.lostSample)
		}
		met := s200 != nil && pct(s200.lat, .99) < 50*time.Millisecond && r.lost == 0
		fmt.Printf("          target (ack p99 < 50 ms at 200/s, nothing lost): %v\n", map[bool]string{true: "MET", false: "MISSED"}[met])
	}
}

func or(a, b string) string {
	if a == "" {
		return b
	}
	return a
}
