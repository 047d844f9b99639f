package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ReviewComment is an inline (or file-level) review comment on a PR.
type ReviewComment struct {
	ID               int64
	NodeID           string
	ReviewID         int64
	InReplyTo        int64 // 0 for a thread's first comment
	Path             string
	Line             int // 0 for file-level comments
	StartLine        int
	Side             string
	StartSide        string
	SubjectType      string // "line" or "file"
	OriginalPosition int
	CommitID         string
	Body             string
	User             string
	DiffHunk         string
	// Minimized is the minimize classifier (lower case), "" when not minimized.
	Minimized string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Review is a submitted (or pending) PR review.
type Review struct {
	ID          int64
	NodeID      string
	User        string
	Body        string
	State       string // COMMENTED, APPROVED, CHANGES_REQUESTED, PENDING
	CommitID    string
	SubmittedAt time.Time
	Comments    []ReviewComment
	// Implicit is true for the review GitHub creates around a single comment.
	Implicit bool
}

// IssueComment is a conversation comment on a PR.
type IssueComment struct {
	ID        int64
	NodeID    string
	Body      string
	User      string
	CreatedAt time.Time
}

// Reviews returns a PR's reviews, oldest first.
func (s *Server) Reviews(owner, repo string, pr int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, repo, pr)
	if err != nil {
		return nil
	}
	out := make([]Review, 0, len(p.reviews))
	for _, r := range p.reviews {
		c := *r
		c.Comments = append([]ReviewComment(nil), r.Comments...)
		out = append(out, c)
	}
	return out
}

// ReviewComments returns a PR's review comments, oldest first.
func (s *Server) ReviewComments(owner, repo string, pr int) []ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, repo, pr)
	if err != nil {
		return nil
	}
	out := make([]ReviewComment, 0, len(p.comments))
	for _, c := range p.comments {
		out = append(out, *c)
	}
	return out
}

// IssueComments returns a PR's conversation comments, oldest first.
func (s *Server) IssueComments(owner, repo string, pr int) []IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, repo, pr)
	if err != nil {
		return nil
	}
	out := make([]IssueComment, 0, len(p.issueComments))
	for _, c := range p.issueComments {
		out = append(out, *c)
	}
	return out
}

// AddReviewComment adds a review comment as another user (e.g. a human reply), for
// tests. inReplyTo 0 starts a new thread on path/line (RIGHT side). It returns the ID.
func (s *Server) AddReviewComment(owner, repo string, pr int, user, path string, line int, body string, inReplyTo int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, repo, pr)
	if err != nil {
		return 0, err
	}
	c := &ReviewComment{ID: s.state.newID(), Path: path, Line: line, Side: "RIGHT", SubjectType: "line",
		CommitID: p.head.commitSHA, Body: body, User: user, CreatedAt: s.now().UTC(), UpdatedAt: s.now().UTC()}
	if inReplyTo != 0 {
		parent := findComment(p, inReplyTo)
		if parent == nil {
			return 0, fmt.Errorf("fakegithub: no review comment %d", inReplyTo)
		}
		inheritAnchor(c, parent)
	} else if fd := s.diffLocked(p).byPath[path]; fd != nil {
		c.DiffHunk = fd.diffHunkUpTo("RIGHT", line)
		c.OriginalPosition = fd.positionOf("RIGHT", line)
	}
	c.NodeID = nodeID("PRRC", c.ID)
	rv := &Review{ID: s.state.newID(), User: user, State: "COMMENTED", CommitID: c.CommitID, SubmittedAt: c.CreatedAt, Implicit: true}
	rv.NodeID = nodeID("PRR", rv.ID)
	c.ReviewID = rv.ID
	rv.Comments = []ReviewComment{*c}
	p.reviews = append(p.reviews, rv)
	p.comments = append(p.comments, c)
	return c.ID, nil
}

func findComment(p *pullRequest, id int64) *ReviewComment {
	for _, c := range p.comments {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// rootOf returns the thread root's ID of a comment.
func rootOf(p *pullRequest, c *ReviewComment) int64 {
	for c.InReplyTo != 0 {
		parent := findComment(p, c.InReplyTo)
		if parent == nil {
			break
		}
		c = parent
	}
	return c.ID
}

func inheritAnchor(c, parent *ReviewComment) {
	c.InReplyTo = parent.ID
	c.Path, c.Line, c.StartLine, c.Side, c.StartSide = parent.Path, parent.Line, parent.StartLine, parent.Side, parent.StartSide
	c.SubjectType, c.OriginalPosition, c.DiffHunk, c.CommitID = parent.SubjectType, parent.OriginalPosition, parent.DiffHunk, parent.CommitID
}

// AnchorRejections returns every review or review comment rejected because an anchor
// was not part of the PR's diff.
func (s *Server) AnchorRejections() []AnchorRejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AnchorRejection(nil), s.state.anchorRejections...)
}

