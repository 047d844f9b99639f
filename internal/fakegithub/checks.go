package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// CheckRunOutput is a check run's current output (replaced on each update that
// carries one).
type CheckRunOutput struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Text    string `json:"text"`
}

// Annotation is one check run annotation.
type Annotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	StartColumn     *int   `json:"start_column,omitempty"`
	EndColumn       *int   `json:"end_column,omitempty"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
	RawDetails      string `json:"raw_details,omitempty"`
}

// CheckRunAction is a requested-action button.
type CheckRunAction struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Identifier  string `json:"identifier"`
}

// CheckRunUpdate is one create or update call, as received.
type CheckRunUpdate struct {
	Time        time.Time
	Op          string // "create" or "update"
	Body        json.RawMessage
	Status      string // status after the call
	Conclusion  string
	Annotations int // annotations added by the call
}

// CheckRun is a check run with its full history.
type CheckRun struct {
	ID             int64
	NodeID         string
	Name           string
	HeadSHA        string
	ExternalID     string
	DetailsURL     string
	Status         string
	Conclusion     string
	StartedAt      time.Time
	CompletedAt    time.Time
	Output         CheckRunOutput
	Annotations    []Annotation // every annotation, appended across updates
	Actions        []CheckRunAction
	History        []CheckRunUpdate
	InstallationID int64
	SuiteID        int64
}

type checkRun = CheckRun

type checkRunReq struct {
	Name        *string `json:"name"`
	HeadSHA     string  `json:"head_sha"`
	DetailsURL  *string `json:"details_url"`
	ExternalID  *string `json:"external_id"`
	Status      *string `json:"status"`
	StartedAt   *string `json:"started_at"`
	Conclusion  *string `json:"conclusion"`
	CompletedAt *string `json:"completed_at"`
	Output      *struct {
		Title       string       `json:"title"`
		Summary     string       `json:"summary"`
		Text        string       `json:"text"`
		Annotations []Annotation `json:"annotations"`
	} `json:"output"`
	Actions *[]CheckRunAction `json:"actions"`
}

// CheckRuns returns a repository's check runs, oldest first.
func (s *Server) CheckRuns(owner, repo string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.state.repos[repoKey(owner, repo)]
	if r == nil {
		return nil
	}
	out := make([]CheckRun, 0, len(r.checkRuns))
	for _, cr := range r.checkRuns {
		c := *cr
		c.Annotations = append([]Annotation(nil), cr.Annotations...)
		c.Actions = append([]CheckRunAction(nil), cr.Actions...)
		c.History = append([]CheckRunUpdate(nil), cr.History...)
		out = append(out, c)
	}
	return out
}

func (s *Server) applyCheckRun(cr *CheckRun, req *checkRunReq) {
	now := s.now().UTC().Truncate(time.Second)
	parseT := func(v *string) time.Time {
		if v == nil {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, *v)
		if err != nil {
			return now
		}
		return t.UTC()
	}
	if req.Name != nil {
		cr.Name = *req.Name
	}
	if req.DetailsURL != nil {
		cr.DetailsURL = *req.DetailsURL
	}
	if req.ExternalID != nil {
		cr.ExternalID = *req.ExternalID
	}
	if req.StartedAt != nil {
		cr.StartedAt = parseT(req.StartedAt)
	}
	if req.Status != nil {
		cr.Status = *req.Status
	}
	if req.Conclusion != nil {
		cr.Conclusion = *req.Conclusion
		cr.Status = "completed"
	}
	if cr.Status == "completed" {
		if req.CompletedAt != nil {
			cr.CompletedAt = parseT(req.CompletedAt)
		} else if cr.CompletedAt.IsZero() {
			cr.CompletedAt = now
		}
	}
	added := 0
	if req.Output != nil {
		cr.Output = CheckRunOutput{Title: req.Output.Title, Summary: req.Output.Summary, Text: req.Output.Text}
		cr.Annotations = append(cr.Annotations, req.Output.Annotations...)
		added = len(req.Output.Annotations)
	}
	if req.Actions != nil {
		cr.Actions = append([]CheckRunAction(nil), (*req.Actions)...)
	}
	op := "update"
	if len(cr.History) == 0 {
		op = "create"
	}
	cr.History = append(cr.History, CheckRunUpdate{Time: now, Op: op, Status: cr.Status, Conclusion: cr.Conclusion, Annotations: added})
}

func (s *Server) hCreateCheckRun(c *reqCtx) {
	var req checkRunReq
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
		return
	}
	if c.repo.commits[req.HeadSHA] == nil {
		c.validationFailed("CheckRun", "head_sha", "invalid", "No commit found for SHA: "+req.HeadSHA)
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	cr := &CheckRun{ID: s.state.newID(), HeadSHA: req.HeadSHA, Status: "queued", StartedAt: now, InstallationID: c.instID}
	cr.NodeID = nodeID("CR", cr.ID)
	cr.SuiteID = s.suiteIDLocked(c.repo, req.HeadSHA)
	s.applyCheckRun(cr, &req)
	cr.History[len(cr.History)-1].Body = append(json.RawMessage(nil), c.body...)
	c.repo.checkRuns = append(c.repo.checkRuns, cr)
	c.json(http.StatusCreated, s.checkRunJSON(c.repo, cr))
}

func (s *Server) suiteIDLocked(r *repo, sha string) int64 {
	for _, cr := range r.checkRuns {
		if cr.HeadSHA == sha {
			return cr.SuiteID
		}
	}
	return s.state.newID()
}

func (s *Server) hUpdateCheckRun(c *reqCtx) {
	id, _ := c.intParam("check_run_id")
	var cr *CheckRun
	for _, x := range c.repo.checkRuns {
		if x.ID == id {
			cr = x
		}
	}
	if cr == nil {
		c.notFound()
		return
	}
	var req checkRunReq
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
		return
	}
	s.applyCheckRun(cr, &req)
	cr.History[len(cr.History)-1].Body = append(json.RawMessage(nil), c.body...)
	c.json(http.StatusOK, s.checkRunJSON(c.repo, cr))
}

func (s *Server) hListCheckRuns(c *reqCtx) {
	ref := c.params["ref"]
	sha := ref
	if snap := c.repo.resolveRef(ref); snap != nil {
		sha = snap.commitSHA
	}
	var runs []*CheckRun
	for _, cr := range c.repo.checkRuns {
		if cr.HeadSHA != sha {
			continue
		}
		if n := c.query.Get("check_name"); n != "" && cr.Name != n {
			continue
		}
		if st := c.query.Get("status"); st != "" && cr.Status != st {
			continue
		}
		runs = append(runs, cr)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].ID > runs[j].ID })
	if c.query.Get("filter") != "all" {
		seen := map[string]bool{}
		latest := runs[:0:0]
		for _, cr := range runs {
			if !seen[cr.Name] {
				seen[cr.Name] = true
				latest = append(latest, cr)
			}
		}
		runs = latest
	}
	lo, hi := c.paginate(len(runs))
	list := make([]any, 0, hi-lo)
	for _, cr := range runs[lo:hi] {
		list = append(list, s.checkRunJSON(c.repo, cr))
	}
	c.json(http.StatusOK, map[string]any{"total_count": len(runs), "check_runs": list})
}

func (s *Server) checkRunJSON(r *repo, cr *CheckRun) map[string]any {
	api := fmt.Sprintf("%srepos/%s/check-runs/%d", s.URL(), r.fullName(), cr.ID)
	html := fmt.Sprintf("%s/%s/runs/%d", s.htmlBase(), r.fullName(), cr.ID)
	details := cr.DetailsURL
	if details == "" {
		details = "https://clerkguard.example"
	}
	var completed, conclusion any
	if !cr.CompletedAt.IsZero() {
		completed = fmtTime(cr.CompletedAt)
	}
	if cr.Conclusion != "" {
		conclusion = cr.Conclusion
	}
	prs := []any{}
	for _, n := range sortedPRNumbers(r) {
		p := r.prs[n]
		if p.head.commitSHA != cr.HeadSHA || p.forkRepo != nil {
			continue
		}
		repoRef := map[string]any{"id": r.id, "url": s.URL() + "repos/" + r.fullName(), "name": r.name}
		prs = append(prs, map[string]any{
			"id": p.id, "number": n, "url": fmt.Sprintf("%srepos/%s/pulls/%d", s.URL(), r.fullName(), n),
			"head": map[string]any{"ref": p.spec.HeadRef, "sha": p.head.commitSHA, "repo": repoRef},
			"base": map[string]any{"ref": p.spec.BaseRef, "sha": p.baseTip.commitSHA, "repo": repoRef},
		})
	}
	app := s.appJSON()
	delete(app, "installations_count")
	return map[string]any{
		"id": cr.ID, "head_sha": cr.HeadSHA, "node_id": cr.NodeID, "external_id": cr.ExternalID,
		"url": api, "html_url": html, "details_url": details, "status": cr.Status, "conclusion": conclusion,
		"started_at": fmtTime(cr.StartedAt), "completed_at": completed, "name": cr.Name,
		"output": map[string]any{
			"title": nilIfEmpty(cr.Output.Title), "summary": nilIfEmpty(cr.Output.Summary), "text": nilIfEmpty(cr.Output.Text),
			"annotations_count": len(cr.Annotations), "annotations_url": api + "/annotations",
		},
		"check_suite":   map[string]any{"id": cr.SuiteID},
		"app":           app,
		"pull_requests": prs,
	}
}

func sortedPRNumbers(r *repo) []int {
	ns := make([]int, 0, len(r.prs))
	for n := range r.prs {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}
