package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
)

// The review job's unit tests: the whole job against fakeGitHub, in
// memory, no HTTP.

var shopBase = map[string]string{
	"package.json": `{"name":"shop","dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`,
	"middleware.ts": `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'

const isProtected = createRouteMatcher(['/api/(.*)'])

export default clerkMiddleware(async (auth, req) => {
  if (isProtected(req)) await auth.protect()
})

export const config = { matcher: ['/((?!_next|.*\\..*).*)', '/(api|trpc)(.*)'] }
`,
	"lib/db.ts": "export const db = { order: { findMany: async () => [] } }\n",
	"app/api/orders/route.ts": `import { auth } from '@clerk/nextjs/server'
import { db } from '@/lib/db'

export async function GET() {
  const { userId } = await auth()
  if (!userId) return new Response('Unauthorized', { status: 401 })
  return Response.json(await db.order.findMany())
}
`,
}

// leakyClerk hands the secret key a NEXT_PUBLIC_ name: CLK-SEC findings.
const leakyClerk = `import { createClerkClient } from '@clerk/backend'

export const clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })
`

const safeClerk = `import { createClerkClient } from '@clerk/backend'

export const clerk = createClerkClient({ secretKey: process.env.CLERK_SECRET_KEY })
`

func with(base map[string]string, add map[string]string, del ...string) map[string]string {
	out := map[string]string{}
	for p, c := range base {
		out[p] = c
	}
	for p, c := range add {
		out[p] = c
	}
	for _, p := range del {
		delete(out, p)
	}
	return out
}

func testReviewer(f *fakeGitHub) *Reviewer {
	return &Reviewer{GitHub: f, Rules: all.Rules(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Cache: NewBlobCache(1 << 20)}
}

// completed is the check run's final update.
func (f *fakeGitHub) completed(t *testing.T) github.UpdateCheckRunOptions {
	t.Helper()
	for i := len(f.updates) - 1; i >= 0; i-- {
		if f.updates[i].GetStatus() == "completed" {
			return f.updates[i]
		}
	}
	t.Fatalf("the check run was not completed; calls %v", f.calls)
	return github.UpdateCheckRunOptions{}
}

// plainMiddleware runs Clerk on every request and protects nothing.
const plainMiddleware = `import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware()

export const config = { matcher: ['/((?!_next|.*\\..*).*)', '/(api|trpc)(.*)'] }
`

// TestTenFileReviewRequestPlan: a pull request that changes ten files (a
// new route, a leaked secret key, eight helpers) costs the token and
// seven calls: create the run, the pull request's state with the base's
// configuration, the head tree, the diff, one batch of blobs, the review
// and the run's completion. When the middleware protects routes by path,
// the engine compares the new route's protection with the base's; the
// base is rebuilt from the head and the diff, so that costs nothing more
// (it cost the merge base and the base tree, ten in all, over the budget
// of eight).
func TestTenFileReviewRequestPlan(t *testing.T) {
	for _, tc := range []struct {
		name       string
		middleware string
		want       []string
	}{
		{"middleware without matchers", plainMiddleware,
			[]string{"CreateCheckRun", "PullState", "Tree", "Diff", "Blobs", "CreateReview", "UpdateCheckRun"}},
		{"middleware protecting /api", shopBase["middleware.ts"],
			[]string{"CreateCheckRun", "PullState", "Tree", "Diff", "Blobs", "CreateReview", "UpdateCheckRun"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			base := with(shopBase, map[string]string{"middleware.ts": tc.middleware})
			add := map[string]string{"lib/clerk.ts": leakyClerk,
				"app/api/invoices/route.ts": "import { db } from '@/lib/db'\n\nexport async function GET() {\n  return Response.json(await db.order.findMany())\n}\n"}
			for i := 0; i < 8; i++ {
				add[fmt.Sprintf("src/lib/util%d.ts", i)] = fmt.Sprintf("export const u%d = %d\n", i, i)
			}
			req := f.openPR(base, with(base, add))
			runs := memRuns{}
			if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: runs}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(f.calls, " "); got != strings.Join(tc.want, " ") {
				t.Errorf("calls:\n got %s\nwant %s", got, strings.Join(tc.want, " "))
			}
			if n := f.Requests(); n > 8 {
				t.Errorf("%d requests with the token, want at most 8: %v", n, f.calls)
			}
			if c := f.completed(t); c.GetConclusion() != publish.Failure {
				t.Errorf("conclusion %q, want failure (a high-severity secret finding)", c.GetConclusion())
			}
			if r := runs[req.Key()]; !r.done || r.id != 100 {
				t.Errorf("job store: %+v, want run 100 completed", r)
			}
			// A redelivery finds the run completed in the store and calls nothing.
			f.calls = nil
			if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: runs}); err != nil || len(f.calls) != 0 {
				t.Errorf("redelivery: err %v, calls %v", err, f.calls)
			}
		})
	}
}