func (c *reqCtx) pr() *pullRequest {
	n, err := strconv.Atoi(c.params["pull_number"])
	if err != nil {
		n, err = strconv.Atoi(c.params["issue_number"])
	}
	if err != nil {
		return nil
	}
	return c.repo.prs[n]
}

func (s *Server) hGetPull(c *reqCtx) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return
	}
	accept := c.r.Header.Get("Accept")
	if strings.Contains(accept, "application/vnd.github.diff") || strings.Contains(accept, "application/vnd.github.v3.diff") {
		d := s.diffLocked(p)
		if d.tooLarge != "" {
			c.json(http.StatusNotAcceptable, map[string]any{
				"message":           d.tooLarge,
				"errors":            []any{map[string]any{"resource": "PullRequest", "field": "diff", "code": "too_large"}},
				"documentation_url": "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
				"status":            "406",
			})
			return
		}
		c.w.Header().Set("Content-Type", "application/vnd.github.diff; charset=utf-8")
		c.writeHeader(http.StatusOK)
		_, _ = c.w.Write([]byte(d.text))
		return
	}
	if strings.Contains(accept, "application/vnd.github.patch") || strings.Contains(accept, "application/vnd.github.v3.patch") {
		c.errorJSON(http.StatusUnsupportedMediaType, "the fake does not serve the patch media type", docURL(c.rt.op))
		s.state.violations = append(s.state.violations, Violation{Time: s.now(), Kind: "unimplemented", Method: c.r.Method,
			Path: c.r.URL.Path, OperationID: c.rt.op, Message: "media type " + accept})
		return
	}
	c.json(http.StatusOK, s.prJSON(c.repo, p))
}

func (s *Server) diffEntryJSON(r *repo, ref string, fd *fileDiff) map[string]any {
	sha := fd.newSHA
	if fd.status == "removed" {
		sha = zeroSHA
	}
	status := fd.status
	if status == "modified" && fd.oldSHA == fd.newSHA {
		status = "changed"
	}
	m := map[string]any{
		"sha": sha, "filename": fd.path, "status": status,
		"additions": fd.additions, "deletions": fd.deletions, "changes": fd.additions + fd.deletions,
		"blob_url":     fmt.Sprintf("%s/%s/blob/%s/%s", s.htmlBase(), r.fullName(), ref, fd.path),
		"raw_url":      fmt.Sprintf("%s/%s/raw/%s/%s", s.htmlBase(), r.fullName(), ref, fd.path),
		"contents_url": fmt.Sprintf("%srepos/%s/contents/%s?ref=%s", s.URL(), r.fullName(), fd.path, ref),
	}
	if fd.patch != "" && !fd.binary && !fd.omitPatch {
		m["patch"] = strings.TrimSuffix(fd.patch, "\n")
	}
	if fd.oldPath != "" {
		m["previous_filename"] = fd.oldPath
	}
	return m
}

func (s *Server) hListFiles(c *reqCtx) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return
	}
	files := s.diffLocked(p).files
	if len(files) > MaxListFiles {
		files = files[:MaxListFiles]
	}
	lo, hi := c.paginate(len(files))
	out := make([]any, 0, hi-lo)
	for _, fd := range files[lo:hi] {
		out = append(out, s.diffEntryJSON(c.repo, p.head.commitSHA, fd))
	}
	c.json(http.StatusOK, out)
}

type anchorReq struct {
	Path        string `json:"path"`
	Position    *int   `json:"position"`
	Body        string `json:"body"`
	Line        *int   `json:"line"`
	Side        string `json:"side"`
	StartLine   *int   `json:"start_line"`
	StartSide   string `json:"start_side"`
	SubjectType string `json:"subject_type"`
}

