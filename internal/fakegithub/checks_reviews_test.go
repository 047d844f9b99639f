package fakegithub_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func ann(path string, line int) *github.CheckRunAnnotation {
	return &github.CheckRunAnnotation{Path: github.String(path), StartLine: github.Int(line), EndLine: github.Int(line),
		AnnotationLevel: github.String("warning"), Message: github.String("m")}
}

func TestCheckRuns(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	cr, _, err := e.client.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{
		Name: "Clerk security review", HeadSHA: head, Status: github.String("in_progress"), ExternalID: github.String("job-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if cr.GetStatus() != "in_progress" || cr.GetHeadSHA() != head || len(cr.PullRequests) != 1 || cr.PullRequests[0].GetNumber() != 7 {
		t.Fatalf("created %+v", cr)
	}
	var batch1, batch2 []*github.CheckRunAnnotation
	for i := 1; i <= 50; i++ {
		batch1 = append(batch1, ann("src/app/api/a/route.ts", i))
	}
	batch2 = append(batch2, ann("src/middleware.ts", 1), ann("src/middleware.ts", 2))
	if _, _, err := e.client.Checks.UpdateCheckRun(e.ctx, owner, repoN, cr.GetID(), github.UpdateCheckRunOptions{
		Name: "Clerk security review", Output: &github.CheckRunOutput{Title: github.String("t1"), Summary: github.String("s1"), Annotations: batch1}}); err != nil {
		t.Fatal(err)
	}
	upd, _, err := e.client.Checks.UpdateCheckRun(e.ctx, owner, repoN, cr.GetID(), github.UpdateCheckRunOptions{
		Name: "Clerk security review", Conclusion: github.String("neutral"),
		Output: &github.CheckRunOutput{Title: github.String("t2"), Summary: github.String("s2"), Annotations: batch2}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.GetStatus() != "completed" || upd.GetConclusion() != "neutral" || upd.GetOutput().GetAnnotationsCount() != 52 ||
		upd.GetOutput().GetTitle() != "t2" || upd.CompletedAt == nil {
		t.Fatalf("updated %+v", upd)
	}
	runs := e.fake.CheckRuns(owner, repoN)
	if len(runs) != 1 || len(runs[0].Annotations) != 52 || len(runs[0].History) != 3 || runs[0].Output.Summary != "s2" ||
		runs[0].ExternalID != "job-1" || runs[0].History[1].Annotations != 50 || runs[0].History[0].Op != "create" {
		t.Fatalf("introspection %+v", runs)
	}

	// a second run with the same name, another name, then list
	if _, _, err := e.client.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{Name: "Clerk security review", HeadSHA: head}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.client.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{Name: "other", HeadSHA: head}); err != nil {
		t.Fatal(err)
	}
	list, _, err := e.client.Checks.ListCheckRunsForRef(e.ctx, owner, repoN, head, &github.ListCheckRunsOptions{CheckName: github.String("Clerk security review")})
	if err != nil || list.GetTotal() != 1 || list.CheckRuns[0].GetStatus() != "queued" {
		t.Fatalf("latest: %+v %v", list, err)
	}
	list, _, _ = e.client.Checks.ListCheckRunsForRef(e.ctx, owner, repoN, "feat", &github.ListCheckRunsOptions{Filter: github.String("all")})
	if list.GetTotal() != 3 {
		t.Fatalf("all by branch: %d", list.GetTotal())
	}

	// schema violations: completed without conclusion, 51 annotations, unknown SHA
	_, resp, _ := e.client.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{Name: "x", HeadSHA: head, Status: github.String("completed")})
	if status(resp) != 422 {
		t.Fatalf("completed without conclusion: %d", status(resp))
	}
	_, resp, _ = e.client.Checks.UpdateCheckRun(e.ctx, owner, repoN, cr.GetID(), github.UpdateCheckRunOptions{Name: "x",
		Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: append(batch1, ann("a", 1))}})
	if status(resp) != 422 {
		t.Fatalf("51 annotations: %d", status(resp))
	}
	v := e.fake.Violations()
	if len(v) != 2 || v[0].Kind != "schema" || v[0].OperationID != "checks/create" || v[1].OperationID != "checks/update" {
		t.Fatalf("violations %v", v)
	}
	_, resp, _ = e.client.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{Name: "x", HeadSHA: strings.Repeat("a", 40)})
	if status(resp) != 422 {
		t.Fatalf("unknown sha: %d", status(resp))
	}
}

func intp(n int) *int { return &n }

