package fakegithub_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func graphql(t *testing.T, f *fakegithub.Server, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", f.GraphQLURL(), bytes.NewReader(body))
	req.Header.Set("Authorization", "bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// threadsQuery has the shape of the App's pull request state query.
const threadsQuery = `query($owner:String!,$name:String!,$number:Int!){repository(owner:$owner,name:$name){` +
	`pullRequest(number:$number){headRefOid baseRefName baseRefOid ` +
	`reviewThreads(first:2){pageInfo{hasNextPage} nodes{id isResolved comments(first:50){pageInfo{hasNextPage} nodes{databaseId body path author{__typename login} replyTo{databaseId}}}}}}}}`

func TestGraphQLReviewThreads(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	var ids []int64
	for _, line := range []int{1, 2, 3} {
		c, _, err := e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{
			CommitID: github.String(head), Path: github.String("src/app/api/b/route.ts"), Line: github.Int(line), Body: github.String("finding")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.GetID())
	}
	if _, err := e.fake.AddReviewComment(owner, repoN, 7, "human", "", 0, "I disagree", ids[0]); err != nil {
		t.Fatal(err)
	}
	tok, _ := e.fake.MintInstallationToken(instID)
	vars := map[string]any{"owner": owner, "name": repoN, "number": 7}
	out := graphql(t, e.fake, tok, threadsQuery, vars)
	if out["errors"] != nil {
		t.Fatalf("errors: %v", out["errors"])
	}
	conn := out["data"].(map[string]any)["repository"].(map[string]any)["pullRequest"].(map[string]any)["reviewThreads"].(map[string]any)
	nodes := conn["nodes"].([]any)
	if len(nodes) != 2 || conn["pageInfo"].(map[string]any)["hasNextPage"] != true {
		t.Fatalf("page 1: %v", conn)
	}
	t0 := nodes[0].(map[string]any)
	comments := t0["comments"].(map[string]any)["nodes"].([]any)
	if len(comments) != 2 || comments[1].(map[string]any)["body"] != "I disagree" || comments[0].(map[string]any)["path"] != "src/app/api/b/route.ts" || t0["isResolved"] != false {
		t.Fatalf("thread 0: %v", t0)
	}
	if r := comments[1].(map[string]any)["replyTo"].(map[string]any); r["databaseId"] != float64(ids[0]) {
		t.Errorf("reply's replyTo = %v, want %d", r, ids[0])
	}
	if a := comments[0].(map[string]any)["author"].(map[string]any); a["__typename"] != "Bot" {
		t.Errorf("the App's comment's author = %v, want a Bot", a)
	}
	if _, extra := t0["line"]; extra {
		t.Fatal("unrequested field returned")
	}

	// resolve
	threadID := t0["id"].(string)
	out = graphql(t, e.fake, tok, `mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }`, map[string]any{"id": threadID})
	th := out["data"].(map[string]any)["resolveReviewThread"].(map[string]any)["thread"].(map[string]any)
	if th["isResolved"] != true {
		t.Fatalf("resolve: %v", out)
	}
	threads := e.fake.ReviewThreads(owner, repoN, 7)
	if len(threads) != 3 || !threads[0].Resolved || len(threads[0].CommentIDs) != 2 {
		t.Fatalf("threads %+v", threads)
	}
	noViolations(t, e.fake)

	// unknown repo: NOT_FOUND error, not a violation
	out = graphql(t, e.fake, tok, threadsQuery, map[string]any{"owner": "x", "name": "y", "number": 1})
	if errs, _ := out["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["type"] != "NOT_FOUND" {
		t.Fatalf("not found: %v", out)
	}
	noViolations(t, e.fake)
	// unsupported query: GraphQL error and a violation
	out = graphql(t, e.fake, tok, `{ viewer { login } }`, nil)
	if out["errors"] == nil || len(e.fake.Violations()) != 1 || e.fake.Violations()[0].Kind != "graphql" {
		t.Fatalf("unsupported: %v", out)
	}
	// missing first; a later page (the App lists the rest over REST)
	for _, q := range []string{
		`{ repository(owner: "acme", name: "web") { pullRequest(number: 7) { reviewThreads { nodes { id } } } } }`,
		`{ repository(owner: "acme", name: "web") { pullRequest(number: 7) { reviewThreads(first: 2, after: "x") { nodes { id } } } } }`,
	} {
		if out := graphql(t, e.fake, tok, q, nil); out["errors"] == nil {
			t.Errorf("%s: %v, want an error", q, out)
		}
	}
}

func sig(secret string, b []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(b)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

type receiver struct {
	mu     sync.Mutex
	got    []http.Header
	bodies [][]byte
	status int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r.Header.Clone())
	rc.bodies = append(rc.bodies, b)
	w.WriteHeader(rc.status)
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func TestWebhookDeliveryAndRedelivery(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	payload, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", "pull_request.opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{status: http.StatusServiceUnavailable}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	const secret = "It's a Secret to Everybody"

	guid, code, err := e.fake.Deliver(e.ctx, srv.URL+"/webhook", secret, "pull_request", payload)
	if err != nil || code != 503 {
		t.Fatalf("deliver: %d %v", code, err)
	}
	h := rc.got[0]
	if h.Get("X-GitHub-Event") != "pull_request" || h.Get("X-GitHub-Delivery") != guid || h.Get("X-Hub-Signature-256") != sig(secret, payload) ||
		!strings.HasPrefix(h.Get("X-Hub-Signature"), "sha1=") || !strings.HasPrefix(h.Get("User-Agent"), "GitHub-Hookshot/") ||
		h.Get("Content-Type") != "application/json" || !bytes.Equal(rc.bodies[0], payload) {
		t.Fatalf("headers %v", h)
	}
	if fakegithub.Sign(secret, []byte("Hello, World!")) != "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" {
		t.Fatal("signature test vector")
	}
	down := e.fake.RecordFailedDelivery(srv.URL+"/webhook", secret, "check_run", []byte(`{"action":"rerequested","installation":{"id":4242}}`))
	rc.mu.Lock()
	rc.status = http.StatusAccepted
	rc.mu.Unlock()
	if _, code, err := e.fake.Deliver(e.ctx, srv.URL+"/webhook", secret, "ping", []byte(`{"zen":"x"}`)); err != nil || code != 202 {
		t.Fatal(code, err)
	}
	// unreachable receiver
	if _, _, err := e.fake.Deliver(e.ctx, "http://127.0.0.1:1/webhook", secret, "ping", []byte(`{}`)); err == nil {
		t.Fatal("unreachable receiver: no error")
	}

	// list with cursor pagination
	var all []*github.HookDelivery
	opt := &github.ListCursorOptions{PerPage: 2}
	for {
		ds, resp, err := e.app.Apps.ListHookDeliveries(e.ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
		if resp.Cursor == "" {
			break
		}
		opt.Cursor = resp.Cursor
	}
	if len(all) != 4 {
		t.Fatalf("deliveries %d", len(all))
	}
	var failed []*github.HookDelivery
	for _, d := range all {
		if d.GetStatus() != "OK" {
			failed = append(failed, d)
		}
	}
	if len(failed) != 3 || all[3].GetGUID() != guid || all[3].GetStatusCode() != 503 || all[2].GetGUID() != down || all[2].GetInstallationID() != 4242 {
		t.Fatalf("failed %v", failed)
	}
	// redeliver the first (503) delivery: same GUID, signed, now 202
	_, _, err = e.app.Apps.RedeliverHookDelivery(e.ctx, all[3].GetID())
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("redeliver: %v", err)
	}
	if !apptest.Until(t, "the redelivery at the receiver", func() bool { return rc.count() >= 3 }) {
		t.FailNow()
	}
	rc.mu.Lock()
	last := rc.got[len(rc.got)-1]
	lastBody := rc.bodies[len(rc.bodies)-1]
	rc.mu.Unlock()
	if last.Get("X-GitHub-Delivery") != guid || last.Get("X-Hub-Signature-256") != sig(secret, lastBody) || !bytes.Equal(lastBody, payload) {
		t.Fatalf("redelivery headers %v", last)
	}
	var rec fakegithub.Delivery
	if !apptest.Until(t, "the redelivery recorded with its outcome", func() bool {
		ds := e.fake.Deliveries()
		rec = ds[len(ds)-1]
		return rec.Redelivery && !rec.Pending
	}) {
		t.FailNow()
	}
	if rec.Status != "OK" || rec.GUID != guid {
		t.Fatalf("redelivery record %+v", rec)
	}
	// configured webhook URL and secret take precedence
	rc2 := &receiver{status: 200}
	srv2 := httptest.NewServer(rc2)
	defer srv2.Close()
	e.fake.SetWebhook(srv2.URL, "new-secret")
	if _, _, err := e.app.Apps.RedeliverHookDelivery(e.ctx, all[2].GetID()); !errors.As(err, &accepted) {
		t.Fatal(err)
	}
	if !apptest.Until(t, "the redelivery at the configured URL", func() bool { return rc2.count() >= 1 }) {
		t.FailNow()
	}
	rc2.mu.Lock()
	defer rc2.mu.Unlock()
	if len(rc2.got) != 1 || rc2.got[0].Get("X-GitHub-Delivery") != down || rc2.got[0].Get("X-Hub-Signature-256") != sig("new-secret", rc2.bodies[0]) {
		t.Fatalf("configured redelivery %v", rc2.got)
	}
	_, resp, _ := e.app.Apps.RedeliverHookDelivery(e.ctx, 1)
	if status(resp) != 404 {
		t.Fatalf("unknown delivery: %d", status(resp))
	}
	noViolations(t, e.fake)
}

func TestDeliverTimeout(t *testing.T) {
	f := newFake(t, fakegithub.Options{DeliveryTimeout: 100 * time.Millisecond})
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	_, _, err := f.Deliver(context.Background(), srv.URL, "s", "ping", []byte(`{}`))
	if err == nil {
		t.Fatal("no timeout")
	}
	if d := f.Deliveries(); len(d) != 1 || d[0].Status != "timed out" {
		t.Fatalf("%+v", d)
	}
}
