package fakegithub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func TestAppJWTAndInstallationToken(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	app, _, err := e.app.Apps.Get(e.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if app.GetID() != e.fake.AppID() || app.GetSlug() != "clerkguard" {
		t.Fatalf("app = %d %q", app.GetID(), app.GetSlug())
	}
	// ghinstallation mints a token on first use
	pr, _, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7)
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetNumber() != 7 || pr.GetHead().GetRef() != "feat" || pr.GetBase().GetRef() != "main" {
		t.Fatalf("pr = %+v", pr)
	}
	toks := e.fake.InstallationTokens()
	if len(toks) != 1 || toks[0].InstallationID != instID || !strings.HasPrefix(toks[0].Token, "ghs_") {
		t.Fatalf("tokens = %+v", toks)
	}
	if d := toks[0].ExpiresAt.Sub(toks[0].CreatedAt); d != time.Hour {
		t.Fatalf("token lifetime %v", d)
	}
	var sawJWT bool
	for _, r := range e.fake.Requests() {
		if r.OperationID == "apps/create-installation-access-token" && r.Status == 201 && r.Auth == "jwt" {
			sawJWT = true
		}
	}
	if !sawJWT {
		t.Fatal("token request not logged")
	}
	noViolations(t, e.fake)
}

func rawDo(t *testing.T, method, url, auth string, body []byte) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

func TestJWTValidation(t *testing.T) {
	now := time.Now()
	f := newFake(t, fakegithub.Options{Now: func() time.Time { return now }})
	f.AddInstallation(instID, owner)
	sign := func(claims jwt.MapClaims, key any) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	other := newFake(t, fakegithub.Options{})
	iss := strconv.FormatInt(f.AppID(), 10)
	cases := []struct {
		name   string
		claims jwt.MapClaims
		key    any
		want   int
		msg    string
	}{
		{"ok", jwt.MapClaims{"iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(9 * time.Minute).Unix(), "iss": iss}, f.PrivateKey(), 201, ""},
		{"numeric iss", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "iss": f.AppID()}, f.PrivateKey(), 201, ""},
		{"exp too far", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(11 * time.Minute).Unix(), "iss": iss}, f.PrivateKey(), 401, "too far in the future"},
		{"expired", jwt.MapClaims{"iat": now.Add(-20 * time.Minute).Unix(), "exp": now.Add(-time.Minute).Unix(), "iss": iss}, f.PrivateKey(), 401, "'Expiration time'"},
		{"iat future", jwt.MapClaims{"iat": now.Add(2 * time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix(), "iss": iss}, f.PrivateKey(), 401, "'Issued at'"},
		{"wrong key", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "iss": iss}, other.PrivateKey(), 401, "could not be decoded"},
		{"wrong iss", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "iss": "999"}, f.PrivateKey(), 401, "could not be decoded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, m := rawDo(t, "POST", f.URL()+"app/installations/4242/access_tokens", "Bearer "+sign(tc.claims, tc.key), nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d want %d (%v)", resp.StatusCode, tc.want, m)
			}
			if tc.msg != "" && !strings.Contains(m["message"].(string), tc.msg) {
				t.Fatalf("message %q lacks %q", m["message"], tc.msg)
			}
			if resp.Header.Get("X-RateLimit-Limit") == "" {
				t.Fatal("no rate limit headers")
			}
		})
	}
	resp, _ := rawDo(t, "GET", f.URL()+"app", "Bearer not.a.jwt", nil)
	if resp.StatusCode != 401 {
		t.Fatalf("garbage jwt: %d", resp.StatusCode)
	}
	resp, _ = rawDo(t, "POST", f.URL()+"app/installations/1/access_tokens", "Bearer "+sign(cases[0].claims, f.PrivateKey()), nil)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown installation: %d", resp.StatusCode)
	}
}