// TestInvalidBaseConfigReviewsWithDefaults: an invalid configuration on
// the base is annotated on its file and the review runs with the
// defaults, so the pull request's own finding still fails the check; no
// extra request reads the configuration.
func TestInvalidBaseConfigReviewsWithDefaults(t *testing.T) {
	f := newFake(t)
	base := with(shopBase, map[string]string{rules.ConfigPath: "fail_on: [not, a, severity]\n"})
	req := f.openPR(base, with(base, map[string]string{"lib/clerk.ts": leakyClerk}))
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	c := f.completed(t)
	if c.GetConclusion() != publish.Failure {
		t.Errorf("conclusion %q, want failure from the defaults' fail_on", c.GetConclusion())
	}
	onConfig := false
	for _, a := range c.Output.Annotations {
		onConfig = onConfig || a.GetPath() == rules.ConfigPath
	}
	if !onConfig || !strings.Contains(c.Output.GetSummary(), rules.ConfigPath) {
		t.Errorf("the invalid configuration is not reported on %s: summary %q", rules.ConfigPath, c.Output.GetSummary())
	}
	if n := f.count("File"); n != 0 {
		t.Errorf("%d REST reads of the configuration, want 0 (read with the pull request's state)", n)
	}
}

// TestDeletedFileIsNotRead: a deleted file is part of the change but has
// no content to read or comment on; the review completes.
func TestDeletedFileIsNotRead(t *testing.T) {
	f := newFake(t)
	req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": safeClerk}, "app/api/orders/route.ts"))
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	if c := f.completed(t); c.GetConclusion() != publish.Success {
		t.Errorf("conclusion %q (%s), want success", c.GetConclusion(), c.Output.GetSummary())
	}
	if n := f.count("BlobRaw"); n != 0 {
		t.Errorf("%d raw reads, want 0", n)
	}
	for _, rv := range f.reviews {
		for _, c := range rv.Comments {
			if c.GetPath() == "app/api/orders/route.ts" {
				t.Errorf("a comment on the deleted file: %s", c.GetBody())
			}
		}
	}
}

// TestTooLargePullRequestIsPartial: when GitHub refuses the diff (406,
// too large) the trees are compared instead, and files beyond the review's
// budget are named as skipped; the partial review fails (the pull
// request's size is not an error of the review).
func TestTooLargePullRequestIsPartial(t *testing.T) {
	f := newFake(t)
	add := map[string]string{}
	for i := 0; i < 12; i++ {
		add[fmt.Sprintf("app/api/r%02d/route.ts", i)] = fmt.Sprintf("export async function GET() {\n  return Response.json({ n: %d })\n}\n", i)
	}
	req := f.openPR(shopBase, with(shopBase, add))
	f.fail["Diff"] = httpError(http.StatusNotAcceptable)
	rv := testReviewer(f)
	rv.Budget = Budget{Files: 6, Bytes: 1 << 20}
	if err := rv.Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	if f.count("Compare") != 1 {
		t.Errorf("calls %v: want the trees compared after the refused diff", f.calls)
	}
	c := f.completed(t)
	if c.GetConclusion() != publish.Failure {
		t.Errorf("conclusion %q, want failure for a partial review", c.GetConclusion())
	}
	if s := c.Output.GetSummary(); !strings.Contains(s, "app/api/r11/route.ts") || !strings.Contains(s, "budget") {
		t.Errorf("the summary does not name the skipped files and why:\n%s", s)
	}
}

