package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clerkguard/clerkguard/app/queue"
	"github.com/clerkguard/clerkguard/app/review"
)

type fakeQueue struct {
	mu   sync.Mutex
	seen map[string]bool
	jobs []review.Request
	err  error
}

func (q *fakeQueue) Enqueue(_ context.Context, delivery string, reqs []review.Request) (queue.Result, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return queue.Result{}, q.err
	}
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	if q.seen[delivery] {
		return queue.Result{Duplicate: true}, nil
	}
	q.seen[delivery] = true
	q.jobs = append(q.jobs, reqs...)
	return queue.Result{Inserted: len(reqs)}, nil
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func payload(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit applies fn to a decoded payload.
func edit(t *testing.T, b []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, _ := json.Marshal(m)
	return out
}

func TestVerifyVector(t *testing.T) {
	// GitHub's documented test vector.
	body := []byte("Hello, World!")
	sig := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if !Verify([][]byte{[]byte("It's a Secret to Everybody")}, body, sig) {
		t.Error("documented vector does not verify")
	}
	if !Verify([][]byte{[]byte("old"), []byte("It's a Secret to Everybody")}, body, sig) {
		t.Error("second (rotated) secret not accepted")
	}
	for _, bad := range []string{"", "sha256=", "sha256=zz", "sha1=757107ea", sig[:len(sig)-2] + "00"} {
		if Verify([][]byte{[]byte("It's a Secret to Everybody")}, body, bad) {
			t.Errorf("Verify accepted %q", bad)
		}
	}
}

func TestHandler(t *testing.T) {
	const secret = "s3cret"
	opened := payload(t, "pull_request.opened.json")
	rerun := edit(t, payload(t, "check_run.rerequested.json"), func(m map[string]any) {
		cr := m["check_run"].(map[string]any)
		cr["name"] = "Clerk security review"
		cr["pull_requests"] = []any{map[string]any{"number": 7, "head": map[string]any{"sha": cr["head_sha"]}}}
	})
	edited := edit(t, payload(t, "pull_request.opened.json"), func(m map[string]any) {
		m["action"] = "edited"
		m["changes"] = map[string]any{"base": map[string]any{"ref": map[string]any{"from": "develop"}}}
	})
	titleEdit := edit(t, payload(t, "pull_request.opened.json"), func(m map[string]any) {
		m["action"] = "edited"
		m["changes"] = map[string]any{"title": map[string]any{"from": "x"}}
	})
	mergeGroup := []byte(`{"action":"checks_requested","merge_group":{"head_sha":"` + strings.Repeat("a", 40) + `","base_sha":"` + strings.Repeat("b", 40) + `","head_ref":"refs/heads/gh-readonly-queue/main/pr-1"},"repository":{"id":9,"name":"r","owner":{"login":"o"}},"installation":{"id":5}}`)
	form := "payload=" + url.QueryEscape(string(opened))

	for _, tc := range []struct {
		name       string
		method     string
		event      string
		delivery   string
		ctype      string
		body       []byte
		sig        string // "" = correct; "-" = none
		sha1Only   bool
		wantStatus int
		wantJobs   int
		wantBody   string
	}{
		{name: "pull_request opened", event: "pull_request", body: opened, wantStatus: 202, wantJobs: 1, wantBody: "queued 1"},
		{name: "duplicate delivery", event: "pull_request", delivery: "dup", body: opened, wantStatus: 202, wantJobs: 1},
		{name: "duplicate delivery again", event: "pull_request", delivery: "dup", body: opened, wantStatus: 200, wantBody: "duplicate"},
		{name: "form encoded", event: "pull_request", ctype: "application/x-www-form-urlencoded", body: []byte(form), wantStatus: 202, wantJobs: 1},
		{name: "synchronize", event: "pull_request", body: payload(t, "pull_request.synchronize.json"), wantStatus: 202, wantJobs: 1},
		{name: "reopened", event: "pull_request", body: payload(t, "pull_request.reopened.json"), wantStatus: 202, wantJobs: 1},
		{name: "ready_for_review", event: "pull_request", body: payload(t, "pull_request.ready_for_review.with-installation.json"), wantStatus: 202, wantJobs: 1},
		{name: "edited base", event: "pull_request", body: edited, wantStatus: 202, wantJobs: 1},
		{name: "edited title ignored", event: "pull_request", body: titleEdit, wantStatus: 202, wantBody: "ignored"},
		{name: "closed ignored", event: "pull_request", body: payload(t, "pull_request.closed.json"), wantStatus: 202, wantBody: "ignored"},
		{name: "check_run rerequested", event: "check_run", body: rerun, wantStatus: 202, wantJobs: 1},
		{name: "other app's check_run ignored", event: "check_run", body: payload(t, "check_run.rerequested.json"), wantStatus: 202, wantBody: "ignored"},
		{name: "check_suite without PRs ignored", event: "check_suite", body: payload(t, "check_suite.requested.json"), wantStatus: 202, wantBody: "ignored"},
		{name: "merge_group", event: "merge_group", body: mergeGroup, wantStatus: 202, wantJobs: 1},
		{name: "installation logged", event: "installation", body: payload(t, "installation.created.json"), wantStatus: 202, wantBody: "ignored"},
		{name: "installation_repositories logged", event: "installation_repositories", body: payload(t, "installation_repositories.added.json"), wantStatus: 202, wantBody: "ignored"},
		{name: "ping", event: "ping", body: payload(t, "ping.json"), wantStatus: 200, wantBody: "pong"},
		{name: "unknown event", event: "star", body: []byte(`{"action":"created"}`), wantStatus: 202, wantBody: "not handled"},
		{name: "unsigned", event: "pull_request", body: opened, sig: "-", wantStatus: 401},
		{name: "sha1 only", event: "pull_request", body: opened, sig: "-", sha1Only: true, wantStatus: 401, wantBody: "SHA-1"},
		{name: "wrong signature", event: "pull_request", body: opened, sig: sign("other", opened), wantStatus: 401},
		{name: "malformed json", event: "pull_request", body: []byte(`{"action":`), wantStatus: 400, wantBody: "malformed"},
		{name: "wrong shape", event: "pull_request", body: []byte(`{"action":"opened","pull_request":"nope"}`), wantStatus: 400},
		{name: "missing fields", event: "pull_request", body: []byte(`{"action":"opened","pull_request":{}}`), wantStatus: 400},
		{name: "missing event header", event: "", body: opened, wantStatus: 400},
		{name: "wrong content type", event: "pull_request", ctype: "text/xml", body: opened, wantStatus: 415},
		{name: "GET", method: "GET", event: "pull_request", body: opened, wantStatus: 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{}
			if strings.HasPrefix(tc.name, "duplicate") {
				q = dupQueue
			}
			h := &Handler{Secrets: [][]byte{[]byte("rotated-out"), []byte(secret)}, Queue: q, Log: slog.New(slog.DiscardHandler)}
			method := tc.method
			if method == "" {
				method = "POST"
			}
			req := httptest.NewRequest(method, "/webhook", bytes.NewReader(tc.body))
			if tc.event != "" {
				req.Header.Set("X-GitHub-Event", tc.event)
			}
			d := tc.delivery
			if d == "" {
				d = "d-" + strings.Map(func(r rune) rune {
					if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
						return r
					}
					return '-'
				}, tc.name)
			}
			req.Header.Set("X-GitHub-Delivery", d)
			ct := tc.ctype
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			switch tc.sig {
			case "":
				req.Header.Set("X-Hub-Signature-256", sign(secret, tc.body))
			case "-":
			default:
				req.Header.Set("X-Hub-Signature-256", tc.sig)
			}
			if tc.sha1Only {
				m := hmac.New(sha1.New, []byte(secret))
				m.Write(tc.body)
				req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
			}
			rec := httptest.NewRecorder()
			before := len(q.jobs)
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d (%s)", rec.Code, tc.wantStatus, body)
			}
			if got := len(q.jobs) - before; got != tc.wantJobs {
				t.Errorf("jobs = %d, want %d", got, tc.wantJobs)
			}
			if tc.wantBody != "" && !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("body %q does not mention %q", body, tc.wantBody)
			}
		})
	}
}

