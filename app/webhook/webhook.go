// Package webhook receives GitHub deliveries: it verifies the signature in
// constant time against every configured secret, bounds the body, decodes
// JSON or form-encoded payloads, turns events into review requests and
// acknowledges only after the durable queue committed them. No review work
// runs on the request path.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/app/queue"
	"github.com/clerkguard/clerkguard/app/review"
)

// MaxBody is GitHub's payload cap; larger bodies get 413.
const MaxBody = 25 << 20

// Enqueuer is the durable queue's side the handler needs.
type Enqueuer interface {
	Enqueue(ctx context.Context, delivery string, reqs []review.Request) (queue.Result, error)
}

// Observer counts deliveries.
type Observer interface {
	ObserveDelivery(event, outcome string, ack time.Duration)
}

// Handler is the POST /webhook endpoint.
type Handler struct {
	Secrets [][]byte
	Queue   Enqueuer
	Log     *slog.Logger
	Obs     Observer
	// EnqueueTimeout bounds the durable write, so GitHub always gets an
	// answer well within its 10 s deadline.
	EnqueueTimeout time.Duration
	// OnInstall, when set, runs when the App is installed on repositories
	// (installation.created, installation_repositories.added): the server
	// queues a sweep that reviews their recently updated open pull requests.
	OnInstall func(ctx context.Context) error
}

// Outcome of one delivery, for logs and metrics.
type outcome struct {
	status int
	kind   string // queued, duplicate, ignored, rejected, error
	msg    string
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	log := h.Log.With("delivery", delivery, "event", event)
	o := h.handle(r, event, delivery, log)
	if o.status >= 400 {
		log.Warn("webhook rejected", "status", o.status, "reason", o.msg)
	}
	if h.Obs != nil {
		label := event
		if label == "" || len(label) > 40 {
			label = "unknown"
		}
		h.Obs.ObserveDelivery(label, o.kind, time.Since(start))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(o.status)
	io.WriteString(w, o.msg+"\n")
}

func (h *Handler) handle(r *http.Request, event, delivery string, log *slog.Logger) outcome {
	if r.Method != http.MethodPost {
		return outcome{http.StatusMethodNotAllowed, "rejected", "POST only"}
	}
	if r.ContentLength > MaxBody {
		return outcome{http.StatusRequestEntityTooLarge, "rejected", "payload larger than 25 MB"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return outcome{http.StatusRequestEntityTooLarge, "rejected", "payload larger than 25 MB"}
		}
		return outcome{http.StatusBadRequest, "rejected", "could not read the body"}
	}
	sig := r.Header.Get("X-Hub-Signature-256")
	if sig == "" {
		if r.Header.Get("X-Hub-Signature") != "" {
			return outcome{http.StatusUnauthorized, "rejected", "X-Hub-Signature-256 is required; SHA-1 signatures are not accepted"}
		}
		return outcome{http.StatusUnauthorized, "rejected", "missing X-Hub-Signature-256"}
	}
	if !Verify(h.Secrets, body, sig) {
		return outcome{http.StatusUnauthorized, "rejected", "signature does not match"}
	}
	if event == "" {
		return outcome{http.StatusBadRequest, "rejected", "missing X-GitHub-Event"}
	}
	if delivery == "" {
		return outcome{http.StatusBadRequest, "rejected", "missing X-GitHub-Delivery"}
	}
	payload, err := decodeBody(r.Header.Get("Content-Type"), body)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errContentType) {
			status = http.StatusUnsupportedMediaType
		}
		return outcome{status, "rejected", err.Error()}
	}
	reqs, ignore, err := Requests(event, delivery, payload)
	if err != nil {
		return outcome{http.StatusBadRequest, "rejected", err.Error()}
	}
	if event == "ping" {
		return outcome{http.StatusOK, "ignored", "pong"}
	}
	if ignore != "" && h.OnInstall != nil && isInstall(event, payload) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if err := h.OnInstall(ctx); err != nil {
			log.Error("could not queue the sweep for new repositories", "err", err)
			return outcome{http.StatusServiceUnavailable, "error", "could not queue the sweep; it will be redelivered"}
		}
		log.Info("installation: open pull requests of the new repositories will be reviewed", "detail", ignore)
		return outcome{http.StatusAccepted, "queued", "queued a review of open pull requests"}
	}
	if ignore != "" {
		log.Info("webhook ignored", "reason", ignore)
		return outcome{http.StatusAccepted, "ignored", "ignored: " + ignore}
	}
	timeout := h.EnqueueTimeout
	if timeout <= 0 {
		timeout = 8 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
	defer cancel()
	res, err := h.Queue.Enqueue(ctx, delivery, reqs)
	if err != nil {
		// 503 makes the delivery "failed" at GitHub, so the reconciler
		// redelivers it: nothing is lost.
		log.Error("could not queue the delivery", "err", err)
		return outcome{http.StatusServiceUnavailable, "error", "could not queue the delivery; it will be redelivered"}
	}
	if res.Duplicate {
		log.Info("duplicate delivery", "jobs", len(reqs))
		return outcome{http.StatusOK, "duplicate", "duplicate delivery"}
	}
	for _, rq := range reqs {
		log.Info("review queued", "installation", rq.InstallationID, "repo", rq.Owner+"/"+rq.Repo, "pr", rq.PR, "sha", rq.HeadSHA, "trigger", rq.Trigger)
	}
	return outcome{http.StatusAccepted, "queued", fmt.Sprintf("queued %d review(s), %d already queued or done", res.Inserted, res.Existing)}
}