// TestPublishCommentsAnnotationsAndReplies: the first review comments on
// each finding and annotates the run; after the fix the next head's
// review posts no new comment, replies "fixed" under the thread and
// resolves it.
func TestPublishCommentsAnnotationsAndReplies(t *testing.T) {
	f := newFake(t)
	req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	c := f.completed(t)
	if len(f.reviews) != 1 || len(f.reviews[0].Comments) == 0 || len(c.Output.Annotations) == 0 {
		t.Fatalf("reviews %d, annotations %d", len(f.reviews), len(c.Output.Annotations))
	}
	posted := len(f.reviews[0].Comments)
	for _, cm := range f.reviews[0].Comments {
		if cm.GetPath() != "lib/clerk.ts" || !strings.Contains(cm.GetBody(), "clerkguard:v1 fp=") {
			t.Errorf("comment on %s without a fingerprint: %q", cm.GetPath(), cm.GetBody())
		}
	}
	if f.reviews[0].GetCommitID() != req.HeadSHA {
		t.Errorf("review on %s, want the head", f.reviews[0].GetCommitID())
	}

	// The fix is pushed.
	f.postedAsThreads()
	next := with(shopBase, map[string]string{"lib/clerk.ts": safeClerk})
	f.head = f.addCommit(next)
	f.diff = unifiedDiff(shopBase, next)
	f.calls, f.updates = nil, nil
	req2 := req
	req2.HeadSHA, req2.DeliveryID = f.head, "d2"
	if err := testReviewer(f).Review(context.Background(), req2, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	if c := f.completed(t); c.GetConclusion() != publish.Success {
		t.Errorf("conclusion after the fix %q, want success", c.GetConclusion())
	}
	if len(f.reviews) != 0 {
		t.Errorf("a review posted after the fix: %+v", f.reviews)
	}
	if len(f.replies) != posted || len(f.resolve) != posted {
		t.Errorf("%d replies and %d resolved threads, want %d each", len(f.replies), len(f.resolve), posted)
	}
	for id, body := range f.replies {
		if !strings.Contains(body, publish.FixedMarker) || !strings.Contains(body, short(f.head)) {
			t.Errorf("reply to %d: %q", id, body)
		}
	}
	if n := f.count("ReviewThreads"); n != 0 {
		t.Errorf("%d thread listings, want 0 (the state named the threads)", n)
	}
}

// TestFailureAfterTheLastAttempt: GitHub failing to serve the blobs is
// retried (the run stays in progress) until the last attempt, which
// completes the run by the failure policy with the reason.
func TestFailureAfterTheLastAttempt(t *testing.T) {
	for _, policy := range []string{"", rules.OnErrorFailure} {
		t.Run("policy="+policy, func(t *testing.T) {
			f := newFake(t)
			req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
			f.fail["Blobs"] = httpError(http.StatusBadGateway)
			rv := testReviewer(f)
			rv.OnError = policy
			runs := memRuns{}
			err := rv.Review(context.Background(), req, Attempt{N: 1, Runs: runs})
			var perm *Permanent
			if err == nil || errors.As(err, &perm) || len(f.updates) != 0 {
				t.Fatalf("first attempt: err %v (want a retryable error), %d updates", err, len(f.updates))
			}
			err = rv.Review(context.Background(), req, Attempt{N: 2, Final: true, Runs: runs})
			if err == nil {
				t.Fatal("the last attempt succeeded")
			}
			want := publish.Neutral
			if policy == rules.OnErrorFailure {
				want = publish.Failure
			}
			c := f.completed(t)
			if c.GetConclusion() != want || !strings.Contains(c.Output.GetSummary(), "502") {
				t.Errorf("conclusion %q, summary %q; want %s with the reason", c.GetConclusion(), c.Output.GetSummary(), want)
			}
			if f.count("CreateCheckRun") != 1 {
				t.Errorf("%d check runs created, want 1 (the retry finds it in the store)", f.count("CreateCheckRun"))
			}
		})
	}
}

// TestSupersededHead: a review of a head that is no longer the pull
// request's concludes cancelled without reading the code.
func TestSupersededHead(t *testing.T) {
	f := newFake(t)
	req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
	f.head = f.addCommit(with(shopBase, map[string]string{"lib/clerk.ts": safeClerk}))
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
		t.Fatal(err)
	}
	if c := f.completed(t); c.GetConclusion() != publish.Cancelled {
		t.Errorf("conclusion %q, want cancelled", c.GetConclusion())
	}
	if f.count("Tree")+f.count("Blobs") != 0 {
		t.Errorf("a superseded review read code: %v", f.calls)
	}
}