func TestTokenScopeAndExpiry(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	f := newFake(t, fakegithub.Options{Now: func() time.Time { return clock() }})
	f.AddInstallation(instID, owner)
	f.AddInstallation(99, "someone-else")
	f.AddRepo(owner, repoN, instID, "main")
	f.AddRepo(owner, "other", instID, "main")
	f.AddRepo("someone-else", "x", 99, "main")
	if err := f.AddPR(owner, repoN, fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: headFiles()}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddPR(owner, "other", fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: headFiles()}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	app := appClient(t, f)

	// narrowed to one repo and checks:read
	tok, _, err := app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{
		Repositories: []string{repoN}, Permissions: &github.InstallationPermissions{Checks: github.String("read"), PullRequests: github.String("read")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Repositories) != 1 || tok.Repositories[0].GetName() != repoN {
		t.Fatalf("token = %+v", tok)
	}
	c := tokenClient(t, f, tok.GetToken())
	if _, _, err := c.PullRequests.Get(ctx, owner, repoN, 1); err != nil {
		t.Fatalf("covered repo: %v", err)
	}
	_, resp, err := c.PullRequests.Get(ctx, owner, "other", 1)
	if status(resp) != 403 {
		t.Fatalf("uncovered repo: %d %v", status(resp), err)
	}
	_, resp, _ = c.Checks.CreateCheckRun(ctx, owner, repoN, github.CreateCheckRunOptions{Name: "x", HeadSHA: "abc"})
	if status(resp) != 403 {
		t.Fatalf("checks:read token wrote a check run: %d", status(resp))
	}
	_, resp, _ = c.PullRequests.Get(ctx, "someone-else", "x", 1)
	if status(resp) != 404 {
		t.Fatalf("other installation's repo: %d", status(resp))
	}
	_, resp, _ = c.PullRequests.Get(ctx, owner, "nope", 1)
	if status(resp) != 404 {
		t.Fatalf("unknown repo: %d", status(resp))
	}
	// asking for more than granted
	_, resp, _ = app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{
		Permissions: &github.InstallationPermissions{Administration: github.String("write")}})
	if status(resp) != 422 {
		t.Fatalf("over-broad permissions: %d", status(resp))
	}
	_, resp, _ = app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{Repositories: []string{"x"}})
	if status(resp) != 422 {
		t.Fatalf("foreign repo narrowing: %d", status(resp))
	}
	ids := []int64{f.RepoID(owner, "other")}
	tok2, _, err := app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{RepositoryIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tokenClient(t, f, tok2.GetToken()).PullRequests.Get(ctx, owner, "other", 1); err != nil {
		t.Fatal(err)
	}
	// no auth, bad token
	r, _ := rawDo(t, "GET", f.URL()+"repos/acme/web/pulls/1", "", nil)
	if r.StatusCode != 401 {
		t.Fatalf("no auth: %d", r.StatusCode)
	}
	r, _ = rawDo(t, "GET", f.URL()+"repos/acme/web/pulls/1", "token ghs_bogus", nil)
	if r.StatusCode != 401 {
		t.Fatalf("bad token: %d", r.StatusCode)
	}
	r, _ = rawDo(t, "GET", f.URL()+"repos/acme/web/pulls/1", "Bearer "+tok.GetToken(), nil)
	if r.StatusCode != 200 {
		t.Fatalf("Bearer token: %d", r.StatusCode)
	}
	// a JWT on an installation endpoint is refused, a token on a JWT endpoint too
	jwtStr, err := f.SignJWT(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ = rawDo(t, "GET", f.URL()+"repos/acme/web/pulls/1", "Bearer "+jwtStr, nil); r.StatusCode != 401 {
		t.Fatalf("jwt on repo endpoint: %d", r.StatusCode)
	}
	if r, _ = rawDo(t, "GET", f.URL()+"app", "token "+tok.GetToken(), nil); r.StatusCode != 401 {
		t.Fatalf("token on app endpoint: %d", r.StatusCode)
	}
	// expiry after one hour
	later := now.Add(61 * time.Minute)
	clock = func() time.Time { return later }
	_, resp, err = c.PullRequests.Get(ctx, owner, repoN, 1)
	var er *github.ErrorResponse
	if status(resp) != 401 || !errors.As(err, &er) || er.Message != "Bad credentials" {
		t.Fatalf("expired token: %d %v", status(resp), err)
	}
}
