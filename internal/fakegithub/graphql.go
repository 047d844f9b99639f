package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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

func (s *Server) hGraphQL(c *reqCtx) {
	var req struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
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
	doc, err := parseGraphQL(req.Query)
	if err != nil {
		fail("Parse error: " + err.Error())
		return
	}
	var op *gqlOp
	for _, o := range doc.ops {
		if req.OperationName == "" || o.name == req.OperationName {
			op = o
			break
		}
	}
	if op == nil {
		fail("No operation named " + strconv.Quote(req.OperationName))
		return
	}
	vars := map[string]any{}
	for k, v := range op.defaults {
		vars[k] = resolveValue(v, nil)
	}
	for k, v := range req.Variables {
		vars[k] = v
	}
	var root map[string]any
	switch op.kind {
	case "query":
		root = s.gqlQueryRoot(c)
	case "mutation":
		root = s.gqlMutationRoot(c)
	default:
		fail(op.kind + " operations are not supported")
		return
	}
	var errs []gqlError
	ex := &gqlExec{doc: doc, vars: vars}
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
	doc      *gqlDoc
	vars     map[string]any
	notFound []gqlNotFound
}

// project selects sel out of v (an object, a list of objects, or nil).
func (ex *gqlExec) project(v any, sel []*gqlField, path []any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			p, err := ex.project(e, sel, append(append([]any(nil), path...), i))
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case []map[string]any:
		list := make([]any, len(x))
		for i, e := range x {
			list[i] = e
		}
		return ex.project(list, sel, path)
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
			if !typeMatches(typ, f.on) {
				continue
			}
			if err := ex.projectInto(out, obj, f.sel, path); err != nil {
				return err
			}
			continue
		}
		if strings.HasPrefix(f.name, "...") {
			frag, ok := ex.doc.frags[f.name[3:]]
			if !ok {
				return fmt.Errorf("Fragment %s was used, but not defined", f.name[3:])
			}
			if !typeMatches(typ, frag.on) {
				continue
			}
			if err := ex.projectInto(out, obj, frag.sel, path); err != nil {
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

// interfacesOf lists the GraphQL interfaces the fake's object types implement, for
// fragment type conditions such as "... on GitObject".
func interfacesOf(typ string) []string {
	switch typ {
	case "Blob", "Tree", "Commit":
		return []string{"GitObject", "Node"}
	case "Repository", "PullRequest", "PullRequestReviewThread":
		return []string{"Node"}
	case "PullRequestReviewComment":
		return []string{"Node", "Comment", "Minimizable"}
	}
	return nil
}

// typeMatches reports whether an object of type typ satisfies the type condition on
// ("" matches every type), as GitHub applies "... on Blob" only to blobs.
func typeMatches(typ, on string) bool {
	if on == "" || on == typ {
		return true
	}
	for _, i := range interfacesOf(typ) {
		if i == on {
			return true
		}
	}
	return false
}

func argInt(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case int:
		return v, true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}

func argStr(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

// connection builds a Relay connection over items with first/last/after/before.
func connection(kind string, items []map[string]any, args map[string]any) (any, error) {
	first, hasFirst := argInt(args, "first")
	last, hasLast := argInt(args, "last")
	if !hasFirst && !hasLast {
		return nil, fmt.Errorf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", kind)
	}
	if (hasFirst && first > 100) || (hasLast && last > 100) {
		return nil, fmt.Errorf("Requesting more than 100 records on the `%s` connection exceeds the limit of 100 records.", kind)
	}
	decode := func(c string) int {
		b, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return -1
		}
		n, err := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:v2:"))
		if err != nil {
			return -1
		}
		return n
	}
	cursor := func(i int) string { return base64.StdEncoding.EncodeToString([]byte("cursor:v2:" + strconv.Itoa(i))) }
	lo, hi := 0, len(items)
	if a := argStr(args, "after"); a != "" {
		lo = min(decode(a)+1, len(items))
	}
	if b := argStr(args, "before"); b != "" {
		if n := decode(b); n >= 0 {
			hi = min(n, hi)
		}
	}
	if lo > hi {
		lo = hi
	}
	start, end := lo, hi
	if hasFirst && end-start > first {
		end = start + first
	}
	if hasLast && end-start > last {
		start = end - last
	}
	nodes := make([]any, 0, end-start)
	edges := make([]any, 0, end-start)
	for i := start; i < end; i++ {
		nodes = append(nodes, items[i])
		edges = append(edges, map[string]any{"cursor": cursor(i), "node": items[i]})
	}
	var startCursor, endCursor any
	if end > start {
		startCursor, endCursor = cursor(start), cursor(end-1)
	}
	return map[string]any{
		"__typename": kind + "Connection", "totalCount": len(items), "nodes": nodes, "edges": edges,
		"pageInfo": map[string]any{"__typename": "PageInfo", "hasNextPage": end < hi, "hasPreviousPage": start > lo,
			"startCursor": startCursor, "endCursor": endCursor},
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
		"node": gqlResolver(func(args map[string]any) (any, error) {
			id := argStr(args, "id")
			if r, p, root := s.findThread(c, id); p != nil {
				return s.gqlThread(r, p, root), nil
			}
			return nil, notFoundErr{fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
		}),
		"rateLimit": map[string]any{"__typename": "RateLimit", "limit": 5000, "cost": 1, "remaining": 4999, "resetAt": fmtTime(s.now().Add(3600e9)), "used": 1, "nodeCount": 1},
	}
}

func (s *Server) gqlRepo(r *repo) map[string]any {
	return map[string]any{
		"__typename": "Repository", "id": nodeID("R", r.id), "databaseId": r.id, "name": r.name,
		"nameWithOwner": r.fullName(), "owner": map[string]any{"__typename": "Organization", "login": r.owner, "id": nodeID("O", r.ownerID)},
		"url": s.htmlBase() + "/" + r.fullName(),
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
		"__typename": "PullRequest", "id": nodeID("PR", p.id), "databaseId": p.id, "number": p.spec.Number,
		"title": p.spec.Title, "headRefOid": p.head.commitSHA, "baseRefOid": p.baseTip.commitSHA,
		"headRefName": p.spec.HeadRef, "baseRefName": p.spec.BaseRef, "state": strings.ToUpper(p.spec.State),
		"url": fmt.Sprintf("%s/%s/pull/%d", s.htmlBase(), r.fullName(), p.spec.Number),
		"reviewThreads": gqlResolver(func(args map[string]any) (any, error) {
			var items []map[string]any
			for _, t := range threadsOf(p) {
				items = append(items, s.gqlThread(r, p, t.RootCommentID))
			}
			return connection("PullRequestReviewThread", items, args)
		}),
	}
}

func (s *Server) commentOutdated(p *pullRequest, rc *ReviewComment) bool {
	if rc.SubjectType == "file" {
		return s.diffLocked(p).byPath[rc.Path] == nil
	}
	fd := s.diffLocked(p).byPath[rc.Path]
	return fd == nil || fd.positionOf(rc.Side, rc.Line) == 0 || fd.diffHunkUpTo(rc.Side, rc.Line) != rc.DiffHunk
}

func (s *Server) gqlThread(r *repo, p *pullRequest, root int64) map[string]any {
	rc := findComment(p, root)
	var comments []map[string]any
	for _, c := range p.comments {
		if rootOf(p, c) == root {
			comments = append(comments, s.gqlComment(r, p, c))
		}
	}
	outdated := s.commentOutdated(p, rc)
	var line, startLine any
	if !outdated && rc.SubjectType != "file" {
		line = rc.Line
		if rc.StartLine != 0 {
			startLine = rc.StartLine
		}
	}
	return map[string]any{
		"__typename": "PullRequestReviewThread", "id": nodeID("PRRT", root), "isResolved": p.resolved[root],
		"isOutdated": outdated, "isCollapsed": p.resolved[root], "path": rc.Path, "line": line, "startLine": startLine,
		"originalLine": nilIfZero(rc.Line), "diffSide": sideOrRight(rc.Side), "subjectType": strings.ToUpper(rc.SubjectType),
		"viewerCanResolve": !p.resolved[root], "viewerCanUnresolve": p.resolved[root], "viewerCanReply": true,
		"comments": gqlResolver(func(args map[string]any) (any, error) {
			return connection("PullRequestReviewComment", comments, args)
		}),
	}
}

func sideOrRight(s string) string {
	if s == "" {
		return "RIGHT"
	}
	return s
}

func (s *Server) gqlComment(r *repo, p *pullRequest, c *ReviewComment) map[string]any {
	var replyTo any
	if c.InReplyTo != 0 {
		replyTo = map[string]any{"__typename": "PullRequestReviewComment", "id": nodeID("PRRC", c.InReplyTo), "databaseId": c.InReplyTo}
	}
	authorType := "User"
	if c.User == s.BotLogin() {
		authorType = "Bot"
	}
	return map[string]any{
		"__typename": "PullRequestReviewComment", "id": c.NodeID, "databaseId": c.ID, "fullDatabaseId": strconv.FormatInt(c.ID, 10),
		"body": c.Body, "path": c.Path, "line": nilIfZero(c.Line), "originalLine": nilIfZero(c.Line), "diffHunk": c.DiffHunk,
		"url":       fmt.Sprintf("%s/%s/pull/%d#discussion_r%d", s.htmlBase(), r.fullName(), p.spec.Number, c.ID),
		"createdAt": fmtTime(c.CreatedAt), "updatedAt": fmtTime(c.UpdatedAt), "outdated": s.commentOutdated(p, c),
		"author":      map[string]any{"__typename": authorType, "login": c.User},
		"isMinimized": c.Minimized != "", "minimizedReason": nilIfEmpty(c.Minimized), "replyTo": replyTo,
		"pullRequestReview": map[string]any{"__typename": "PullRequestReview", "id": nodeID("PRR", c.ReviewID), "databaseId": c.ReviewID},
		"commit":            map[string]any{"__typename": "Commit", "oid": c.CommitID},
		"viewerCanMinimize": true, "viewerCanUpdate": c.User == s.BotLogin(), "viewerCanDelete": c.User == s.BotLogin(),
	}
}

// findThread finds a thread by node ID among repos the request's token covers.
func (s *Server) findThread(c *reqCtx, id string) (*repo, *pullRequest, int64) {
	for _, r := range s.state.repos {
		if r.instID != c.instID || (c.token.repoIDs != nil && !c.token.repoIDs[r.id]) {
			continue
		}
		for _, n := range sortedPRNumbers(r) {
			p := r.prs[n]
			for _, cm := range p.comments {
				if cm.InReplyTo == 0 && nodeID("PRRT", cm.ID) == id {
					return r, p, cm.ID
				}
			}
		}
	}
	return nil, nil, 0
}

func (s *Server) findCommentByNode(c *reqCtx, id string) (*repo, *pullRequest, *ReviewComment) {
	for _, r := range s.state.repos {
		if r.instID != c.instID || (c.token.repoIDs != nil && !c.token.repoIDs[r.id]) {
			continue
		}
		for _, p := range r.prs {
			for _, cm := range p.comments {
				if cm.NodeID == id {
					return r, p, cm
				}
			}
		}
	}
	return nil, nil, nil
}

func (s *Server) gqlMutationRoot(c *reqCtx) map[string]any {
	input := func(args map[string]any) map[string]any {
		m, _ := args["input"].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		return m
	}
	setResolved := func(resolved bool) gqlResolver {
		return func(args map[string]any) (any, error) {
			in := input(args)
			id := argStr(in, "threadId")
			r, p, root := s.findThread(c, id)
			if p == nil {
				return nil, notFoundErr{fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
			}
			if !hasPermission(c.token.Permissions, "pull_requests", true) {
				return nil, fmt.Errorf("Resource not accessible by integration")
			}
			p.resolved[root] = resolved
			return map[string]any{"__typename": "ResolveReviewThreadPayload", "clientMutationId": in["clientMutationId"], "thread": s.gqlThread(r, p, root)}, nil
		}
	}
	return map[string]any{
		"__typename":            "Mutation",
		"resolveReviewThread":   setResolved(true),
		"unresolveReviewThread": setResolved(false),
		"minimizeComment": gqlResolver(func(args map[string]any) (any, error) {
			in := input(args)
			id := argStr(in, "subjectId")
			_, _, cm := s.findCommentByNode(c, id)
			if cm == nil {
				return nil, notFoundErr{fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
			}
			reason := argStr(in, "classifier")
			if reason == "" {
				return nil, fmt.Errorf("Argument 'classifier' on InputObject 'MinimizeCommentInput' is required")
			}
			cm.Minimized = strings.ToLower(reason)
			return map[string]any{"__typename": "MinimizeCommentPayload", "clientMutationId": in["clientMutationId"],
				"minimizedComment": map[string]any{"__typename": "PullRequestReviewComment", "isMinimized": true, "minimizedReason": cm.Minimized, "viewerCanMinimize": true}}, nil
		}),
	}
}
