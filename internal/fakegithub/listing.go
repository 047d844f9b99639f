package fakegithub

import (
	"net/http"
	"sort"
)

// Listing endpoints used by the App's start-up sweep: the App's
// installations, an installation's repositories, and a repository's pull
// requests. Handlers run with s.mu held, like the others.

func (s *Server) hListInstallations(c *reqCtx) {
	ids := make([]int64, 0, len(s.state.installations))
	for id := range s.state.installations {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	lo, hi := c.paginate(len(ids))
	out := []any{}
	for _, id := range ids[lo:hi] {
		out = append(out, s.installationJSON(s.state.installations[id]))
	}
	c.json(http.StatusOK, out)
}

func (s *Server) hListInstallationRepos(c *reqCtx) {
	var rs []*repo
	for _, r := range s.state.repos {
		if r.instID != c.instID {
			continue
		}
		if c.token != nil && c.token.repoIDs != nil && !c.token.repoIDs[r.id] {
			continue
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].id < rs[j].id })
	lo, hi := c.paginate(len(rs))
	list := []any{}
	for _, r := range rs[lo:hi] {
		list = append(list, s.repoJSON(r))
	}
	c.json(http.StatusOK, map[string]any{"total_count": len(rs), "repositories": list})
}

func (s *Server) hListPulls(c *reqCtx) {
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	var nums []int
	for n, p := range c.repo.prs {
		if state == "all" || p.spec.State == state {
			nums = append(nums, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(nums)))
	lo, hi := c.paginate(len(nums))
	out := []any{}
	for _, n := range nums[lo:hi] {
		out = append(out, s.prJSON(c.repo, c.repo.prs[n]))
	}
	c.json(http.StatusOK, out)
}