// checkAnchor validates one comment anchor against the PR's current diff and returns
// the resolved comment, or GitHub's error message.
func checkAnchor(d *prDiff, a anchorReq) (*ReviewComment, string) {
	fd := d.byPath[a.Path]
	if fd == nil {
		return nil, "Path could not be resolved"
	}
	rc := &ReviewComment{Path: a.Path, Body: a.Body, SubjectType: "line"}
	if a.SubjectType == "file" {
		rc.SubjectType = "file"
		return rc, ""
	}
	const notInDiff = "Pull request review thread line must be part of the diff"
	side, line := a.Side, 0
	var hunkIdx int
	switch {
	case a.Line != nil:
		line = *a.Line
		if side == "" {
			side = "RIGHT"
		}
		m := fd.right
		if side == "LEFT" {
			m = fd.left
		}
		h, ok := m[line]
		if !ok {
			return nil, notInDiff
		}
		hunkIdx = h
	case a.Position != nil:
		sd, ln, h, ok := fd.lineAtPosition(*a.Position)
		if !ok {
			return nil, notInDiff
		}
		side, line, hunkIdx = sd, ln, h
	default:
		return nil, notInDiff
	}
	rc.Line, rc.Side = line, side
	rc.OriginalPosition = fd.positionOf(side, line)
	rc.DiffHunk = fd.diffHunkUpTo(side, line)
	if a.StartLine != nil {
		ss := a.StartSide
		if ss == "" {
			ss = side
		}
		m := fd.right
		if ss == "LEFT" {
			m = fd.left
		}
		h, ok := m[*a.StartLine]
		if !ok {
			return nil, "Pull request review thread start line must be part of the diff"
		}
		if h != hunkIdx {
			return nil, "Pull request review thread start line must be part of the same hunk as the line."
		}
		if ss == side && *a.StartLine >= line {
			return nil, "Pull request review thread start line must precede the end line."
		}
		rc.StartLine, rc.StartSide = *a.StartLine, ss
	}
	return rc, ""
}

func (s *Server) rejectAnchor(c *reqCtx, p *pullRequest, op, commitID string, a anchorReq, msg string) {
	ar := AnchorRejection{Time: s.now(), Owner: c.repo.owner, Repo: c.repo.name, PR: p.spec.Number, Operation: op,
		CommitID: commitID, File: a.Path, Side: a.Side, Message: msg, Body: truncate(a.Body, 2048)}
	if a.Line != nil {
		ar.Line = *a.Line
	} else if a.Position != nil {
		ar.Line = -*a.Position
	}
	if a.StartLine != nil {
		ar.StartLine = *a.StartLine
	}
	s.state.anchorRejections = append(s.state.anchorRejections, ar)
}