func TestReviewAnchorRule(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	good := &github.DraftReviewComment{Path: github.String("src/app/api/a/route.ts"), Line: intp(17), Side: github.String("RIGHT"), Body: github.String("add auth")}
	ctxLine := &github.DraftReviewComment{Path: github.String("src/app/api/a/route.ts"), Line: intp(18), Body: github.String("context line")}
	multi := &github.DraftReviewComment{Path: github.String("src/app/api/b/route.ts"), StartLine: intp(1), Line: intp(3),
		StartSide: github.String("RIGHT"), Side: github.String("RIGHT"), Body: github.String("multi")}
	rv, _, err := e.client.PullRequests.CreateReview(e.ctx, owner, repoN, 7, &github.PullRequestReviewRequest{
		CommitID: github.String(head), Body: github.String("review"), Event: github.String("COMMENT"),
		Comments: []*github.DraftReviewComment{good, ctxLine, multi}})
	if err != nil {
		t.Fatal(err)
	}
	if rv.GetState() != "COMMENTED" || rv.GetUser().GetLogin() != "clerkguard[bot]" {
		t.Fatalf("review %+v", rv)
	}

	bad := []*github.DraftReviewComment{
		{Path: github.String("src/app/api/a/route.ts"), Line: intp(2), Body: github.String("outside any hunk")},
		{Path: github.String("nope.ts"), Line: intp(1), Body: github.String("unknown path")},
		{Path: github.String("src/app/api/a/route.ts"), Line: intp(16), StartLine: intp(17), StartSide: github.String("RIGHT"), Body: github.String("backwards")},
		{Path: github.String("src/app/api/b/route.ts"), Line: intp(9), Body: github.String("past the end")},
	}
	for i, b := range bad {
		_, resp, err := e.client.PullRequests.CreateReview(e.ctx, owner, repoN, 7, &github.PullRequestReviewRequest{
			CommitID: github.String(head), Event: github.String("COMMENT"), Body: github.String("x"),
			Comments: []*github.DraftReviewComment{good, b}})
		var er *github.ErrorResponse
		if status(resp) != 422 || !errors.As(err, &er) {
			t.Fatalf("bad %d: %d %v", i, status(resp), err)
		}
	}
	rej := e.fake.AnchorRejections()
	if len(rej) != 4 || rej[0].Message != "Pull request review thread line must be part of the diff" || rej[0].Line != 2 {
		t.Fatalf("rejections %+v", rej)
	}
	if n := len(e.fake.ReviewComments(owner, repoN, 7)); n != 3 {
		t.Fatalf("rejected reviews must add nothing; have %d comments", n)
	}
	if n := len(e.fake.Reviews(owner, repoN, 7)); n != 1 {
		t.Fatalf("reviews %d", n)
	}

	// after a push, the old anchor may leave the diff
	h2 := headFiles()
	h2["src/app/api/a/route.ts"] = baseFiles["src/app/api/a/route.ts"]
	if _, err := e.fake.Push(owner, repoN, 7, "", h2); err != nil {
		t.Fatal(err)
	}
	_, resp, _ := e.client.PullRequests.CreateReview(e.ctx, owner, repoN, 7, &github.PullRequestReviewRequest{
		Event: github.String("COMMENT"), Body: github.String("x"), Comments: []*github.DraftReviewComment{good}})
	if status(resp) != 422 || len(e.fake.AnchorRejections()) != 5 {
		t.Fatalf("stale anchor after push: %d", status(resp))
	}
	// listing comments shows the first one as outdated now (position null)
	cs, _, err := e.client.PullRequests.ListComments(e.ctx, owner, repoN, 7, nil)
	if err != nil || len(cs) != 3 {
		t.Fatal(err, len(cs))
	}
	if cs[0].Position != nil || cs[0].GetOriginalLine() != 17 || cs[0].GetPullRequestReviewID() != rv.GetID() || cs[0].GetNodeID() == "" {
		t.Fatalf("outdated comment %+v", cs[0])
	}
	if cs[2].GetStartLine() != 1 || cs[2].GetLine() != 3 || cs[2].Position == nil || !strings.HasPrefix(cs[2].GetDiffHunk(), "@@ -0,0 +1,3 @@") {
		t.Fatalf("multi-line comment %+v", cs[2])
	}
	noViolations(t, e.fake)
}