// lossyRuns is a job store whose process dies between GitHub completing a
// run and the store recording it: the completion is never saved.
type lossyRuns struct{ memRuns }

func (l lossyRuns) SaveCheckRun(ctx context.Context, key string, id int64, completed bool) error {
	if completed {
		return nil
	}
	return l.memRuns.SaveCheckRun(ctx, key, id, completed)
}

// TestRetryKeepsACompletedRun (TestMultiReplicaPostgres's "cancelled"
// head): a replica completes a head's run on GitHub and dies before its
// store records it; the head's review is retried on another replica after
// a newer head was pushed. The retry must find the run completed and
// leave its conclusion, not conclude "superseded" over it.
func TestRetryKeepsACompletedRun(t *testing.T) {
	f := newFake(t)
	req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
	runs := memRuns{}
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: lossyRuns{runs}}); err != nil {
		t.Fatal(err)
	}
	if c := f.completed(t); c.GetConclusion() != publish.Failure {
		t.Fatalf("first execution concluded %q", c.GetConclusion())
	}
	f.head = f.addCommit(with(shopBase, map[string]string{"lib/clerk.ts": safeClerk}))
	f.calls, f.updates = nil, nil
	if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 2, Runs: runs}); err != nil {
		t.Fatal(err)
	}
	if len(f.updates) != 0 || f.runs[0].GetConclusion() != publish.Failure {
		t.Errorf("the retry updated the completed run %d times; its conclusion is %q, want failure", len(f.updates), f.runs[0].GetConclusion())
	}
	if want := "CheckRuns"; strings.Join(f.calls, " ") != want {
		t.Errorf("retry calls %v, want only %s", f.calls, want)
	}
	if r := runs[req.Key()]; !r.done {
		t.Error("the store does not record the completion the retry found")
	}
	// A retry of a run really left in progress goes on with the review.
	f2 := newFake(t)
	req2 := f2.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
	runs2 := memRuns{}
	f2.fail["Blobs"] = httpError(http.StatusBadGateway)
	if err := testReviewer(f2).Review(context.Background(), req2, Attempt{N: 1, Runs: runs2}); err == nil {
		t.Fatal("want the first attempt to fail")
	}
	delete(f2.fail, "Blobs")
	if err := testReviewer(f2).Review(context.Background(), req2, Attempt{N: 2, Runs: runs2}); err != nil {
		t.Fatal(err)
	}
	if c := f2.completed(t); c.GetConclusion() != publish.Failure || f2.count("CreateCheckRun") != 1 {
		t.Errorf("retry of an unfinished run: conclusion %q, %d runs created", c.GetConclusion(), f2.count("CreateCheckRun"))
	}
}

// tokenError is the error go-github returns when the installation token's
// request fails: the transport's *ghinstallation.HTTPError inside the
// client's *url.Error.
func tokenError(code int) error {
	return &url.Error{Op: "Post", URL: "https://api.github.com/repos/acme/shop/check-runs",
		Err: &ghinstallation.HTTPError{Message: fmt.Sprintf("received non 2xx response status %d when fetching the token", code),
			InstallationID: 1, Response: &http.Response{StatusCode: code}}}
}