var dupQueue = &fakeQueue{}

func TestHandlerOversizedAndQueueDown(t *testing.T) {
	h := &Handler{Secrets: [][]byte{[]byte("s")}, Queue: &fakeQueue{err: errors.New("disk full")}, Log: slog.New(slog.DiscardHandler)}
	big := bytes.Repeat([]byte("a"), MaxBody+1)
	req := httptest.NewRequest("POST", "/webhook", bytes.NewReader(big))
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", "big")
	req.Header.Set("X-Hub-Signature-256", sign("s", big))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: status %d, want 413", rec.Code)
	}
	body := payload(t, "pull_request.opened.json")
	req = httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", "x")
	req.Header.Set("X-Hub-Signature-256", sign("s", body))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("queue down: status %d, want 503 so GitHub records a failed delivery", rec.Code)
	}
}

func TestRequestsFromPullRequest(t *testing.T) {
	reqs, ignore, err := Requests("pull_request", "abc", payload(t, "pull_request.opened.json"))
	if err != nil || ignore != "" || len(reqs) != 1 {
		t.Fatalf("reqs=%v ignore=%q err=%v", reqs, ignore, err)
	}
	r := reqs[0]
	if r.Owner != "Codertocat" || r.Repo != "Hello-World" || r.PR != 2 || r.InstallationID != 1 || len(r.HeadSHA) != 40 || r.RepoID == 0 {
		t.Errorf("request = %+v", r)
	}
}

func FuzzRequests(f *testing.F) {
	for _, name := range []string{"pull_request.opened.json", "check_run.rerequested.json", "check_suite.requested.json", "installation.created.json", "ping.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.SplitN(name, ".", 2)[0], b)
	}
	f.Add("merge_group", []byte(`{"action":"checks_requested","merge_group":{}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		reqs, _, err := Requests(event, "d", body)
		if err != nil {
			return
		}
		for _, r := range reqs {
			if r.HeadSHA == "" || r.InstallationID == 0 && event != "merge_group" {
				t.Fatalf("request without identity: %+v", r)
			}
		}
	})
}