func (s *Server) hCreateReview(c *reqCtx) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return
	}
	var req struct {
		CommitID string      `json:"commit_id"`
		Body     string      `json:"body"`
		Event    string      `json:"event"`
		Comments []anchorReq `json:"comments"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
		return
	}
	unprocessable := func(msgs ...string) {
		c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": msgs,
			"documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request", "status": "422"})
	}
	if req.CommitID != "" && !containsStr(p.heads, req.CommitID) {
		unprocessable("Commit is not part of the pull request")
		return
	}
	if (req.Event == "REQUEST_CHANGES" || req.Event == "COMMENT") && req.Body == "" && len(req.Comments) == 0 {
		unprocessable("Review body is required for " + req.Event)
		return
	}
	d := s.diffLocked(p)
	var msgs []string
	var comments []*ReviewComment
	for _, a := range req.Comments {
		if a.SubjectType == "file" {
			// the reviews endpoint has no subject_type; treat like a missing line
			a.SubjectType = ""
		}
		rc, msg := checkAnchor(d, a)
		if msg != "" {
			msgs = append(msgs, msg)
			s.rejectAnchor(c, p, c.rt.op, req.CommitID, a, msg)
			continue
		}
		comments = append(comments, rc)
	}
	if len(msgs) > 0 {
		unprocessable(msgs...)
		return
	}
	commitID := req.CommitID
	if commitID == "" {
		commitID = p.head.commitSHA
	}
	state := map[string]string{"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED", "": "PENDING"}[req.Event]
	now := s.now().UTC()
	rv := &Review{ID: s.state.newID(), User: s.BotLogin(), Body: req.Body, State: state, CommitID: commitID}
	rv.NodeID = nodeID("PRR", rv.ID)
	if state != "PENDING" {
		rv.SubmittedAt = now
	}
	for _, rc := range comments {
		rc.ID = s.state.newID()
		rc.NodeID = nodeID("PRRC", rc.ID)
		rc.ReviewID, rc.CommitID, rc.User, rc.CreatedAt, rc.UpdatedAt = rv.ID, commitID, s.BotLogin(), now, now
		rv.Comments = append(rv.Comments, *rc)
		if state != "PENDING" {
			p.comments = append(p.comments, rc)
		}
	}
	p.reviews = append(p.reviews, rv)
	c.json(http.StatusOK, s.reviewJSON(c.repo, p, rv))
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) reviewJSON(r *repo, p *pullRequest, rv *Review) map[string]any {
	html := fmt.Sprintf("%s/%s/pull/%d#pullrequestreview-%d", s.htmlBase(), r.fullName(), p.spec.Number, rv.ID)
	prURL := fmt.Sprintf("%srepos/%s/pulls/%d", s.URL(), r.fullName(), p.spec.Number)
	m := map[string]any{
		"id": rv.ID, "node_id": rv.NodeID, "user": s.userFor(rv.User), "body": rv.Body, "state": rv.State,
		"html_url": html, "pull_request_url": prURL, "commit_id": rv.CommitID, "author_association": "NONE",
		"_links": map[string]any{"html": map[string]any{"href": html}, "pull_request": map[string]any{"href": prURL}},
	}
	if !rv.SubmittedAt.IsZero() {
		m["submitted_at"] = fmtTime(rv.SubmittedAt)
	}
	return m
}

func (s *Server) reviewCommentJSON(r *repo, p *pullRequest, rc *ReviewComment) map[string]any {
	api := fmt.Sprintf("%srepos/%s/pulls/comments/%d", s.URL(), r.fullName(), rc.ID)
	html := fmt.Sprintf("%s/%s/pull/%d#discussion_r%d", s.htmlBase(), r.fullName(), p.spec.Number, rc.ID)
	prURL := fmt.Sprintf("%srepos/%s/pulls/%d", s.URL(), r.fullName(), p.spec.Number)
	var position any
	var line any
	if rc.SubjectType != "file" {
		line = rc.Line
		if fd := s.diffLocked(p).byPath[rc.Path]; fd != nil {
			if pos := fd.positionOf(rc.Side, rc.Line); pos > 0 && fd.diffHunkUpTo(rc.Side, rc.Line) == rc.DiffHunk {
				position = pos
			}
		}
		if position == nil {
			line = nil // outdated
		}
	}
	m := map[string]any{
		"url": api, "pull_request_review_id": rc.ReviewID, "id": rc.ID, "node_id": rc.NodeID,
		"diff_hunk": rc.DiffHunk, "path": rc.Path, "position": position, "original_position": rc.OriginalPosition,
		"commit_id": p.head.commitSHA, "original_commit_id": rc.CommitID, "user": s.userFor(rc.User), "body": rc.Body,
		"created_at": fmtTime(rc.CreatedAt), "updated_at": fmtTime(rc.UpdatedAt), "html_url": html,
		"pull_request_url": prURL, "author_association": "NONE", "subject_type": rc.SubjectType,
		"_links": map[string]any{"self": map[string]any{"href": api}, "html": map[string]any{"href": html}, "pull_request": map[string]any{"href": prURL}},
		"line":   line, "original_line": nilIfZero(rc.Line), "side": nilIfEmpty(rc.Side),
		"start_line": nilIfZero(rc.StartLine), "original_start_line": nilIfZero(rc.StartLine), "start_side": nilIfEmpty(rc.StartSide),
	}
	if rc.SubjectType == "file" {
		m["original_position"] = nil
		m["original_line"] = nil
	}
	if rc.InReplyTo != 0 {
		m["in_reply_to_id"] = rc.InReplyTo
	}
	// GitHub's schema types these as non-null integers/strings; leave them out rather
	// than send null for file-level and outdated comments.
	for _, k := range []string{"position", "line", "original_line", "original_position", "side"} {
		if m[k] == nil {
			delete(m, k)
		}
	}
	return m
}

func nilIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func (s *Server) hListReviewComments(c *reqCtx) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return
	}
	list := append([]*ReviewComment(nil), p.comments...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	if c.query.Get("direction") == "desc" {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	lo, hi := c.paginate(len(list))
	out := make([]any, 0, hi-lo)
	for _, rc := range list[lo:hi] {
		out = append(out, s.reviewCommentJSON(c.repo, p, rc))
	}
	c.json(http.StatusOK, out)
}

func (s *Server) hCreateReviewComment(c *reqCtx) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return
	}
	var req struct {
		anchorReq
		CommitID  string `json:"commit_id"`
		InReplyTo int64  `json:"in_reply_to"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
		return
	}
	rc := &ReviewComment{}
	if req.InReplyTo != 0 {
		// GitHub's schema requires commit_id and path even here (checked before the
		// handler runs); the reply then takes the parent's anchor and ignores them.
		parent := findComment(p, req.InReplyTo)
		if parent == nil {
			c.notFound()
			return
		}
		inheritAnchor(rc, parent)
		rc.Body = req.Body
	} else {
		if req.CommitID != "" && !containsStr(p.heads, req.CommitID) {
			c.validationFailed("PullRequestReviewComment", "commit_id", "custom", "commit_id is not part of the pull request")
			return
		}
		anchored, msg := checkAnchor(s.diffLocked(p), req.anchorReq)
		if msg != "" {
			s.rejectAnchor(c, p, c.rt.op, req.CommitID, req.anchorReq, msg)
			field := "pull_request_review_thread.line"
			if strings.HasPrefix(msg, "Path") {
				field = "pull_request_review_thread.path"
			}
			c.validationFailed("PullRequestReviewComment", field, "custom", msg)
			return
		}
		rc = anchored
		rc.CommitID = req.CommitID
		if rc.CommitID == "" {
			rc.CommitID = p.head.commitSHA
		}
	}
	s.storeBotComment(c, p, rc)
}

