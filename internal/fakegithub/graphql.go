package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ReviewThread is a PR review thread (a top-level review comment and its replies).
type ReviewThread struct {
	ID            string // GraphQL node ID (PRRT_…)
	RootCommentID int64
	Path          string
	Line          int
	Resolved      bool
	CommentIDs    []int64
}

// ReviewThreads returns a PR's review threads, oldest first.
func (s *Server) ReviewThreads(owner, repo string, pr int) []ReviewThread {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, repo, pr)
	if err != nil {
		return nil
	}
	return threadsOf(p)
}

func threadsOf(p *pullRequest) []ReviewThread {
	var out []ReviewThread
	idx := map[int64]int{}
	for _, c := range p.comments {
		root := rootOf(p, c)
		i, ok := idx[root]
		if !ok {
			rc := findComment(p, root)
			out = append(out, ReviewThread{ID: nodeID("PRRT", root), RootCommentID: root, Path: rc.Path, Line: rc.Line, Resolved: p.resolved[root]})
			i = len(out) - 1
			idx[root] = i
		}
		out[i].CommentIDs = append(out[i].CommentIDs, c.ID)
	}
	return out
}

type gqlError struct {
	Message string `json:"message"`
	Type    string `json:"type,omitempty"`
	Path    []any  `json:"path,omitempty"`
}

type gqlResolver func(args map[string]any) (any, error)

// notFoundErr is a GraphQL NOT_FOUND error (legitimate, not a violation).
type notFoundErr struct{ msg string }

func (e notFoundErr) Error() string { return e.msg }

// hGraphQL serves the GraphQL requests the App sends (see parseGraphQL and
// the object maps below, which are the schema: a field GitHub has and the
// App does not ask for is not served, and asking for it is a violation).
func (s *Server) hGraphQL(c *reqCtx) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	fail := func(msg string) {
		s.state.violations = append(s.state.violations, Violation{Time: s.now(), Kind: "graphql", Method: c.r.Method,
			Path: "/graphql", OperationID: "graphql", Message: msg, Body: truncate(string(c.body), 16384)})
		c.json(http.StatusOK, map[string]any{"errors": []gqlError{{Message: msg}}})
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", "https://docs.github.com/graphql")
		return
	}
	op, err := parseGraphQL(req.Query)
	if err != nil {
		fail("Parse error: " + err.Error())
		return
	}
	root := s.gqlQueryRoot(c)
	if op.kind == "mutation" {
		root = s.gqlMutationRoot(c)
	}
	var errs []gqlError
	ex := &gqlExec{vars: req.Variables}
	data, err := ex.project(root, op.sel, nil)
	if err != nil {
		if _, ok := err.(notFoundErr); !ok {
			if len(ex.notFound) == 0 {
				fail(err.Error())
				return
			}
		}
	}
	for _, nf := range ex.notFound {
		errs = append(errs, gqlError{Message: nf.msg, Type: "NOT_FOUND", Path: nf.path})
	}
	resp := map[string]any{"data": data}
	if len(errs) > 0 {
		resp["errors"] = errs
	}
	c.json(http.StatusOK, resp)
}

type gqlNotFound struct {
	msg  string
	path []any
}

type gqlExec struct {
	vars     map[string]any
	notFound []gqlNotFound
}

// project selects sel out of v (an object, a list of objects, or nil).
func (ex *gqlExec) project(v any, sel []*gqlField, path []any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			p, err := ex.project(e, sel, append(append([]any(nil), path...), i))
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		if err := ex.projectInto(out, x, sel, path); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("selection on a scalar field")
}

func (ex *gqlExec) projectInto(out, obj map[string]any, sel []*gqlField, path []any) error {
	typ, _ := obj["__typename"].(string)
	for _, f := range sel {
		if f.inline {
			if f.on != typ {
				continue
			}
			if err := ex.projectInto(out, obj, f.sel, path); err != nil {
				return err
			}
			continue
		}
		key := f.name
		if f.alias != "" {
			key = f.alias
		}
		val, ok := obj[f.name]
		if !ok {
			return fmt.Errorf("Field '%s' doesn't exist on type '%s'", f.name, typ)
		}
		fpath := append(append([]any(nil), path...), key)
		if r, isFn := val.(gqlResolver); isFn {
			args := map[string]any{}
			for k, a := range f.args {
				args[k] = resolveValue(a, ex.vars)
			}
			rv, err := r(args)
			if nf, isNF := err.(notFoundErr); isNF {
				ex.notFound = append(ex.notFound, gqlNotFound{msg: nf.msg, path: fpath})
				out[key] = nil
				continue
			}
			if err != nil {
				return err
			}
			val = rv
		} else if len(f.args) > 0 {
			return fmt.Errorf("Field '%s' on type '%s' takes no arguments here", f.name, typ)
		}
		if len(f.sel) > 0 {
			p, err := ex.project(val, f.sel, fpath)
			if err != nil {
				return err
			}
			out[key] = p
			continue
		}
		switch val.(type) {
		case map[string]any, []map[string]any:
			return fmt.Errorf("Field must have selections (field '%s' returns %s but has no selections)", f.name, typ)
		}
		out[key] = val
	}
	return nil
}

