package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RequestLog is one request the fake served.
type RequestLog struct {
	Time           time.Time
	Method         string
	Path           string // path without the REST prefix, e.g. /repos/o/r/pulls/1
	Query          string
	Template       string // "GET /repos/{owner}/{repo}/pulls/{pull_number}", "" when unmatched
	OperationID    string // "pulls/get", "graphql", ...
	Accept         string
	Status         int
	Duration       time.Duration
	InstallationID int64  // 0 for JWT or unauthenticated requests
	Auth           string // "jwt", "token" or ""
	Fault          string // injected fault, if any
}

// Violation is a request the fake could not accept as a correct GitHub call: a body
// that fails the OpenAPI request schema, an endpoint the fake does not implement, or an
// unsupported GraphQL document.
type Violation struct {
	Time        time.Time
	Kind        string // "schema", "unimplemented", "graphql"
	Method      string
	Path        string
	OperationID string
	Message     string
	Body        string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s %s (%s): %s", v.Kind, v.Method, v.Path, v.OperationID, v.Message)
}

// AnchorRejection is a review or review comment GitHub would reject with 422 because a
// comment's anchor is not part of the PR's current diff.
type AnchorRejection struct {
	Time      time.Time
	Owner     string
	Repo      string
	PR        int
	Operation string // "pulls/create-review" or "pulls/create-review-comment"
	CommitID  string
	File      string
	Line      int
	StartLine int
	Side      string
	Message   string
	Body      string
}

type authKind int

const (
	authNone authKind = iota
	authJWT
	authToken
)

type route struct {
	method   string
	template string
	segs     []string
	op       string
	auth     authKind
	perm     string // permission name ("" = metadata only)
	write    bool
	repo     bool // has {owner}/{repo}
	h        func(*reqCtx)
}

type reqCtx struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	rt      *route
	params  map[string]string
	query   url.Values
	body    []byte
	repo    *repo
	token   *tokenRec
	instID  int64
	auth    string
	status  int
	fault   string
	started time.Time
}

