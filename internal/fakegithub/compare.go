package fakegithub

import (
	"fmt"
	"net/http"
	"strings"
)

// MaxCompareFiles is the most files the compare endpoint lists.
const MaxCompareFiles = 300

// mergeBaseLocked finds the merge base of two commits. The fake keeps no commit
// history, so it knows merge bases only through pull requests: a PR's base tip (or
// merge base) and any of its heads meet at the PR's merge base (and the PR is
// returned, for its OmitPatch). Otherwise the base commit itself is the merge base,
// as when the head was branched from it.
func (r *repo) mergeBaseLocked(base, head *snapshot) (*snapshot, *pullRequest) {
	for _, n := range sortedPRNumbers(r) {
		p := r.prs[n]
		if p.baseTip != base && p.base != base {
			continue
		}
		for _, h := range p.heads {
			if h == head.commitSHA {
				return p.base, p
			}
		}
	}
	return base, nil
}

// hCompare serves GET /repos/{owner}/{repo}/compare/{base}...{head}: the merge base,
// and the files changed from the merge base to the head (at most 300), or the diff
// with the diff media type.
func (s *Server) hCompare(c *reqCtx) {
	r := c.repo
	a, b, ok := strings.Cut(c.params["basehead"], "...")
	if !ok {
		c.notFound()
		return
	}
	base, head := r.resolveRef(a), r.resolveRef(b)
	if base == nil || head == nil {
		c.notFound()
		return
	}
	mb, pr := r.mergeBaseLocked(base, head)
	omit := map[string]bool{}
	if pr != nil {
		for _, o := range pr.spec.OmitPatch {
			omit[o] = true
		}
	}
	d := computeDiff(mb, head, omit)
	accept := c.r.Header.Get("Accept")
	if strings.Contains(accept, "application/vnd.github.diff") || strings.Contains(accept, "application/vnd.github.v3.diff") {
		c.w.Header().Set("Content-Type", "application/vnd.github.diff; charset=utf-8")
		c.writeHeader(http.StatusOK)
		_, _ = c.w.Write([]byte(d.text))
		return
	}
	files := make([]any, 0, min(len(d.files), MaxCompareFiles))
	for i, fd := range d.files {
		if i >= MaxCompareFiles {
			break
		}
		files = append(files, s.diffEntryJSON(r, head.commitSHA, fd))
	}
	status, ahead, behind := "identical", 0, 0
	if head != mb {
		ahead = 1
	}
	if base != mb {
		behind = 1
	}
	switch {
	case ahead > 0 && behind > 0:
		status = "diverged"
	case ahead > 0:
		status = "ahead"
	case behind > 0:
		status = "behind"
	}
	commits := []any{}
	if ahead > 0 {
		commits = append(commits, s.commitJSON(r, head))
	}
	html := fmt.Sprintf("%s/%s/compare/%s...%s", s.htmlBase(), r.fullName(), a, b)
	c.json(http.StatusOK, map[string]any{
		"url":      fmt.Sprintf("%srepos/%s/compare/%s...%s", s.URL(), r.fullName(), a, b),
		"html_url": html, "permalink_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch",
		"base_commit": s.commitJSON(r, base), "merge_base_commit": s.commitJSON(r, mb),
		"status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
		"commits": commits, "files": files,
	})
}

// commitJSON is a commit object as the commits and compare endpoints return it. The
// fake keeps no history, so parents are empty.
func (s *Server) commitJSON(r *repo, snap *snapshot) map[string]any {
	api := s.URL() + "repos/" + r.fullName()
	who := map[string]any{"name": "octocat", "email": "octocat@example.com", "date": fmtTime(r.createdAt)}
	return map[string]any{
		"sha": snap.commitSHA, "node_id": "C_" + snap.commitSHA[:12], "url": api + "/commits/" + snap.commitSHA,
		"html_url": s.htmlBase() + "/" + r.fullName() + "/commit/" + snap.commitSHA, "comments_url": api + "/commits/" + snap.commitSHA + "/comments",
		"commit": map[string]any{
			"url": api + "/git/commits/" + snap.commitSHA, "author": who, "committer": who, "message": "commit " + snap.commitSHA[:7],
			"tree": map[string]any{"sha": snap.rootTree, "url": api + "/git/trees/" + snap.rootTree}, "comment_count": 0,
		},
		"author": nil, "committer": nil, "parents": []any{},
	}
}
