package fakegithub_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func TestSecondaryRateLimit(t *testing.T) {
	e := setup(t, fakegithub.Options{Faults: fakegithub.Faults{SecondaryRateLimitRate: 1, RetryAfter: 3 * time.Second, Operations: []string{"pulls/get"}}})
	_, resp, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.GetRetryAfter() != 3*time.Second || status(resp) != 403 {
		t.Fatalf("secondary: %d %v", status(resp), err)
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "" {
		t.Fatal("rate headers missing")
	}
	// other operations are unaffected (a fresh client: go-github blocks itself after a 403)
	tok, _ := e.fake.MintInstallationToken(instID)
	if _, _, err := tokenClient(t, e.fake, tok).PullRequests.ListFiles(e.ctx, owner, repoN, 7, nil); err != nil {
		t.Fatal(err)
	}
	e.fake.SetFaults(fakegithub.Faults{SecondaryRateLimitRate: 1, SecondaryRateLimitStatus: 429})
	_, resp, _ = tokenClient(t, e.fake, tok).PullRequests.Get(e.ctx, owner, repoN, 7)
	if status(resp) != 429 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("429 variant: %d %q", status(resp), resp.Header.Get("Retry-After"))
	}
	var faulted int
	for _, r := range e.fake.Requests() {
		if r.Fault == "secondary_rate_limit" {
			faulted++
		}
	}
	if faulted != 2 {
		t.Fatalf("logged faults %d", faulted)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	e := setup(t, fakegithub.Options{RateLimit: 3})
	for i := 0; i < 2; i++ { // the token request counts against the app, not the installation
		_, resp, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Rate.Remaining; got != 2-i {
			t.Fatalf("remaining %d", got)
		}
	}
	if _, _, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7); err != nil {
		t.Fatal(err)
	}
	_, resp, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7)
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || status(resp) != 403 || rl.Rate.Remaining != 0 || rl.Rate.Reset.Before(time.Now()) {
		t.Fatalf("quota exhausted: %d %v", status(resp), err)
	}

	e2 := setup(t, fakegithub.Options{Faults: fakegithub.Faults{PrimaryRateLimit: true, PrimaryResetIn: 2 * time.Minute}})
	tok, _ := e2.fake.MintInstallationToken(instID)
	c := tokenClient(t, e2.fake, tok)
	_, _, err = c.PullRequests.Get(e2.ctx, owner, repoN, 7)
	if !errors.As(err, &rl) || time.Until(rl.Rate.Reset.Time) < time.Minute {
		t.Fatalf("forced primary limit: %v", err)
	}
	e2.fake.SetFaults(fakegithub.Faults{})
	if _, _, err := tokenClient(t, e2.fake, tok).PullRequests.Get(e2.ctx, owner, repoN, 7); err != nil {
		t.Fatal(err)
	}
}

func TestServerErrorsFail422OnceSlowTimeout(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	tok, _ := e.fake.MintInstallationToken(instID)
	c := tokenClient(t, e.fake, tok)
	e.fake.SetFaults(fakegithub.Faults{ServerErrorRate: 1})
	_, resp, _ := c.PullRequests.Get(e.ctx, owner, repoN, 7)
	if s := status(resp); s != 500 && s != 502 && s != 503 {
		t.Fatalf("server error: %d", s)
	}
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	e.fake.SetFaults(fakegithub.Faults{Fail422Once: "checks/create"})
	opts := github.CreateCheckRunOptions{Name: "n", HeadSHA: head}
	if _, resp, _ := c.Checks.CreateCheckRun(e.ctx, owner, repoN, opts); status(resp) != 422 {
		t.Fatalf("first create: %d", status(resp))
	}
	if _, _, err := c.Checks.CreateCheckRun(e.ctx, owner, repoN, opts); err != nil {
		t.Fatalf("second create: %v", err)
	}
	if len(e.fake.Violations()) != 0 {
		t.Fatal("an injected 422 is not a violation")
	}

	e.fake.SetFaults(fakegithub.Faults{SlowRate: 1, SlowDelay: 150 * time.Millisecond})
	start := time.Now()
	if _, _, err := c.PullRequests.Get(e.ctx, owner, repoN, 7); err != nil || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("slow: %v %v", err, time.Since(start))
	}

	// The client gives up on a held request: the fake ends the hold then
	// (its log says 499, client closed request), not after TimeoutHold.
	e.fake.SetFaults(fakegithub.Faults{TimeoutRate: 1, TimeoutHold: time.Hour})
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	arrived := e.fake.Arrival("pulls/get")
	go func() {
		select {
		case <-arrived:
			cancel()
		case <-ctx.Done():
		}
	}()
	if _, _, err := c.PullRequests.Get(ctx, owner, repoN, 7); err == nil {
		t.Fatal("timeout: a held request the client gave up on succeeded")
	}
	if !apptest.Until(t, "the held request logged as closed by the client", func() bool {
		for _, r := range e.fake.Requests() {
			if r.Fault == "timeout" && r.Status == 499 {
				return true
			}
		}
		return false
	}) {
		t.FailNow()
	}
	e.fake.SetFaults(fakegithub.Faults{TimeoutRate: 1, TimeoutHold: 50 * time.Millisecond})
	_, resp, _ = c.PullRequests.Get(e.ctx, owner, repoN, 7)
	if status(resp) != http.StatusGatewayTimeout {
		t.Fatalf("bounded hold: %d", status(resp))
	}
}