func (s *Server) buildRoutes() []route {
	rs := []route{
		{method: "GET", template: "/app", auth: authJWT, h: s.hGetApp},
		{method: "POST", template: "/app/installations/{installation_id}/access_tokens", auth: authJWT, h: s.hCreateToken},
		{method: "GET", template: "/app/installations/{installation_id}", op: "apps/get-installation", auth: authJWT, h: s.hGetInstallation},
		{method: "GET", template: "/repos/{owner}/{repo}/installation", op: "apps/get-repo-installation", auth: authJWT, h: s.hGetRepoInstallation},
		{method: "GET", template: "/app/hook/deliveries", auth: authJWT, h: s.hListDeliveries},
		{method: "GET", template: "/app/installations", op: "apps/list-installations", auth: authJWT, h: s.hListInstallations},
		{method: "GET", template: "/installation/repositories", op: "apps/list-repos-accessible-to-installation", auth: authToken, h: s.hListInstallationRepos},
		{method: "POST", template: "/app/hook/deliveries/{delivery_id}/attempts", auth: authJWT, h: s.hRedeliver},
		{method: "GET", template: "/rate_limit", op: "rate-limit/get", auth: authToken, h: s.hRateLimit},

		{method: "GET", template: "/repos/{owner}/{repo}/pulls", op: "pulls/list", auth: authToken, perm: "pull_requests", h: s.hListPulls},
		{method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}", auth: authToken, perm: "pull_requests", h: s.hGetPull},
		{method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}/files", auth: authToken, perm: "pull_requests", h: s.hListFiles},
		{method: "GET", template: "/repos/{owner}/{repo}/compare/{basehead}", op: "repos/compare-commits-with-basehead", auth: authToken, perm: "contents", h: s.hCompare},
		{method: "GET", template: "/repos/{owner}/{repo}/git/trees/{tree_sha}", auth: authToken, perm: "contents", h: s.hGetTree},
		{method: "GET", template: "/repos/{owner}/{repo}/git/blobs/{file_sha}", auth: authToken, perm: "contents", h: s.hGetBlob},
		{method: "GET", template: "/repos/{owner}/{repo}/contents/{path}", auth: authToken, perm: "contents", h: s.hGetContent},
		{method: "POST", template: "/repos/{owner}/{repo}/check-runs", auth: authToken, perm: "checks", write: true, h: s.hCreateCheckRun},
		{method: "PATCH", template: "/repos/{owner}/{repo}/check-runs/{check_run_id}", auth: authToken, perm: "checks", write: true, h: s.hUpdateCheckRun},
		{method: "GET", template: "/repos/{owner}/{repo}/commits/{ref}/check-runs", auth: authToken, perm: "checks", h: s.hListCheckRuns},
		{method: "POST", template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", auth: authToken, perm: "pull_requests", write: true, h: s.hCreateReview},
		{method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}/comments", auth: authToken, perm: "pull_requests", h: s.hListReviewComments},
		{method: "POST", template: "/repos/{owner}/{repo}/pulls/{pull_number}/comments", auth: authToken, perm: "pull_requests", write: true, h: s.hCreateReviewComment},
		{method: "POST", template: "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", auth: authToken, perm: "pull_requests", write: true, h: s.hCreateReply},
		{method: "POST", template: "/repos/{owner}/{repo}/issues/{issue_number}/comments", auth: authToken, perm: "issues|pull_requests", write: true, h: s.hCreateIssueComment},
		{method: "POST", template: "/graphql", op: "graphql", auth: authToken, h: s.hGraphQL},
		{method: "POST", template: "/app-manifests/{code}/conversions", op: "apps/create-from-manifest", h: s.hCreateFromManifest}, // manifest.go
	}
	for i := range rs {
		r := &rs[i]
		r.segs = strings.Split(strings.Trim(r.template, "/"), "/")
		r.repo = strings.HasPrefix(r.template, "/repos/{owner}/{repo}/")
		if r.op == "" {
			r.op = s.schemas.ops[r.method+" "+r.template]
			if r.op == "" {
				r.op = strings.ToLower(r.method) + " " + r.template
			}
		}
	}
	return rs
}

func (s *Server) match(method, p string) (*route, map[string]string) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.method != method {
			continue
		}
		params := map[string]string{}
		ok := true
		for j, ts := range rt.segs {
			if ts == "{path}" && j == len(rt.segs)-1 {
				if j > len(segs) {
					ok = false
					break
				}
				params["path"] = strings.Join(segs[j:], "/")
				segs = segs[:j]
				break
			}
			if j >= len(segs) {
				ok = false
				break
			}
			if strings.HasPrefix(ts, "{") {
				params[strings.Trim(ts, "{}")] = segs[j]
			} else if ts != segs[j] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if _, greedy := params["path"]; !greedy && len(segs) != len(rt.segs) {
			continue
		}
		if _, greedy := params["path"]; greedy && len(segs) != len(rt.segs)-1 {
			continue
		}
		return rt, params
	}
	return nil, nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveWeb(w, r) { // web pages, not the API (manifest.go)
		return
	}
	started := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 100<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	c := &reqCtx{s: s, w: w, r: r, body: body, query: r.URL.Query(), started: started}
	p := r.URL.Path
	if s.opts.GHES {
		switch {
		case p == "/api/graphql":
			p = "/graphql"
		case strings.HasPrefix(p, "/api/v3/"):
			p = "/" + strings.TrimPrefix(p, "/api/v3/")
		default:
			p = "/__not_api__" + p
		}
	} else if p == "/api/graphql" || p == "/api/v3" || strings.HasPrefix(p, "/api/v3/") {
		p = "/__not_api__" + p
	}
	w.Header().Set("X-GitHub-Request-Id", fmt.Sprintf("FAKE:%X", started.UnixNano()&0xffffffff))
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	rt, params := s.match(r.Method, p)
	c.rt, c.params = rt, params
	// Handlers run under s.mu; buffer their output so a slow reader cannot stall the
	// other requests.
	bw := &bufWriter{ResponseWriter: w}
	c.w = bw
	logged := false
	defer func() {
		if !logged {
			s.logRequest(c, p)
		}
		bw.flush()
	}()
	if rt == nil {
		s.setRateHeaders(c, "")
		c.errorJSON(http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		s.addViolation(Violation{Kind: "unimplemented", Method: r.Method, Path: p, Message: "the fake does not implement this endpoint", Body: truncate(string(body), 4096)})
		return
	}
	s.arrived(rt.op)
	if s.injectFault(c) {
		return
	}
	s.mu.Lock()
	defer func() {
		// Logged with the state change it made, under the same lock: a test
		// that sees the change (a completed check run) sees its request.
		s.state.requests = append(s.state.requests, s.requestLog(c, p))
		logged = true
		s.mu.Unlock()
	}()
	if !s.authorize(c) {
		return
	}
	if msg := s.schemas.validateBody(rt.op, body); msg != "" {
		c.errorJSON(http.StatusUnprocessableEntity, "Invalid request.\n\n"+msg, docURL(rt.op))
		s.state.violations = append(s.state.violations, Violation{Time: s.now(), Kind: "schema", Method: r.Method, Path: p,
			OperationID: rt.op, Message: msg, Body: truncate(string(body), 16384)})
		return
	}
	if f := s.state.faults.Fail422Once; f != "" && !s.state.fail422Used && (f == rt.op || f == rt.method+" "+rt.template) {
		s.state.fail422Used = true
		c.fault = "fail422once"
		c.json(http.StatusUnprocessableEntity, map[string]any{
			"message":           "Validation Failed",
			"errors":            []any{map[string]any{"resource": "Fault", "code": "custom", "message": "injected one-time failure"}},
			"documentation_url": docURL(rt.op),
			"status":            "422",
		})
		return
	}
	rt.h(c)
}

func docURL(op string) string {
	if op == "" || strings.Contains(op, " ") {
		return "https://docs.github.com/rest"
	}
	return "https://docs.github.com/rest/" + op
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *Server) addViolation(v Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Time = s.now()
	s.state.violations = append(s.state.violations, v)
}

func (s *Server) logRequest(c *reqCtx, p string) {
	l := s.requestLog(c, p)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.requests = append(s.state.requests, l)
}

// requestLog is the log entry of a handled request.
func (s *Server) requestLog(c *reqCtx, p string) RequestLog {
	l := RequestLog{
		Time: s.now(), Method: c.r.Method, Path: p, Query: c.r.URL.RawQuery, Accept: c.r.Header.Get("Accept"),
		Status: c.status, Duration: time.Since(c.started), InstallationID: c.instID, Auth: c.auth, Fault: c.fault,
	}
	if l.Status == 0 {
		l.Status = http.StatusOK
	}
	if c.rt != nil {
		l.Template = c.rt.method + " " + c.rt.template
		l.OperationID = c.rt.op
	}
	return l
}

// --- responses ---

func (c *reqCtx) writeHeader(status int) {
	c.status = status
	c.w.WriteHeader(status)
}

func (c *reqCtx) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.w.Header().Set("Content-Type", "text/plain")
		c.writeHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(c.w, "fakegithub: encode response: "+err.Error())
		return
	}
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.writeHeader(status)
	_, _ = c.w.Write(b)
}

