package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// adminRoute is a second unguarded route handler.
const adminRoute = `import { db } from '@/lib/db'

export async function DELETE() {
  await db.user.deleteMany()
  return Response.json({ ok: true })
}
`

// padded returns baseFiles plus three real findings and n filler files
// that sort before them (so GitHub's files API, which lists at most 3,000
// files in path order, would list only filler). salt makes the filler's
// blobs differ between pull requests.
func padded(n int, salt string) map[string][]byte {
	head := with(baseFiles, map[string]string{
		"app/api/invoices/route.ts": unprotected,
		"app/api/admin/route.ts":    adminRoute,
		"lib/clerk.ts":              leakyClient,
	})
	for i := 1; i <= n; i++ {
		head[fmt.Sprintf("_filler/f%04d.ts", i)] = []byte(fmt.Sprintf("export const f%d = '%s'\n", i, salt))
	}
	return head
}

// requestsOf counts the requests an installation made (installation token),
// by operation.
func requestsOf(gh *fakegithub.Server, inst int64) (int, map[string]int) {
	by := map[string]int{}
	n := 0
	for _, r := range gh.Requests() {
		if r.InstallationID == inst {
			n++
			by[r.OperationID]++
		}
	}
	return n, by
}

// startBudget starts the App with a review budget of maxFiles files.
func startBudget(t *testing.T, maxFiles int) *harness {
	t.Helper()
	gh := apptest.Fake(t, fakegithub.Options{})
	// No stuck-run sweep: its requests would be counted with the review's.
	return startOn(t, gh, map[string]string{"CLERKGUARD_REVIEW_MAX_FILES": fmt.Sprint(maxFiles), "CLERKGUARD_SWEEP_INTERVAL": "0"})
}

var notAnalysedRe = regexp.MustCompile(`Not analysed \((\d+) file\(s\)\)`)

// TestPaddingCannotPassAReview (issue 9 point 3): three real findings
// hidden behind 3,001 filler files. The review reads the security-relevant
// files first, reports the findings, concludes failure because it could not
// analyse everything, and names what it skipped and why; the same pull
// request gives the same result every time.
func TestPaddingCannotPassAReview(t *testing.T) {
	h := startBudget(t, 200)
	gh := h.gh
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: padded(3001, "")}); err != nil {
		t.Fatal(err)
	}
	head, _ := gh.HeadSHA("acme", "shop", 1)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
	cr := h.waitCompleted("acme", "shop", head, 1)[0]
	if cr.Conclusion != "failure" {
		t.Errorf("conclusion %q, want failure: a padded pull request must not pass", cr.Conclusion)
	}
	titles := annotationTitles(cr)
	if strings.Count(titles, "CLK-RP-003") < 2 || !strings.Contains(titles, "CLK-SEC-004") {
		t.Errorf("annotations %s: the three real findings are missing", titles)
	}
	for _, p := range []string{"app/api/invoices/route.ts", "app/api/admin/route.ts", "lib/clerk.ts"} {
		found := false
		for _, a := range cr.Annotations {
			found = found || a.Path == p
		}
		if !found {
			t.Errorf("no annotation on %s", p)
		}
	}
	sum := cr.Output.Summary
	m := notAnalysedRe.FindStringSubmatch(sum)
	if !strings.Contains(sum, "Partial review") || m == nil {
		t.Fatalf("summary does not say the review is partial and what it skipped:\n%.2000s", sum)
	}
	// 3,001 filler files, 3 findings and the two context files wanted; 200
	// analysed; lib/db.ts (imported by the routes) did not fit either, nor
	// did the unchanged route the model asked for as context (whether the
	// routes' records are served publicly elsewhere): it is named, not
	// silently left out.
	if m[1] != "2808" {
		t.Errorf("%s files reported not analysed, want 2808", m[1])
	}
	if !strings.Contains(sum, "not read: the review budget was used (1 file(s)):\n\n- `app/api/me/route.ts`") {
		t.Errorf("the context file the budget refused is not named:\n%.3000s", sum)
	}
	// middleware.ts, the two routes, package.json and lib/clerk.ts come
	// first; 195 filler files fill the budget.
	if !strings.Contains(sum, "not analysed: the review budget (200 files / 32 MiB) went to higher-priority files (2806 file(s)):\n\n- `_filler/f0196.ts`") {
		t.Errorf("the first skipped file is not named with its reason:\n%.3000s", sum)
	}
	if !strings.Contains(sum, "not analysed: imported by a changed file, but the review budget (200 files / 32 MiB) was used (1 file(s)):\n\n- `lib/db.ts`") ||
		!strings.Contains(sum, "not read: the review budget was used (1 file(s)):\n\n- `app/api/me/route.ts`") {
		t.Errorf("the skipped helper is not named before the long list:\n%.3000s", sum)
	}
	if strings.Contains(sum+cr.Output.Text, "`_filler/f0195.ts`") {
		t.Error("an analysed file is listed as skipped")
	}
	if !strings.Contains(cr.Output.Text, "- `_filler/f3001.ts`") {
		t.Errorf("the check's text does not hold the full list of skipped files (%d bytes)", len(cr.Output.Text))
	}
	if len(sum) > 65535 || len(cr.Output.Text) > 65535 {
		t.Errorf("summary %d / text %d bytes: above GitHub's 65,535", len(sum), len(cr.Output.Text))
	}

	// The same pull request, reviewed again, gives the same review.
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 2, BaseFiles: baseFiles, HeadFiles: padded(3001, ""), HeadRef: "again", HeadSHA: "c0ffee0000000000000000000000000000000002"}); err != nil {
		t.Fatal(err)
	}
	head2, _ := gh.HeadSHA("acme", "shop", 2)
	if head2 == head {
		t.Fatal("the fake gave both PRs the same head")
	}
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 2, 1))
	cr2 := h.waitCompleted("acme", "shop", head2, 1)[0]
	if cr2.Output.Summary != strings.ReplaceAll(sum, head, head2) || cr2.Output.Text != cr.Output.Text {
		t.Errorf("the same change reviewed twice gave different summaries")
	}
	h.assertClean()
}