func argInt(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

func argStr(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

// connection is the first page of a connection over items: first (at
// most 100, required) items and pageInfo.hasNextPage, as the App pages.
func connection(kind string, items []map[string]any, args map[string]any) (any, error) {
	for k := range args {
		if k != "first" {
			return nil, fmt.Errorf("the fake serves the first page of `%s` only, not %q", kind, k)
		}
	}
	first, ok := argInt(args, "first")
	switch {
	case !ok:
		return nil, fmt.Errorf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", kind)
	case first > 100:
		return nil, fmt.Errorf("Requesting more than 100 records on the `%s` connection exceeds the limit of 100 records.", kind)
	case first < 0:
		return nil, fmt.Errorf("`first` on the `%s` connection cannot be less than zero.", kind)
	}
	n := min(first, len(items))
	nodes := items[:n]
	if nodes == nil {
		nodes = []map[string]any{}
	}
	return map[string]any{
		"__typename": kind + "Connection", "nodes": nodes,
		"pageInfo": map[string]any{"__typename": "PageInfo", "hasNextPage": n < len(items)},
	}, nil
}

func (s *Server) gqlQueryRoot(c *reqCtx) map[string]any {
	return map[string]any{
		"__typename": "Query",
		"repository": gqlResolver(func(args map[string]any) (any, error) {
			owner, name := argStr(args, "owner"), argStr(args, "name")
			r := s.state.repos[repoKey(owner, name)]
			if r == nil || r.instID != c.instID || (c.token.repoIDs != nil && !c.token.repoIDs[r.id]) {
				return nil, notFoundErr{fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", owner, name)}
			}
			return s.gqlRepo(r), nil
		}),
	}
}

func (s *Server) gqlRepo(r *repo) map[string]any {
	return map[string]any{
		"__typename": "Repository",
		"object": gqlResolver(func(args map[string]any) (any, error) {
			return s.gqlObject(r, args)
		}),
		"pullRequest": gqlResolver(func(args map[string]any) (any, error) {
			n, _ := argInt(args, "number")
			p := r.prs[n]
			if p == nil {
				return nil, notFoundErr{fmt.Sprintf("Could not resolve to a PullRequest with the number of %d.", n)}
			}
			return s.gqlPR(r, p), nil
		}),
	}
}

func (s *Server) gqlPR(r *repo, p *pullRequest) map[string]any {
	return map[string]any{
		"__typename": "PullRequest", "headRefOid": p.head.commitSHA, "baseRefOid": p.baseTip.commitSHA, "baseRefName": p.spec.BaseRef,
		"reviewThreads": gqlResolver(func(args map[string]any) (any, error) {
			var items []map[string]any
			for _, t := range threadsOf(p) {
				items = append(items, s.gqlThread(p, t.RootCommentID))
			}
			return connection("PullRequestReviewThread", items, args)
		}),
	}
}

func (s *Server) gqlThread(p *pullRequest, root int64) map[string]any {
	var comments []map[string]any
	for _, c := range p.comments {
		if rootOf(p, c) == root {
			comments = append(comments, s.gqlComment(c))
		}
	}
	return map[string]any{
		"__typename": "PullRequestReviewThread", "id": nodeID("PRRT", root), "isResolved": p.resolved[root],
		"comments": gqlResolver(func(args map[string]any) (any, error) {
			return connection("PullRequestReviewComment", comments, args)
		}),
	}
}

func (s *Server) gqlComment(c *ReviewComment) map[string]any {
	var replyTo any
	if c.InReplyTo != 0 {
		replyTo = map[string]any{"__typename": "PullRequestReviewComment", "databaseId": c.InReplyTo}
	}
	authorType := "User"
	if c.User == s.BotLogin() {
		authorType = "Bot"
	}
	return map[string]any{
		"__typename": "PullRequestReviewComment", "databaseId": c.ID, "body": c.Body, "path": c.Path,
		"author": map[string]any{"__typename": authorType, "login": c.User}, "replyTo": replyTo,
	}
}

// findThread finds a thread by node ID among repos the request's token covers.
func (s *Server) findThread(c *reqCtx, id string) (*pullRequest, int64) {
	for _, r := range s.state.repos {
		if r.instID != c.instID || (c.token.repoIDs != nil && !c.token.repoIDs[r.id]) {
			continue
		}
		for _, n := range sortedPRNumbers(r) {
			p := r.prs[n]
			for _, cm := range p.comments {
				if cm.InReplyTo == 0 && nodeID("PRRT", cm.ID) == id {
					return p, cm.ID
				}
			}
		}
	}
	return nil, 0
}

func (s *Server) gqlMutationRoot(c *reqCtx) map[string]any {
	return map[string]any{
		"__typename": "Mutation",
		"resolveReviewThread": gqlResolver(func(args map[string]any) (any, error) {
			in, _ := args["input"].(map[string]any)
			id := argStr(in, "threadId")
			p, root := s.findThread(c, id)
			if p == nil {
				return nil, notFoundErr{fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
			}
			if !hasPermission(c.token.Permissions, "pull_requests", true) {
				return nil, fmt.Errorf("Resource not accessible by integration")
			}
			p.resolved[root] = true
			return map[string]any{"__typename": "ResolveReviewThreadPayload", "thread": s.gqlThread(p, root)}, nil
		}),
	}
}