func TestReviewCommentsRepliesIssueComments(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	var first int64
	for i := 0; i < 35; i++ {
		c, _, err := e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{
			CommitID: github.String(head), Path: github.String("src/app/api/b/route.ts"), Line: github.Int(2), Side: github.String("RIGHT"),
			Body: github.String("c")})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = c.GetID()
		}
	}
	reply, err := ghclient.ReplyToReviewComment(e.ctx, e.client, owner, repoN, 7, first, "thanks")
	if err != nil {
		t.Fatal(err)
	}
	if reply.GetInReplyTo() != first || reply.GetPath() != "src/app/api/b/route.ts" {
		t.Fatalf("reply %+v", reply)
	}
	fileLevel, _, err := e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{
		CommitID: github.String(head), Path: github.String("gone.txt"), SubjectType: github.String("file"), Body: github.String("file")})
	if err != nil || fileLevel.GetSubjectType() != "file" || fileLevel.Line != nil {
		t.Fatalf("file-level %+v %v", fileLevel, err)
	}
	_, resp, _ := e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{
		CommitID: github.String(head), Path: github.String("src/app/api/a/route.ts"), Line: github.Int(1), Body: github.String("x")})
	if status(resp) != 422 || len(e.fake.AnchorRejections()) != 1 {
		t.Fatalf("single comment outside diff: %d", status(resp))
	}
	var all []*github.PullRequestComment
	opt := &github.PullRequestListCommentsOptions{ListOptions: github.ListOptions{PerPage: 10}}
	for {
		cs, r, err := e.client.PullRequests.ListComments(e.ctx, owner, repoN, 7, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
		if r.NextPage == 0 {
			break
		}
		opt.Page = r.NextPage
	}
	if len(all) != 37 || all[35].GetInReplyTo() != first {
		t.Fatalf("listed %d comments", len(all))
	}
	ic, _, err := e.client.Issues.CreateComment(e.ctx, owner, repoN, 7, &github.IssueComment{Body: github.String("summary")})
	if err != nil || ic.GetBody() != "summary" {
		t.Fatal(err)
	}
	if got := e.fake.IssueComments(owner, repoN, 7); len(got) != 1 || got[0].User != "clerkguard[bot]" {
		t.Fatalf("issue comments %+v", got)
	}
	// missing required field -> schema violation
	_, resp, _ = e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{Path: github.String("x"), Body: github.String("no commit id")})
	if status(resp) != 422 || len(e.fake.Violations()) != 1 {
		t.Fatalf("schema: %d %v", status(resp), e.fake.Violations())
	}
}

// TestRepliesEndpoint: replies go through pulls/create-reply-for-review-comment and
// are validated against its schema; the create-comment call without commit_id and
// path (go-github's CreateCommentInReplyTo) is rejected as GitHub's schema rejects it.
func TestRepliesEndpoint(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	root, _, err := e.client.PullRequests.CreateComment(e.ctx, owner, repoN, 7, &github.PullRequestComment{
		CommitID: github.String(head), Path: github.String("src/app/api/b/route.ts"), Line: github.Int(2), Side: github.String("RIGHT"),
		Body: github.String("finding")})
	if err != nil {
		t.Fatal(err)
	}

	// The old call shape: body and in_reply_to only, on the create-comment endpoint.
	_, resp, err := e.client.PullRequests.CreateCommentInReplyTo(e.ctx, owner, repoN, 7, "old shape", root.GetID())
	if err == nil || status(resp) != 422 {
		t.Fatalf("create-comment with in_reply_to and no commit_id/path: status %d, err %v; want 422", status(resp), err)
	}
	vs := e.fake.Violations()
	if len(vs) != 1 || vs[0].Kind != "schema" || vs[0].OperationID != "pulls/create-review-comment" ||
		!strings.Contains(vs[0].Message, "commit_id") || !strings.Contains(vs[0].Message, "path") {
		t.Fatalf("violations %v, want one schema violation naming commit_id and path", vs)
	}

	// The documented endpoint: the reply joins the thread, anchored like its root.
	reply, err := ghclient.ReplyToReviewComment(e.ctx, e.client, owner, repoN, 7, root.GetID(), "fixed")
	if err != nil {
		t.Fatal(err)
	}
	if reply.GetInReplyTo() != root.GetID() || reply.GetPath() != "src/app/api/b/route.ts" || reply.GetLine() != 2 || reply.GetBody() != "fixed" {
		t.Fatalf("reply %+v", reply)
	}
	var served bool
	for _, r := range e.fake.Requests() {
		if r.OperationID == "pulls/create-reply-for-review-comment" && r.Status == 201 {
			served = true
		}
	}
	if !served {
		t.Fatal("the reply was not served as pulls/create-reply-for-review-comment")
	}

	// Replies to replies are not supported, nor are unknown comments: 404 (the only
	// documented error).
	for name, id := range map[string]int64{"reply to a reply": reply.GetID(), "unknown comment": 999999} {
		_, err := ghclient.ReplyToReviewComment(e.ctx, e.client, owner, repoN, 7, id, "x")
		var ge *github.ErrorResponse
		if !errors.As(err, &ge) || ge.Response.StatusCode != 404 {
			t.Errorf("%s: err %v, want 404", name, err)
		}
	}

	// The body is required by the replies schema.
	req, err := e.client.NewRequest("POST", "repos/"+owner+"/"+repoN+"/pulls/7/comments/"+strconv.FormatInt(root.GetID(), 10)+"/replies", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = e.client.Do(e.ctx, req, nil)
	if status(resp) != 422 || err == nil {
		t.Fatalf("reply without body: status %d, want 422", status(resp))
	}
	if vs := e.fake.Violations(); len(vs) != 2 || vs[1].OperationID != "pulls/create-reply-for-review-comment" {
		t.Fatalf("violations %v", vs)
	}
	if n := len(e.fake.ReviewComments(owner, repoN, 7)); n != 2 {
		t.Fatalf("%d review comments, want the root and one reply", n)
	}
}