// hCreateReply serves pulls/create-reply-for-review-comment: a reply under the thread
// whose top-level comment is comment_id, anchored where that comment is. GitHub
// documents 201 and 404 only and supports no replies to replies, so a comment_id
// that is not a top-level review comment of this pull request is a 404.
func (s *Server) hCreateReply(c *reqCtx) {
	p, body, ok := c.prAndBody()
	if !ok {
		return
	}
	id, ok := c.intParam("comment_id")
	parent := findComment(p, id)
	if !ok || parent == nil || parent.InReplyTo != 0 {
		c.notFound()
		return
	}
	rc := &ReviewComment{Body: body}
	inheritAnchor(rc, parent)
	s.storeBotComment(c, p, rc)
}

// prAndBody finds the request's pull request and decodes a {"body": ...}
// request; it answers 404 or 400 itself and returns false then.
func (c *reqCtx) prAndBody() (*pullRequest, string, bool) {
	p := c.pr()
	if p == nil {
		c.notFound()
		return nil, "", false
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
		return nil, "", false
	}
	return p, req.Body, true
}

// storeBotComment records rc as a single-comment review by the App's bot user and
// answers 201 with it.
func (s *Server) storeBotComment(c *reqCtx, p *pullRequest, rc *ReviewComment) {
	now := s.now().UTC()
	rc.ID = s.state.newID()
	rc.NodeID = nodeID("PRRC", rc.ID)
	rc.User, rc.CreatedAt, rc.UpdatedAt = s.BotLogin(), now, now
	rv := &Review{ID: s.state.newID(), User: s.BotLogin(), State: "COMMENTED", CommitID: rc.CommitID, SubmittedAt: now, Implicit: true}
	rv.NodeID = nodeID("PRR", rv.ID)
	rc.ReviewID = rv.ID
	rv.Comments = []ReviewComment{*rc}
	p.reviews = append(p.reviews, rv)
	p.comments = append(p.comments, rc)
	c.json(http.StatusCreated, s.reviewCommentJSON(c.repo, p, rc))
}

func (s *Server) hCreateIssueComment(c *reqCtx) {
	p, body, ok := c.prAndBody()
	if !ok {
		return
	}
	now := s.now().UTC()
	ic := &IssueComment{ID: s.state.newID(), Body: body, User: s.BotLogin(), CreatedAt: now}
	ic.NodeID = nodeID("IC", ic.ID)
	p.issueComments = append(p.issueComments, ic)
	c.json(http.StatusCreated, s.issueCommentJSON(c.repo, p, ic))
}

func (s *Server) issueCommentJSON(r *repo, p *pullRequest, ic *IssueComment) map[string]any {
	return map[string]any{
		"id": ic.ID, "node_id": ic.NodeID, "url": fmt.Sprintf("%srepos/%s/issues/comments/%d", s.URL(), r.fullName(), ic.ID),
		"html_url":  fmt.Sprintf("%s/%s/pull/%d#issuecomment-%d", s.htmlBase(), r.fullName(), p.spec.Number, ic.ID),
		"issue_url": fmt.Sprintf("%srepos/%s/issues/%d", s.URL(), r.fullName(), p.spec.Number),
		"body":      ic.Body, "user": s.userFor(ic.User), "created_at": fmtTime(ic.CreatedAt), "updated_at": fmtTime(ic.CreatedAt),
		"author_association": "NONE", "performed_via_github_app": s.appJSON(),
	}
}
