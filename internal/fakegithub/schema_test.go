package fakegithub_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

type recorded struct {
	method, path string
	status       int
	ctype        string
	body         []byte
}

type recorder struct {
	mu   sync.Mutex
	list []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, recorded{req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), b})
	return resp, nil
}

// TestResponsesMatchSchemas drives every operation the fake implements and validates
// each JSON response body against GitHub's response schema for that status.
func TestResponsesMatchSchemas(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	f := e.fake
	rec := &recorder{}
	itr, err := ghinstallation.New(rec, f.AppID(), instID, f.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	itr.BaseURL = strings.TrimSuffix(f.URL(), "/")
	c := enterprise(t, github.NewClient(&http.Client{Transport: itr}), f)
	atr, err := ghinstallation.NewAppsTransport(rec, f.AppID(), f.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = itr.BaseURL
	app := enterprise(t, github.NewClient(&http.Client{Transport: atr}), f)
	ctx := e.ctx
	must := func(_ any, _ *github.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	head, _ := f.HeadSHA(owner, repoN, 7)
	must(app.Apps.Get(ctx, ""))
	must(app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{Repositories: []string{repoN}}))
	must(c.PullRequests.Get(ctx, owner, repoN, 7))
	must(c.PullRequests.ListFiles(ctx, owner, repoN, 7, nil))
	tree, _, err := c.Git.GetTree(ctx, owner, repoN, head, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range tree.Entries {
		if en.GetType() == "blob" {
			must(c.Git.GetBlob(ctx, owner, repoN, en.GetSHA()))
			break
		}
	}
	for _, p := range []string{"src/middleware.ts", "src", "link-to-readme", "vendor/clerk"} {
		_, _, _, err := c.Repositories.GetContents(ctx, owner, repoN, p, &github.RepositoryContentGetOptions{Ref: head})
		if err != nil {
			t.Fatal(p, err)
		}
	}
	cr, _, err := c.Checks.CreateCheckRun(ctx, owner, repoN, github.CreateCheckRunOptions{Name: "Clerk security review", HeadSHA: head, Status: github.String("in_progress")})
	if err != nil {
		t.Fatal(err)
	}
	must(c.Checks.UpdateCheckRun(ctx, owner, repoN, cr.GetID(), github.UpdateCheckRunOptions{Name: "Clerk security review", Conclusion: github.String("failure"),
		Output: &github.CheckRunOutput{Title: github.String("1 finding"), Summary: github.String("s"), Text: github.String("t"), Annotations: []*github.CheckRunAnnotation{ann("src/middleware.ts", 1)}}}))
	must(c.Checks.ListCheckRunsForRef(ctx, owner, repoN, head, nil))
	must(c.PullRequests.CreateReview(ctx, owner, repoN, 7, &github.PullRequestReviewRequest{CommitID: github.String(head), Event: github.String("COMMENT"), Body: github.String("b"),
		Comments: []*github.DraftReviewComment{{Path: github.String("src/app/api/a/route.ts"), Line: intp(17), Side: github.String("RIGHT"), Body: github.String("x")}}}))
	rc, _, err := c.PullRequests.CreateComment(ctx, owner, repoN, 7, &github.PullRequestComment{CommitID: github.String(head), Path: github.String("src/app/api/b/route.ts"),
		StartLine: github.Int(1), StartSide: github.String("RIGHT"), Line: github.Int(2), Side: github.String("RIGHT"), Body: github.String("y")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ghclient.ReplyToReviewComment(ctx, c, owner, repoN, 7, rc.GetID(), "z"); err != nil {
		t.Fatal(err)
	}
	must(c.PullRequests.CreateComment(ctx, owner, repoN, 7, &github.PullRequestComment{CommitID: github.String(head), Path: github.String("gone.txt"), SubjectType: github.String("file"), Body: github.String("f")}))
	must(c.PullRequests.ListComments(ctx, owner, repoN, 7, nil))
	must(c.Issues.CreateComment(ctx, owner, repoN, 7, &github.IssueComment{Body: github.String("hi")}))
	f.RecordFailedDelivery("http://127.0.0.1:1/", "s", "pull_request", []byte(`{"action":"opened","installation":{"id":4242},"repository":{"id":1}}`))
	f.RecordFailedDelivery("http://127.0.0.1:1/", "s", "ping", []byte(`{"zen":"z"}`))
	ds, _, err := app.Apps.ListHookDeliveries(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = app.Apps.RedeliverHookDelivery(ctx, ds[0].GetID())
	noViolations(t, f)

	schemas := map[string]*jsonschema.Schema{}
	covered := map[string]bool{}
	for _, r := range rec.list {
		op := f.OperationID(r.method, r.path)
		if op == "" || r.status >= 300 || !strings.HasPrefix(r.ctype, "application/json") {
			continue
		}
		key := fmt.Sprintf("%s %d", op, r.status)
		sch, ok := schemas[key]
		if !ok {
			sch, err = fakegithub.ResponseSchema("", op, r.status)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			schemas[key] = sch
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s %s: response does not match GitHub's schema: %v", r.method, r.path, err)
		}
		covered[op] = true
	}
	for _, op := range []string{"apps/get-authenticated", "apps/create-installation-access-token", "pulls/get", "pulls/list-files",
		"git/get-tree", "git/get-blob", "repos/get-content", "checks/create", "checks/update", "checks/list-for-ref",
		"pulls/create-review", "pulls/create-review-comment", "pulls/create-reply-for-review-comment", "pulls/list-review-comments", "issues/create-comment",
		"apps/list-webhook-deliveries", "apps/redeliver-webhook-delivery"} {
		if !covered[op] {
			t.Errorf("operation %s not exercised", op)
		}
	}
}