func TestFaultsAreDeterministic(t *testing.T) {
	run := func() string {
		e := setup(t, fakegithub.Options{Seed: 42, Faults: fakegithub.Faults{ServerErrorRate: 0.3, SecondaryRateLimitRate: 0.2}})
		tok, _ := e.fake.MintInstallationToken(instID)
		var sb strings.Builder
		for i := 0; i < 40; i++ {
			resp, _ := rawDo(t, "GET", e.fake.URL()+"repos/acme/web/pulls/7", "token "+tok, nil)
			sb.WriteString(http.StatusText(resp.StatusCode)[:1])
		}
		return sb.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "O") || !strings.ContainsAny(a, "IBSF") {
		t.Fatalf("sequences differ or lack variety:\n%s\n%s", a, b)
	}
}

func TestUnimplementedAndGHES(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	tok, _ := e.fake.MintInstallationToken(instID)
	c := tokenClient(t, e.fake, tok)
	_, resp, _ := c.Issues.ListComments(e.ctx, owner, repoN, 7, nil)
	v := e.fake.Violations()
	if status(resp) != 404 || len(v) != 1 || v[0].Kind != "unimplemented" || v[0].Path != "/repos/acme/web/issues/7/comments" {
		t.Fatalf("unimplemented: %d %v", status(resp), v)
	}

	g := setup(t, fakegithub.Options{GHES: true})
	if !strings.HasSuffix(g.fake.URL(), "/api/v3/") || !strings.HasSuffix(g.fake.GraphQLURL(), "/api/graphql") {
		t.Fatalf("GHES URLs %s %s", g.fake.URL(), g.fake.GraphQLURL())
	}
	// go-github's enterprise constructor appends api/v3/ itself
	ge, err := github.NewClient(nil).WithAuthToken("unused").WithEnterpriseURLs(g.fake.BaseURL(), g.fake.BaseURL())
	if err != nil || ge.BaseURL.String() != g.fake.URL() {
		t.Fatalf("enterprise base %v %v", ge.BaseURL, err)
	}
	pr, _, err := g.client.PullRequests.Get(g.ctx, owner, repoN, 7)
	if err != nil || !strings.Contains(pr.GetURL(), "/api/v3/repos/acme/web/pulls/7") {
		t.Fatalf("GHES get: %v %s", err, pr.GetURL())
	}
	_, resp, err = g.client.PullRequests.ListFiles(g.ctx, owner, repoN, 7, &github.ListOptions{PerPage: 2})
	if err != nil || !strings.Contains(resp.Header.Get("Link"), "/api/v3/repos/acme/web/pulls/7/files?") || resp.NextPage != 2 {
		t.Fatalf("GHES Link %q %v", resp.Header.Get("Link"), err)
	}
	gt, _ := g.fake.MintInstallationToken(instID)
	out := graphql(t, g.fake, gt, threadsQuery, map[string]any{"owner": owner, "name": repoN, "number": 7})
	if out["errors"] != nil {
		t.Fatalf("GHES graphql %v", out)
	}
	// non-API paths are not served on GHES
	r, _ := rawDo(t, "GET", g.fake.BaseURL()+"/repos/acme/web/pulls/7", "token "+gt, nil)
	if r.StatusCode != 404 {
		t.Fatalf("GHES root path: %d", r.StatusCode)
	}
}

// TestArrivalSignalsARequestHeldByAFault: Arrival is closed when the
// request arrives, while SlowDelay still holds it (no response, no request
// log yet), and only for its own operation.
func TestArrivalSignalsARequestHeldByAFault(t *testing.T) {
	e := setup(t, fakegithub.Options{Faults: fakegithub.Faults{SlowRate: 1, SlowDelay: time.Hour, Operations: []string{"pulls/get"}}})
	arrived, other := e.fake.Arrival("pulls/get"), e.fake.Arrival("pulls/list-files")
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() {
		_, _, err := e.client.PullRequests.Get(ctx, owner, repoN, 7)
		done <- err
	}()
	guard, stop := apptest.Guard(t)
	defer stop()
	select {
	case <-arrived:
	case <-guard.Done():
		t.Fatal("gave up waiting (test deadline): the held request's arrival")
	}
	select {
	case <-other:
		t.Error("another operation's Arrival was signalled")
	case err := <-done:
		t.Errorf("the request was answered (%v) although SlowDelay holds it", err)
	default:
	}
	for _, r := range e.fake.Requests() {
		if r.OperationID == "pulls/get" {
			t.Errorf("request logged before it was answered: %+v", r)
		}
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the cancelled held request succeeded")
	}
}