// Verify checks sig ("sha256=<hex>") against every secret in constant time.
func Verify(secrets [][]byte, body []byte, sig string) bool {
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	match := false
	for _, s := range secrets {
		m := hmac.New(sha256.New, s)
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) {
			match = true // no early return: time does not depend on which secret matched
		}
	}
	return match
}

var errContentType = errors.New("unsupported content type: GitHub sends application/json or application/x-www-form-urlencoded")

// decodeBody returns the JSON payload of a JSON or form-encoded delivery.
func decodeBody(contentType string, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mt, err = "application/json", nil
	}
	if err != nil {
		return nil, errContentType
	}
	switch mt {
	case "application/json":
		return body, nil
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("malformed form body: %w", err)
		}
		p := v.Get("payload")
		if p == "" {
			return nil, errors.New("form body has no payload field")
		}
		return []byte(p), nil
	}
	return nil, errContentType
}

// Requests turns a delivery into review requests. ignore explains why a
// well-formed event needs no work. Every request it returns names an
// installation, a repository and a head SHA.
func Requests(event, delivery string, payload []byte) (reqs []review.Request, ignore string, err error) {
	reqs, ignore, err = requests(event, delivery, payload)
	for _, r := range reqs {
		if r.InstallationID <= 0 || r.Owner == "" || r.Repo == "" || r.HeadSHA == "" || (r.PR <= 0 && r.BaseSHA == "") {
			return nil, "", fmt.Errorf("malformed %s payload: missing installation, repository, pull request or head SHA", event)
		}
	}
	return reqs, ignore, err
}