// TestGoneInstallationIsPermanent: a review for an installation that was
// deleted (its token request answers 404) or suspended (403) fails for
// good on its first attempt instead of being retried; GitHub failing to
// mint the token (502) is retried.
func TestGoneInstallationIsPermanent(t *testing.T) {
	for _, tc := range []struct {
		code      int
		permanent bool
	}{{http.StatusNotFound, true}, {http.StatusForbidden, true}, {http.StatusBadGateway, false}} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			f := newFake(t)
			req := f.openPR(shopBase, with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk}))
			f.fail["CreateCheckRun"] = tokenError(tc.code)
			err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}})
			var perm *Permanent
			if err == nil || errors.As(err, &perm) != tc.permanent {
				t.Errorf("err %v (%T): permanent %v, want %v", err, err, errors.As(err, &perm), tc.permanent)
			}
			if len(f.updates) != 0 {
				t.Errorf("%d check run updates without a check run", len(f.updates))
			}
		})
	}
}

// TestBaseRebuiltFromTheDiff: review mode's base is rebuilt from the head
// and GitHub's diff, with no request, and the engine reaches the verdicts
// it reaches on the listed base tree (the diff refused, so the trees are
// compared): a finding the base already had on a line the pull request
// edits is not new, and the route that relied on the middleware's path
// protection, which the pull request drops, is reported as regressed.
func TestBaseRebuiltFromTheDiff(t *testing.T) {
	base := with(shopBase, map[string]string{"lib/clerk.ts": leakyClerk,
		"app/api/admin/route.ts": "import { db } from '@/lib/db'\n\nexport async function DELETE() {\n  return Response.json(await db.order.findMany())\n}\n"})
	head := with(base, map[string]string{
		"lib/clerk.ts":  strings.Replace(leakyClerk, "SECRET_KEY })", "SECRET_KEY, apiVersion: 'v1' })", 1),
		"middleware.ts": plainMiddleware,
		"lib/db.ts":     "// the data layer\n" + shopBase["lib/db.ts"],
	}, "app/api/orders/route.ts")
	head["app/api/orders/list/route.ts"] = "import { db } from '@/lib/db'\n\nexport async function GET() {\n  return Response.json(await db.order.findMany())\n}\n"
	type outcome struct {
		conclusion  string
		annotations []string
	}
	run := func(refuseDiff bool) (outcome, *fakeGitHub) {
		f := newFake(t)
		req := f.openPR(base, head)
		if refuseDiff {
			f.fail["Diff"] = httpError(http.StatusNotAcceptable)
		}
		if err := testReviewer(f).Review(context.Background(), req, Attempt{N: 1, Runs: memRuns{}}); err != nil {
			t.Fatal(err)
		}
		c := f.completed(t)
		o := outcome{conclusion: c.GetConclusion()}
		for _, a := range c.Output.Annotations {
			o.annotations = append(o.annotations, fmt.Sprintf("%s:%d %s %s", a.GetPath(), a.GetStartLine(), a.GetAnnotationLevel(), a.GetTitle()))
		}
		sort.Strings(o.annotations)
		return o, f
	}
	fromDiff, f := run(false)
	fromTree, _ := run(true)
	if n := f.count("Compare") + f.count("Tree"); n != 1 {
		t.Errorf("calls %v: want the head tree listed and no merge base or base tree", f.calls)
	}
	if fmt.Sprint(fromDiff) != fmt.Sprint(fromTree) {
		t.Errorf("the base rebuilt from the diff and the listed base disagree:\n diff %v\n tree %v", fromDiff, fromTree)
	}
	got := strings.Join(fromDiff.annotations, "\n")
	if !strings.Contains(got, "middleware.ts:3 failure CLK-RP-020") || strings.Contains(got, "lib/clerk.ts") {
		t.Errorf("annotations:\n%s\nwant the admin route's lost protection (CLK-RP-020) and not the base's own finding on lib/clerk.ts", got)
	}
}
