package server_test

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// reviewRequests counts every request a review made for installation
// inst: its own (installation token) and the token it minted (JWT).
func reviewRequests(gh *fakegithub.Server, inst int64) (int, []string) {
	n := 0
	var ops []string
	for _, r := range gh.Requests() {
		if r.InstallationID == inst || (r.OperationID == "apps/create-installation-access-token" && r.Path == fmt.Sprintf("/app/installations/%d/access_tokens", inst)) {
			n++
			ops = append(ops, r.OperationID)
		}
	}
	sort.Strings(ops)
	return n, ops
}

// changedFiles is baseFiles plus an unguarded route and n-1 changed files
// of ordinary code.
func changedFiles(n int) map[string][]byte {
	head := with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected})
	for i := 1; i < n; i++ {
		head[fmt.Sprintf("src/lib/util%03d.ts", i)] = []byte(fmt.Sprintf("export const u%d = %d\n", i, i))
	}
	return head
}

// pathProtectedBase protects /api by path in the middleware, and has a
// route that relies on it alone.
var pathProtectedBase = with(baseFiles, map[string]string{
	"middleware.ts": `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'

const isProtected = createRouteMatcher(['/api/(.*)'])

export default clerkMiddleware(async (auth, req) => {
  if (isProtected(req)) await auth.protect()
})

export const config = { matcher: ['/((?!_next|.*\\..*).*)', '/(api|trpc)(.*)'] }
`,
	"app/api/admin/route.ts": "import { db } from '@/lib/db'\n\nexport async function DELETE() {\n  return Response.json(await db.profile.findMany())\n}\n",
})

// TestRequestsPerReview (issue 14 point 1): a 10-file review costs at most
// 8 GitHub requests, its token included, and at most one more per
// additional 50 changed files, also when review mode compares the routes'
// protection with the base: here the pull request drops the middleware's
// path protection, the base's middleware is rebuilt from the diff (its
// blob SHA checked) and the route that relied on it is reported as
// regressed.
func TestRequestsPerReview(t *testing.T) {
	for _, tc := range []struct {
		n           int
		base        map[string][]byte
		wantFinding string
	}{{10, baseFiles, ""}, {100, baseFiles, ""}, {10, pathProtectedBase, "CLK-RP-020"}, {100, pathProtectedBase, "CLK-RP-020"}} {
		n := tc.n
		// A server each: its blob cache must not serve one review's reads
		// to the other.
		gh := apptest.Fake(t, fakegithub.Options{})
		h := startOn(t, gh, map[string]string{"CLERKGUARD_SWEEP_INTERVAL": "0"})
		inst := int64(1)
		owner := fmt.Sprintf("org%d", inst)
		gh.AddInstallation(inst, owner)
		gh.AddRepo(owner, "shop", inst, "main")
		// The head's middleware is baseFiles' (no path protection).
		headFiles := changedFiles(n)
		for p, c := range tc.base {
			if _, ok := headFiles[p]; !ok {
				headFiles[p] = c
			}
		}
		if err := gh.AddPR(owner, "shop", fakegithub.PR{Number: 1, BaseFiles: tc.base, HeadFiles: headFiles}); err != nil {
			t.Fatal(err)
		}
		head, _ := gh.HeadSHA(owner, "shop", 1)
		h.deliver("pull_request", h.prPayload("opened", owner, "shop", 1, inst))
		cr := h.waitCompleted(owner, "shop", head, 1)[0]
		if cr.Conclusion != "failure" {
			t.Errorf("%d files: conclusion %q", n, cr.Conclusion)
		}
		if tc.wantFinding != "" {
			found := false
			for _, a := range cr.Annotations {
				found = found || strings.Contains(a.Title, tc.wantFinding)
			}
			if !found {
				t.Errorf("%d files: no %s annotation (the base was not compared): %+v", n, tc.wantFinding, cr.Annotations)
			}
		}
		total, ops := reviewRequests(gh, inst)
		limit := 8 + (n-10+49)/50
		t.Logf("%d changed files, middleware %s: %d requests %v", n, map[bool]string{true: "changed from path protection", false: "unchanged"}[tc.wantFinding != ""], total, ops)
		if total > limit {
			t.Errorf("%d changed files cost %d requests, want at most %d: %v", n, total, limit, ops)
		}
		checkRequestMetric(t, h, total)
		h.assertClean()
	}
}

// checkRequestMetric waits until the metrics hold the review's request
// count and the queue's depth with the review's job done (the job ends
// after the check run completes).
func checkRequestMetric(t *testing.T, h *harness, total int) {
	t.Helper()
	want := []string{"clerkguard_review_github_requests_count 1\n", fmt.Sprintf("clerkguard_review_github_requests_sum %d\n", total),
		`clerkguard_queue_jobs{state="running"} 0` + "\n", `clerkguard_queue_jobs{state="completed"} 1` + "\n"}
	var body []byte
	missing := ""
	apptest.Until(t, "the review's metrics", func() bool {
		resp, err := http.Get(h.base + "/metrics")
		if err != nil {
			missing = err.Error()
			return false
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		missing = ""
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				missing = w
			}
		}
		return missing == ""
	}, func() string {
		return fmt.Sprintf("metrics lack %q:\n%s", missing, grepLines(string(body), "clerkguard_"))
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