// TestReviewCostIsBounded (issue 9 point 11): a review's requests depend on
// the budget, not on the size of the pull request: 2,500 files cost what
// 1,250 do, a few dozen requests, with blob contents read in batches.
func TestReviewCostIsBounded(t *testing.T) {
	h := startBudget(t, 200)
	gh := h.gh
	cost := map[int]int{}
	for inst, n := range map[int64]int{1: 2500, 2: 1250} {
		owner := fmt.Sprintf("org%d", inst)
		gh.AddInstallation(inst, owner)
		gh.AddRepo(owner, "shop", inst, "main")
		if err := gh.AddPR(owner, "shop", fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: padded(n, owner)}); err != nil {
			t.Fatal(err)
		}
		head, _ := gh.HeadSHA(owner, "shop", 1)
		h.deliver("pull_request", h.prPayload("opened", owner, "shop", 1, inst))
		cr := h.waitCompleted(owner, "shop", head, 1)[0]
		if cr.Conclusion != "failure" || !strings.Contains(annotationTitles(cr), "CLK-SEC-004") {
			t.Errorf("%d files: conclusion %q, annotations %s", n, cr.Conclusion, annotationTitles(cr))
		}
		total, by := requestsOf(gh, inst)
		t.Logf("%d files: %d requests %v", n, total, by)
		cost[n] = total
		if total > 20 {
			t.Errorf("%d files cost %d requests, want at most 20", n, total)
		}
		if by["git/get-blob"] > 0 {
			t.Errorf("%d blobs read one request each; text blobs are read in batches", by["git/get-blob"])
		}
		if by["graphql"] > 200/50+2 {
			t.Errorf("%d GraphQL requests for a 200-file budget", by["graphql"])
		}
	}
	if cost[2500] != cost[1250] {
		t.Errorf("2,500 files cost %d requests, 1,250 cost %d: the cost must not grow with the files beyond the budget", cost[2500], cost[1250])
	}
	h.assertClean()
}

// TestLargePullRequestAgainstAMovedBase: GitHub's base.sha is the base
// branch's tip, which moves on after the head branched off. When GitHub
// refuses the diff (over 300 files) the review compares trees against the
// merge base, as GitHub's diff does: files changed only on the base branch
// are not part of the pull request, and an old version of them in the head
// is not a finding of this change.
func TestLargePullRequestAgainstAMovedBase(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	// The base branch removed an unguarded legacy route after the head
	// branched off; the head still has it, untouched.
	mergeBase := with(baseFiles, map[string]string{"app/api/legacy/route.ts": unprotected})
	tip := with(baseFiles, nil)
	for i := 1; i <= 400; i++ {
		tip[fmt.Sprintf("main/m%03d.ts", i)] = []byte(fmt.Sprintf("export const m%d = %d\n", i, i))
	}
	head := with(mergeBase, nil)
	for i := 1; i <= 310; i++ {
		head[fmt.Sprintf("feature/f%03d.ts", i)] = []byte(fmt.Sprintf("export const f%d = %d\n", i, i))
	}
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: mergeBase, BaseTipFiles: tip, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	sha, _ := gh.HeadSHA("acme", "shop", 1)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
	cr := h.waitCompleted("acme", "shop", sha, 1)[0]
	if cr.Conclusion != "success" {
		t.Errorf("conclusion %q, want success: the change adds only clean files\n%s", cr.Conclusion, cr.Output.Summary)
	}
	if strings.Contains(cr.Output.Summary, "legacy") || strings.Contains(cr.Output.Summary, "main/m") {
		t.Errorf("the summary counts base-branch changes as this change's:\n%.2000s", cr.Output.Summary)
	}
	h.assertClean()
}