func requests(event, delivery string, payload []byte) (reqs []review.Request, ignore string, err error) {
	if !json.Valid(payload) {
		return nil, "", errors.New("malformed JSON payload")
	}
	bad := func(e error) ([]review.Request, string, error) {
		return nil, "", fmt.Errorf("malformed %s payload: %w", event, e)
	}
	switch event {
	case "ping":
		return nil, "ping", nil
	case "pull_request":
		var e pullRequestEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return bad(err)
		}
		switch e.Action {
		case "opened", "synchronize", "reopened", "ready_for_review":
		case "edited":
			if e.Changes == nil || e.Changes.Base == nil {
				return nil, "pull_request.edited without a base change", nil
			}
		default:
			return nil, "pull_request." + e.Action, nil
		}
		if e.Repository == nil || e.Installation == nil || e.PullRequest.Head.SHA == "" {
			return bad(errors.New("missing repository, installation or head SHA"))
		}
		n := e.PullRequest.Number
		if n == 0 {
			n = e.Number
		}
		return []review.Request{reqFor(e.Repository, e.Installation, n, e.PullRequest.Head.SHA, "", delivery, "pull_request."+e.Action)}, "", nil
	case "check_run":
		var e checkRunEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return bad(err)
		}
		switch e.Action {
		case "rerequested":
		case "requested_action":
			if e.RequestedAction == nil || e.RequestedAction.Identifier != publish.RerunAction {
				return nil, "unknown requested action", nil
			}
		default:
			return nil, "check_run." + e.Action, nil
		}
		if e.CheckRun.Name != "" && e.CheckRun.Name != publish.CheckName {
			return nil, "check run of another name: " + e.CheckRun.Name, nil
		}
		if e.Repository == nil || e.Installation == nil || e.CheckRun.HeadSHA == "" {
			return bad(errors.New("missing repository, installation or head SHA"))
		}
		pr := 0
		if len(e.CheckRun.PullRequests) > 0 {
			pr = e.CheckRun.PullRequests[0].Number
		}
		if pr == 0 {
			return nil, "check run without a pull request", nil
		}
		// A re-run creates a new check run: the delivery makes it unique.
		return []review.Request{reqFor(e.Repository, e.Installation, pr, e.CheckRun.HeadSHA, delivery, delivery, "check_run."+e.Action)}, "", nil
	case "check_suite":
		var e checkSuiteEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return bad(err)
		}
		if e.Action != "requested" && e.Action != "rerequested" {
			return nil, "check_suite." + e.Action, nil
		}
		if e.Repository == nil || e.Installation == nil {
			return bad(errors.New("missing repository or installation"))
		}
		rerun := ""
		if e.Action == "rerequested" {
			rerun = delivery
		}
		for _, p := range e.CheckSuite.PullRequests {
			reqs = append(reqs, reqFor(e.Repository, e.Installation, p.Number, e.CheckSuite.HeadSHA, rerun, delivery, "check_suite."+e.Action))
		}
		if len(reqs) == 0 {
			// Fork pushes carry no pull requests; pull_request events cover them.
			return nil, "check suite without pull requests", nil
		}
		return reqs, "", nil
	case "merge_group":
		var e mergeGroupEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return bad(err)
		}
		if e.Action != "checks_requested" {
			return nil, "merge_group." + e.Action, nil
		}
		if e.Repository == nil || e.Installation == nil || e.MergeGroup.HeadSHA == "" || e.MergeGroup.BaseSHA == "" {
			return bad(errors.New("missing repository, installation or SHAs"))
		}
		r := reqFor(e.Repository, e.Installation, 0, e.MergeGroup.HeadSHA, "", delivery, "merge_group.checks_requested")
		r.BaseSHA = e.MergeGroup.BaseSHA
		return []review.Request{r}, "", nil
	case "installation", "installation_repositories":
		var e installationEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return bad(err)
		}
		return nil, fmt.Sprintf("%s.%s: %d repositories added, %d removed (open pull requests are reviewed on their next push)",
			event, e.Action, len(e.Repositories)+len(e.RepositoriesAdded), len(e.RepositoriesRemoved)), nil
	}
	return nil, "event " + event + " is not handled", nil
}

// isInstall reports an installation on new repositories.
func isInstall(event string, payload []byte) bool {
	var e struct {
		Action string `json:"action"`
	}
	if json.Unmarshal(payload, &e) != nil {
		return false
	}
	return (event == "installation" && e.Action == "created") || (event == "installation_repositories" && e.Action == "added")
}

func reqFor(repo *repository, inst *installation, pr int, sha, rerun, delivery, trigger string) review.Request {
	owner, name := repo.Owner.Login, repo.Name
	if (owner == "" || name == "") && strings.Contains(repo.FullName, "/") {
		owner, name, _ = strings.Cut(repo.FullName, "/")
	}
	return review.Request{InstallationID: inst.ID, Owner: owner, Repo: name, RepoID: repo.ID, PR: pr,
		HeadSHA: sha, Rerun: rerun, DeliveryID: delivery, Trigger: trigger}
}
