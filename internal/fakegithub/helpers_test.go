package fakegithub_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

const (
	instID = int64(4242)
	owner  = "acme"
	repoN  = "web"
)

var baseFiles = map[string][]byte{
	"README.md":         []byte("# web\n"),
	"src/middleware.ts": []byte("import { clerkMiddleware } from '@clerk/nextjs/server'\n\nexport default clerkMiddleware()\n\nexport const config = {\n  matcher: ['/((?!_next).*)'],\n}\n"),
	"src/app/api/a/route.ts": []byte(strings.Join([]string{
		"import { auth } from '@clerk/nextjs/server'", "", "export async function GET() {", "  const { userId } = await auth()",
		"  if (!userId) return new Response('no', { status: 401 })", "  return Response.json({ ok: true })", "}",
		"", "// filler 1", "// filler 2", "// filler 3", "// filler 4", "// filler 5", "// filler 6", "// filler 7",
		"export async function POST() {", "  return Response.json({ ok: true })", "}", ""}, "\n")),
	"old/name.ts":    []byte("export const moved = true\n"),
	"gone.txt":       []byte("bye\n"),
	"img/logo.png":   {0x89, 'P', 'N', 'G', 0, 1, 2, 3},
	"bin/run.sh":     []byte("#!/bin/sh\necho hi\n"),
	"vendor/clerk":   []byte("1111111111111111111111111111111111111111"),
	"link-to-readme": []byte("README.md"),
}

func headFiles() map[string][]byte {
	h := map[string][]byte{}
	for k, v := range baseFiles {
		h[k] = v
	}
	delete(h, "gone.txt")
	delete(h, "old/name.ts")
	h["new/name.ts"] = baseFiles["old/name.ts"]
	h["src/app/api/a/route.ts"] = []byte(strings.Replace(string(baseFiles["src/app/api/a/route.ts"]),
		"export async function POST() {\n", "export async function POST() {\n  // TODO: auth\n", 1))
	h["src/app/api/b/route.ts"] = []byte("export async function GET() {\n  return Response.json({ secret: process.env.CLERK_SECRET_KEY })\n}")
	h["img/logo.png"] = []byte{0x89, 'P', 'N', 'G', 0, 9, 9, 9}
	h["vendor/clerk"] = []byte("2222222222222222222222222222222222222222")
	return h
}

var kinds = map[string]fakegithub.FileKind{
	"bin/run.sh": fakegithub.KindRegular, "vendor/clerk": fakegithub.KindSubmodule, "link-to-readme": fakegithub.KindSymlink,
}

type env struct {
	fake   *fakegithub.Server
	client *github.Client // installation-token client (ghinstallation)
	app    *github.Client // JWT client
	ctx    context.Context
}

func newFake(t *testing.T, opts fakegithub.Options) *fakegithub.Server {
	t.Helper()
	f, err := fakegithub.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// setup starts a fake with one installation, one repo and PR #7.
func setup(t *testing.T, opts fakegithub.Options) *env {
	t.Helper()
	f := newFake(t, opts)
	f.AddInstallation(instID, owner)
	f.AddRepo(owner, repoN, instID, "main")
	f.AddRepo(owner, "other", instID, "main")
	if err := f.AddPR(owner, repoN, fakegithub.PR{Number: 7, HeadRef: "feat", BaseFiles: baseFiles, HeadFiles: headFiles(), Kinds: kinds}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return &env{fake: f, client: instClient(t, f, instID), app: appClient(t, f), ctx: ctx}
}

func enterprise(t *testing.T, c *github.Client, f *fakegithub.Server) *github.Client {
	t.Helper()
	u, err := url.Parse(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL, c.UploadURL = u, u
	return c
}

func instClient(t *testing.T, f *fakegithub.Server, id int64) *github.Client {
	t.Helper()
	tr, err := ghinstallation.New(http.DefaultTransport, f.AppID(), id, f.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = strings.TrimSuffix(f.URL(), "/")
	return enterprise(t, github.NewClient(&http.Client{Transport: tr}), f)
}

func appClient(t *testing.T, f *fakegithub.Server) *github.Client {
	t.Helper()
	tr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, f.AppID(), f.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = strings.TrimSuffix(f.URL(), "/")
	return enterprise(t, github.NewClient(&http.Client{Transport: tr}), f)
}

// tokenClient is a go-github client with a fixed token.
func tokenClient(t *testing.T, f *fakegithub.Server, token string) *github.Client {
	t.Helper()
	return enterprise(t, github.NewClient(nil).WithAuthToken(token), f)
}

func noViolations(t *testing.T, f *fakegithub.Server) {
	t.Helper()
	for _, v := range f.Violations() {
		t.Errorf("violation: %s", v)
	}
}

func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}