// TestTruncatedTree: above GitHub's recursive listing limit the review
// walks the trees, descending only into directories that changed, and
// still finds every changed file.
func TestTruncatedTree(t *testing.T) {
	h := startWith(t, fakegithub.Options{MaxTreeEntries: 40})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	base := with(baseFiles, nil)
	for d := 0; d < 30; d++ {
		for f := 0; f < 5; f++ {
			base[fmt.Sprintf("pkg%02d/src/f%d.ts", d, f)] = []byte(fmt.Sprintf("export const x = %d\n", d*10+f))
		}
	}
	head := with(base, map[string]string{"zz/app/api/invoices/route.ts": unprotected, "zz/package.json": `{"name":"zz","dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`})
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: base, HeadFiles: head, DiffTooLarge: true}); err != nil {
		t.Fatal(err)
	}
	sha, _ := gh.HeadSHA("acme", "shop", 1)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
	cr := h.waitCompleted("acme", "shop", sha, 1)[0]
	if cr.Conclusion != "failure" || !strings.Contains(annotationTitles(cr), "CLK-RP-003") {
		t.Errorf("conclusion %q, annotations %s: the route beyond the truncated listing was missed\n%s", cr.Conclusion, annotationTitles(cr), cr.Output.Summary)
	}
	_, by := requestsOf(gh, 1)
	if by["git/get-tree"] > 2+8 {
		t.Errorf("%d tree listings: the walk must descend only into changed directories", by["git/get-tree"])
	}
	h.assertClean()
}

// TestSkippedFindingIsNotCalledFixed: padding a pull request until a file
// with an open finding falls outside the budget does not make clerkguard
// call the finding fixed or resolve its thread.
func TestSkippedFindingIsNotCalledFixed(t *testing.T) {
	h := startBudget(t, 50)
	gh := h.gh
	gh.AddInstallation(1, "acme")
	gh.AddRepo("acme", "shop", 1, "main")
	// Ordinary code, read after the filler that sorts before it.
	head1 := with(baseFiles, map[string]string{"src/components/clerk.ts": leakyClient})
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 1, BaseFiles: baseFiles, HeadFiles: head1}); err != nil {
		t.Fatal(err)
	}
	sha1, _ := gh.HeadSHA("acme", "shop", 1)
	h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 1, 1))
	if cr := h.waitCompleted("acme", "shop", sha1, 1)[0]; cr.Conclusion != "failure" {
		t.Fatalf("first review: %q", cr.Conclusion)
	}
	if c := gh.ReviewComments("acme", "shop", 1); len(c) == 0 {
		t.Fatal("no inline comment on the first review")
	}
	head2 := with(head1, nil)
	for i := 1; i <= 80; i++ {
		head2[fmt.Sprintf("_filler/f%03d.ts", i)] = []byte(fmt.Sprintf("export const f%d = %d\n", i, i))
	}
	sha2, err := gh.Push("acme", "shop", 1, "", head2)
	if err != nil {
		t.Fatal(err)
	}
	h.deliver("pull_request", h.prPayload("synchronize", "acme", "shop", 1, 1))
	cr := h.waitCompleted("acme", "shop", sha2, 1)[0]
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "`src/components/clerk.ts`") {
		t.Errorf("padded push: %q, and the skipped file must be named:\n%.1500s", cr.Conclusion, cr.Output.Summary)
	}
	for _, c := range gh.ReviewComments("acme", "shop", 1) {
		if strings.Contains(c.Body, "Fixed in") {
			t.Errorf("the unanalysed finding was called fixed: %q", c.Body)
		}
	}
	for _, th := range gh.ReviewThreads("acme", "shop", 1) {
		if th.Resolved {
			t.Error("the unanalysed finding's thread was resolved")
		}
	}
	h.assertClean()
}