func (c *reqCtx) errorJSON(status int, msg, doc string) {
	c.json(status, map[string]any{"message": msg, "documentation_url": doc, "status": strconv.Itoa(status)})
}

func (c *reqCtx) validationFailed(resource, field, code, msg string) {
	e := map[string]any{"resource": resource, "code": code}
	if field != "" {
		e["field"] = field
	}
	if msg != "" {
		e["message"] = msg
	}
	c.json(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": []any{e}, "documentation_url": docURL(c.rt.op), "status": "422",
	})
}

func (c *reqCtx) notFound() {
	c.errorJSON(http.StatusNotFound, "Not Found", docURL(c.rt.op))
}

func (c *reqCtx) intParam(name string) (int64, bool) {
	v, err := strconv.ParseInt(c.params[name], 10, 64)
	return v, err == nil
}

// pagination reads per_page (default 30, max 100) and page (default 1).
func (c *reqCtx) pagination() (perPage, page int) {
	perPage, page = 30, 1
	if v, err := strconv.Atoi(c.query.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(c.query.Get("page")); err == nil && v > 0 {
		page = v
	}
	return perPage, page
}

// paginate slices n items and sets the Link header; it returns [lo, hi).
func (c *reqCtx) paginate(n int) (int, int) {
	perPage, page := c.pagination()
	last := int(math.Max(1, math.Ceil(float64(n)/float64(perPage))))
	lo := min((page-1)*perPage, n)
	hi := min(lo+perPage, n)
	link := func(p int, rel string) string {
		q := url.Values{}
		for k, v := range c.query {
			q[k] = v
		}
		q.Set("per_page", strconv.Itoa(perPage))
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf("<%s%s?%s>; rel=\"%s\"", c.s.srv.URL+strings.TrimSuffix(c.s.restPrefix(), "/"), c.pathForLinks(), q.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	return lo, hi
}

func (c *reqCtx) pathForLinks() string {
	p := c.r.URL.Path
	if c.s.opts.GHES {
		p = "/" + strings.TrimPrefix(p, "/api/v3/")
	}
	return p
}

// Requests returns every request served so far, in completion order.
func (s *Server) Requests() []RequestLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestLog(nil), s.state.requests...)
}

// Violations returns the schema violations, unimplemented endpoints and unsupported
// GraphQL documents seen so far. A correct client causes none.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.state.violations...)
}

// OperationID returns the operationId ("pulls/get", "graphql", ...) the fake serves
// for a request path (with or without the REST prefix), or "" when it serves none.
func (s *Server) OperationID(method, path string) string {
	if s.opts.GHES {
		path = "/" + strings.TrimPrefix(strings.TrimPrefix(path, "/api/v3/"), "/")
		if path == "/api/graphql" {
			path = "/graphql"
		}
	}
	rt, _ := s.match(method, path)
	if rt == nil {
		return ""
	}
	return rt.op
}

type bufWriter struct {
	http.ResponseWriter
	status int
	buf    []byte
}

func (b *bufWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *bufWriter) flush() {
	if b.status == 0 {
		return // nothing written (client went away during an injected delay)
	}
	b.ResponseWriter.WriteHeader(b.status)
	_, _ = b.ResponseWriter.Write(b.buf)
}
