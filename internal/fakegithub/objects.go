package fakegithub

import (
	"fmt"
	"strings"
	"time"
)

const ts = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string { return t.UTC().Format(ts) }

func (s *Server) botID() int64 { return 100000000 + s.opts.AppID }

func (s *Server) botJSON() map[string]any {
	return s.userJSON(s.BotLogin(), s.botID(), "Bot")
}

func (s *Server) userJSON(login string, id int64, typ string) map[string]any {
	api := s.URL() + "users/" + login
	return map[string]any{
		"login": login, "id": id, "node_id": nodeID("U", id),
		"avatar_url": "https://avatars.githubusercontent.com/u/" + fmt.Sprint(id) + "?v=4", "gravatar_id": "",
		"url": api, "html_url": s.htmlBase() + "/" + login,
		"followers_url": api + "/followers", "following_url": api + "/following{/other_user}",
		"gists_url": api + "/gists{/gist_id}", "starred_url": api + "/starred{/owner}{/repo}",
		"subscriptions_url": api + "/subscriptions", "organizations_url": api + "/orgs",
		"repos_url": api + "/repos", "events_url": api + "/events{/privacy}",
		"received_events_url": api + "/received_events", "type": typ, "site_admin": false,
	}
}

// userFor returns a (stable) user object for a login.
func (s *Server) userFor(login string) map[string]any {
	if login == s.BotLogin() {
		return s.botJSON()
	}
	var id int64 = 583231
	for _, ch := range login {
		id = id*31 + int64(ch)
	}
	if id < 0 {
		id = -id
	}
	return s.userJSON(login, id%90000000+1000, "User")
}

func (s *Server) repoJSON(r *repo) map[string]any {
	return s.repoJSONFor(r.owner, r.name, r.id, r.ownerID, r.defaultBranch, r.createdAt, false)
}

func (s *Server) repoJSONFor(owner, name string, id, ownerID int64, defaultBranch string, created time.Time, fork bool) map[string]any {
	api := s.URL() + "repos/" + owner + "/" + name
	html := s.htmlBase() + "/" + owner + "/" + name
	m := map[string]any{
		"id": id, "node_id": nodeID("R", id), "name": name, "full_name": owner + "/" + name,
		"owner": s.userJSON(owner, ownerID, "Organization"), "private": true, "html_url": html,
		"description": nil, "fork": fork, "url": api, "homepage": nil, "language": nil,
		"forks_count": 0, "forks": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
		"size": 100, "default_branch": defaultBranch, "open_issues_count": 0, "open_issues": 0,
		"is_template": false, "topics": []string{}, "has_issues": true, "has_projects": true,
		"has_wiki": false, "has_pages": false, "has_downloads": true, "has_discussions": false,
		"archived": false, "disabled": false, "visibility": "private", "license": nil, "mirror_url": nil,
		"pushed_at": fmtTime(created), "created_at": fmtTime(created), "updated_at": fmtTime(created),
		"allow_forking": true, "web_commit_signoff_required": false,
		"git_url": "git://" + strings.TrimPrefix(html, "http://") + ".git", "ssh_url": "git@fake.github:" + owner + "/" + name + ".git",
		"clone_url": html + ".git", "svn_url": html,
	}
	for k, suffix := range map[string]string{
		"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
		"branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
		"comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
		"contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
		"downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}",
		"git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
		"issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
		"issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
		"languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
		"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
		"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
		"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
		"teams_url": "/teams", "trees_url": "/git/trees{/sha}",
	} {
		m[k] = api + suffix
	}
	return m
}

func (s *Server) prJSON(r *repo, p *pullRequest) map[string]any {
	api := fmt.Sprintf("%srepos/%s/pulls/%d", s.URL(), r.fullName(), p.spec.Number)
	issueAPI := fmt.Sprintf("%srepos/%s/issues/%d", s.URL(), r.fullName(), p.spec.Number)
	html := fmt.Sprintf("%s/%s/pull/%d", s.htmlBase(), r.fullName(), p.spec.Number)
	d := s.diffLocked(p)
	adds, dels := 0, 0
	for _, f := range d.files {
		adds += f.additions
		dels += f.deletions
	}
	author := s.userFor(p.spec.Author)
	headRepo := s.repoJSON(r)
	headOwner := s.userJSON(r.owner, r.ownerID, "Organization")
	headLabel := r.owner + ":" + p.spec.HeadRef
	if p.forkRepo != nil {
		fr := p.forkRepo
		headRepo = s.repoJSONFor(fr.owner, fr.name, fr.id, fr.ownerID, fr.defaultBranch, fr.createdAt, true)
		headOwner = s.userJSON(fr.owner, fr.ownerID, "User")
		headLabel = fr.owner + ":" + p.spec.HeadRef
	}
	var closedAt any
	if p.spec.State == "closed" {
		closedAt = fmtTime(p.updatedAt)
	}
	link := func(h string) map[string]any { return map[string]any{"href": h} }
	nComments := 0
	for _, c := range p.comments {
		_ = c
		nComments++
	}
	return map[string]any{
		"url": api, "id": p.id, "node_id": nodeID("PR", p.id), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": issueAPI,
		"commits_url": api + "/commits", "review_comments_url": api + "/comments",
		"review_comment_url": s.URL() + "repos/" + r.fullName() + "/pulls/comments{/number}",
		"comments_url":       issueAPI + "/comments", "statuses_url": s.URL() + "repos/" + r.fullName() + "/statuses/" + p.head.commitSHA,
		"number": p.spec.Number, "state": p.spec.State, "locked": false, "title": p.spec.Title,
		"user": author, "body": nilIfEmpty(p.spec.Body), "labels": []any{}, "milestone": nil,
		"active_lock_reason": nil, "created_at": fmtTime(p.createdAt), "updated_at": fmtTime(p.updatedAt),
		"closed_at": closedAt, "merged_at": nil, "merge_commit_sha": nil, "assignee": nil, "assignees": []any{},
		"requested_reviewers": []any{}, "requested_teams": []any{},
		"head": map[string]any{"label": headLabel, "ref": p.spec.HeadRef, "sha": p.head.commitSHA, "user": headOwner, "repo": headRepo},
		"base": map[string]any{"label": r.owner + ":" + p.spec.BaseRef, "ref": p.spec.BaseRef, "sha": p.baseTip.commitSHA,
			"user": s.userJSON(r.owner, r.ownerID, "Organization"), "repo": s.repoJSON(r)},
		"_links": map[string]any{
			"self": link(api), "html": link(html), "issue": link(issueAPI), "comments": link(issueAPI + "/comments"),
			"review_comments": link(api + "/comments"), "review_comment": link(s.URL() + "repos/" + r.fullName() + "/pulls/comments{/number}"),
			"commits": link(api + "/commits"), "statuses": link(s.URL() + "repos/" + r.fullName() + "/statuses/" + p.head.commitSHA),
		},
		"author_association": "CONTRIBUTOR", "auto_merge": nil, "draft": p.spec.Draft,
		"merged": false, "mergeable": true, "rebaseable": true, "mergeable_state": "clean", "merged_by": nil,
		"comments": len(p.issueComments), "review_comments": nComments, "maintainer_can_modify": p.forkRepo != nil,
		"commits": len(p.heads), "additions": adds, "deletions": dels, "changed_files": len(d.files),
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
