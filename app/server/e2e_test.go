package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/server"
	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
)

const secret = "e2e-webhook-secret"

type harness struct {
	t    *testing.T
	gh   *fakegithub.Server
	url  string
	base string
	logs *apptest.LogBuffer
	stop func()
}

func start(t *testing.T, faults fakegithub.Faults) *harness {
	t.Helper()
	return startWith(t, fakegithub.Options{Faults: faults})
}

func startWith(t *testing.T, opts fakegithub.Options) *harness {
	t.Helper()
	gh := apptest.Fake(t, opts)
	return startOn(t, gh, nil)
}

// startOn starts the App against a prepared fake; extra overrides env.
func startOn(t *testing.T, gh *fakegithub.Server, extra map[string]string) *harness {
	t.Helper()
	return startRules(t, gh, extra, all.Rules())
}

// startRules is startOn with the rules the App runs.
func startRules(t *testing.T, gh *fakegithub.Server, extra map[string]string, rs []*rules.Rule) *harness {
	t.Helper()
	return startServer(t, gh, extra, rs, nil)
}

// startServer is startRules with a hook that adjusts the server's options.
func startServer(t *testing.T, gh *fakegithub.Server, extra map[string]string, rs []*rules.Rule, adjust func(*server.Options)) *harness {
	t.Helper()
	logs := &apptest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env := map[string]string{
		"CLERKGUARD_LISTEN":         "127.0.0.1:0",
		"CLERKGUARD_APP_ID":         fmt.Sprint(gh.AppID()),
		"CLERKGUARD_PRIVATE_KEY":    string(gh.PrivateKeyPEM()),
		"CLERKGUARD_WEBHOOK_SECRET": "old-secret," + secret,
		"CLERKGUARD_GITHUB_API_URL": gh.URL(),
		"CLERKGUARD_DATABASE_URL":   "sqlite://" + filepath.Join(t.TempDir(), "q.db"),
		"CLERKGUARD_SHUTDOWN_GRACE": "5s",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	so := server.Options{Config: cfg, Logger: log, Rules: rs, Version: "e2e",
		Retry: &ghclient.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 6}, PollInterval: 50 * time.Millisecond}
	if adjust != nil {
		adjust(&so)
	}
	srv, err := server.New(ctx, so)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	h := &harness{t: t, gh: gh, url: "http://" + srv.Addr() + "/webhook", base: "http://" + srv.Addr(), logs: logs}
	// stop waits for the server without a fixed limit (its shutdown grace
	// is 5 s): only a hang reaches the hang guard, and fails the test.
	h.stop = func() {
		cancel()
		guard, stop := apptest.CleanupGuard(t) // also runs from Cleanup
		defer stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-guard.Done():
			t.Error("gave up waiting (test deadline): the server did not stop")
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			h.stop()
		}
	})
	return h
}

func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// prPayload edits GitHub's real pull_request payload to point at a PR of
// the fake.
func (h *harness) prPayload(action, owner, repo string, number int, inst int64) []byte {
	m := fixture(h.t, "pull_request.opened.json")
	head, err := h.gh.HeadSHA(owner, repo, number)
	if err != nil {
		h.t.Fatal(err)
	}
	m["action"] = action
	m["number"] = number
	pr := m["pull_request"].(map[string]any)
	pr["number"] = number
	pr["head"].(map[string]any)["sha"] = head
	pr["base"].(map[string]any)["ref"] = "main" // the fake's default branch
	r := m["repository"].(map[string]any)
	r["id"] = h.gh.RepoID(owner, repo)
	r["name"] = repo
	r["full_name"] = owner + "/" + repo
	r["owner"].(map[string]any)["login"] = owner
	m["installation"] = map[string]any{"id": inst}
	b, _ := json.Marshal(m)
	return b
}

func (h *harness) deliver(event string, payload []byte) (string, int) {
	h.t.Helper()
	id, status, err := h.gh.Deliver(context.Background(), h.url, secret, event, payload)
	if err != nil {
		h.t.Fatalf("deliver: %v", err)
	}
	return id, status
}

// waitCompleted waits until sha has a completed "Clerk security review".
func (h *harness) waitCompleted(owner, repo, sha string, n int) []fakegithub.CheckRun {
	h.t.Helper()
	var done []fakegithub.CheckRun
	held := apptest.Until(h.t, fmt.Sprintf("%d completed check run(s) for %s", n, sha), func() bool {
		done = nil
		for _, cr := range h.gh.CheckRuns(owner, repo) {
			if cr.HeadSHA == sha && cr.Status == "completed" {
				done = append(done, cr)
			}
		}
		return len(done) >= n
	}, func() string {
		return fmt.Sprintf("runs: %+v\nlogs:\n%s", h.gh.CheckRuns(owner, repo), h.logs.String())
	})
	if !held {
		h.t.FailNow()
	}
	return done
}

var jobStateRe = regexp.MustCompile(`(?m)^clerkguard_queue_jobs\{state="(\w+)"\} (\d+)$`)

// jobStates reads the review jobs in the job store by state from /metrics
// (nil when it cannot be read).
func (h *harness) jobStates() map[string]int {
	resp, err := http.Get(h.base + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	var m map[string]int
	for _, sm := range jobStateRe.FindAllSubmatch(b, -1) {
		if m == nil {
			m = map[string]int{}
		}
		m[string(sm[1])], _ = strconv.Atoi(string(sm[2]))
	}
	return m
}

// waitJobs waits until the review jobs' states satisfy cond and returns
// them.
func (h *harness) waitJobs(what string, cond func(map[string]int) bool) map[string]int {
	h.t.Helper()
	var m map[string]int
	if !apptest.Until(h.t, what, func() bool {
		m = h.jobStates()
		return m != nil && cond(m)
	}, func() string { return fmt.Sprintf("review jobs by state: %v\nlogs:\n%s", m, h.logs.String()) }) {
		h.t.FailNow()
	}
	return m
}

// jobsIdle: no review job is waiting, running or due to be retried.
func jobsIdle(m map[string]int) bool {
	return m["available"]+m["scheduled"]+m["running"]+m["retryable"]+m["pending"] == 0
}

// jobsEnded counts the review jobs in a final state.
func jobsEnded(m map[string]int) int { return m["completed"] + m["cancelled"] + m["discarded"] }

func (h *harness) assertClean() {
	h.t.Helper()
	if v := h.gh.Violations(); len(v) > 0 {
		h.t.Errorf("requests that violate GitHub's schemas: %+v", v)
	}
	if a := h.gh.AnchorRejections(); len(a) > 0 {
		h.t.Errorf("review anchors rejected with 422: %+v", a)
	}
}

var baseFiles = map[string][]byte{
	"package.json": []byte(`{"name":"shop","dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`),
	"middleware.ts": []byte(`import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware()

export const config = {
  matcher: ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'],
}
`),
	"app/api/me/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
import { db } from '@/lib/db'

export async function GET() {
  const { userId } = await auth()
  if (!userId) return new Response('Unauthorized', { status: 401 })
  return Response.json(await db.profile.findUnique({ where: { userId } }))
}
`),
	"lib/db.ts": []byte("export const db: any = {}\n"),
}

func with(base map[string][]byte, extra map[string]string) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = []byte(v)
	}
	return out
}

const unprotected = `import { db } from '@/lib/db'

export async function GET() {
  return Response.json(await db.invoice.findMany())
}
`

const protected = `import { auth } from '@clerk/nextjs/server'
import { db } from '@/lib/db'

export async function GET() {
  const { userId } = await auth()
  if (!userId) return new Response('Unauthorized', { status: 401 })
  return Response.json(await db.invoice.findMany({ where: { userId } }))
}
`

const leakyClient = `import { createClerkClient } from '@clerk/backend'

export const clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })
`

func TestPullRequestReviewEndToEnd(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 7, BaseFiles: baseFiles,
		HeadFiles: with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected, "lib/clerk.ts": leakyClient})}); err != nil {
		t.Fatal(err)
	}
	head1, _ := gh.HeadSHA("acme", "shop", 7)

	delivery, status := h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 7, 42))
	if status != 202 {
		t.Fatalf("webhook status %d", status)
	}
	runs := h.waitCompleted("acme", "shop", head1, 1)
	cr := runs[0]
	if cr.Name != "Clerk security review" || cr.Conclusion != "failure" {
		t.Errorf("check run %q concluded %q, want failure", cr.Name, cr.Conclusion)
	}
	if len(cr.History) == 0 || cr.History[0].Status != "in_progress" {
		t.Errorf("check run was not created in_progress first: %+v", cr.History)
	}
	var rulesSeen []string
	for _, a := range cr.Annotations {
		rulesSeen = append(rulesSeen, a.Title)
	}
	joined := strings.Join(rulesSeen, "\n")
	for _, want := range []string{"CLK-RP-003", "CLK-SEC-004"} {
		if !strings.Contains(joined, want) {
			t.Errorf("annotations lack %s: %s", want, joined)
		}
	}
	if !strings.Contains(cr.Output.Summary, "### 1. Clerk middleware protects all authenticated routes") ||
		!strings.Contains(cr.Output.Summary, "### 2. Secret keys only in server-side environment variables") {
		t.Errorf("summary not grouped by checklist:\n%s", cr.Output.Summary)
	}
	trees := 0
	for _, r := range gh.Requests() {
		if r.OperationID == "git/get-tree" {
			trees++
		}
	}
	if trees != 1 {
		t.Errorf("%d tree listings for one review, want 1 (the base tree is only needed for blob diffs)", trees)
	}
	reviews := gh.Reviews("acme", "shop", 7)
	if len(reviews) != 1 || reviews[0].State != "COMMENTED" || len(reviews[0].Comments) < 2 {
		t.Fatalf("reviews = %+v, want one COMMENT review with the findings", reviews)
	}
	var suggestion bool
	for _, c := range reviews[0].Comments {
		if !strings.Contains(c.Body, "<!-- clerkguard:v1 fp=") {
			t.Errorf("comment without fingerprint marker: %q", c.Body)
		}
		if strings.Contains(c.Body, "```suggestion") {
			suggestion = true
		}
	}
	if !suggestion {
		t.Error("no suggestion block for the NEXT_PUBLIC_ secret rename")
	}

	// The same delivery again (a GitHub redelivery) changes nothing.
	if _, status := h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 7, 42)); status != 202 {
		t.Errorf("second delivery of the same event: status %d", status)
	}
	_ = delivery

	// A push that fixes the route: no repeated comments, the fixed thread
	// is told so.
	head2, err := gh.Push("acme", "shop", 7, "", with(baseFiles, map[string]string{"app/api/invoices/route.ts": protected, "lib/clerk.ts": leakyClient}))
	if err != nil {
		t.Fatal(err)
	}
	h.deliver("pull_request", h.prPayload("synchronize", "acme", "shop", 7, 42))
	runs2 := h.waitCompleted("acme", "shop", head2, 1)
	if runs2[0].Conclusion != "failure" { // the secret is still there
		t.Errorf("second run concluded %q", runs2[0].Conclusion)
	}
	// The review posts its replies and resolves threads before it
	// completes the run: all of it is there now.
	comments := gh.ReviewComments("acme", "shop", 7)
	var fixedReplies, roots int
	for _, c := range comments {
		if c.InReplyTo == 0 {
			roots++
		} else if strings.Contains(c.Body, "Fixed in") {
			fixedReplies++
		}
	}
	if roots != len(reviews[0].Comments) {
		t.Errorf("%d top-level comments after the push, want %d (no repeats)", roots, len(reviews[0].Comments))
	}
	if fixedReplies != 1 {
		t.Errorf("%d 'fixed' replies, want 1 for the protected route", fixedReplies)
	}
	replyCalls := 0
	for _, r := range gh.Requests() {
		if r.OperationID == "pulls/create-reply-for-review-comment" && r.Status == 201 {
			replyCalls++
		}
	}
	if replyCalls != 1 {
		t.Errorf("%d calls to the replies endpoint, want 1 (the 'fixed' reply)", replyCalls)
	}
	resolved := 0
	for _, th := range gh.ReviewThreads("acme", "shop", 7) {
		if th.Resolved {
			resolved++
		}
	}
	if resolved != 1 {
		t.Errorf("%d resolved threads, want 1", resolved)
	}
	if n := len(gh.CheckRuns("acme", "shop")); n != 2 {
		t.Errorf("%d check runs, want 2 (one per head SHA; the redelivery added none)", n)
	}
	h.assertClean()
	h.stop()
	for _, s := range []string{secret, "old-secret", "BEGIN RSA PRIVATE KEY", "ghs_"} {
		if strings.Contains(h.logs.String(), s) {
			t.Errorf("server logs contain secret material %q", s)
		}
	}
}
