// Package webhook receives GitHub deliveries: it verifies the signature in
// constant time against every configured secret, bounds the body, decodes
// JSON or form-encoded payloads, turns events into review requests and
// acknowledges only after the durable queue committed them. No review work
// runs on the request path.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/app/queue"
	"github.com/clerkguard/clerkguard/app/review"
)

// Limits on what an unauthenticated client can make the handler hold.
// The signature covers the whole body, so the body has to be read before
// anything in it can be trusted: it is streamed through the HMACs, held in
// memory up to MemoryBody and spilled to a temporary file beyond that, and
// at most MaxUnverified bodies are read at once. Unverified bodies thus
// hold at most MaxUnverified × MemoryBody (16 MiB) of memory, whatever
// their number and size.
const (
	// MaxBody is GitHub's payload cap ("Payloads are capped at 25 MB");
	// larger bodies get 413.
	MaxBody = 25 << 20
	// MemoryBody is how much of a body is held in memory. Deliveries of the
	// events the App receives are far smaller: a pull_request or check_run
	// payload is typically 10–60 KB and stays under 1 MB even with a 65,536
	// character description or check output; only installation events
	// listing thousands of repositories grow past it, and those spill.
	MemoryBody = 1 << 20
	// MaxUnverified is how many bodies are read and verified at once by
	// default; further requests wait for a slot up to SlotWait, then get 503
	// (GitHub records a failed delivery and the reconciler redelivers it).
	MaxUnverified = 16
	// BodyTimeout bounds reading one body. GitHub gives up on a delivery
	// after 10 seconds, so a slower sender is not GitHub, and holds a slot.
	BodyTimeout = 10 * time.Second
)

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
	OnInstall func(ctx context.Context, installation int64, repos []string) error
	// SpillDir holds the temporary files of bodies larger than MemoryBody.
	// Default: os.TempDir().
	SpillDir string
	// MaxUnverified overrides the number of bodies read at once (default
	// MaxUnverified); SlotWait how long a request waits for a slot
	// (default 5 s).
	MaxUnverified int
	SlotWait      time.Duration

	once  sync.Once
	slots chan struct{}
}

// Outcome of one delivery, for logs and metrics.
type outcome struct {
	status int
	kind   string // queued, duplicate, ignored, rejected, error
	msg    string
}

// headers are a delivery's validated headers.
type headers struct {
	event, delivery, signature string
}

var (
	// Event names are lower-case words joined by underscores.
	eventRe = regexp.MustCompile(`^[a-z][a-z_]{0,63}$`)
	// Delivery GUIDs are UUIDs; anything longer or outside this charset is
	// not from GitHub.
	deliveryRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,71}$`)
	signatureRe = regexp.MustCompile(`^sha256=[0-9a-fA-F]{64}$`)
)

// validate checks the headers the handler uses before anything reads,
// logs or counts them. Valid values are ASCII of a bounded length.
func validate(h http.Header) (headers, *outcome) {
	reject := func(status int, msg string) (headers, *outcome) {
		return headers{}, &outcome{status, "rejected", msg}
	}
	hd := headers{event: h.Get("X-GitHub-Event"), delivery: h.Get("X-GitHub-Delivery"), signature: h.Get("X-Hub-Signature-256")}
	switch {
	case hd.event == "":
		return reject(http.StatusBadRequest, "missing X-GitHub-Event")
	case !eventRe.MatchString(hd.event):
		return reject(http.StatusBadRequest, "invalid X-GitHub-Event")
	case hd.delivery == "":
		return reject(http.StatusBadRequest, "missing X-GitHub-Delivery")
	case !deliveryRe.MatchString(hd.delivery):
		return reject(http.StatusBadRequest, "invalid X-GitHub-Delivery")
	case hd.signature == "" && h.Get("X-Hub-Signature") != "":
		return reject(http.StatusUnauthorized, "X-Hub-Signature-256 is required; SHA-1 signatures are not accepted")
	case hd.signature == "":
		return reject(http.StatusUnauthorized, "missing X-Hub-Signature-256")
	case !signatureRe.MatchString(hd.signature):
		return reject(http.StatusBadRequest, "invalid X-Hub-Signature-256: want sha256= and 64 hex digits")
	}
	return hd, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := h.Log
	hd, bad := validate(r.Header)
	var o outcome
	switch {
	case r.Method != http.MethodPost:
		o = outcome{http.StatusMethodNotAllowed, "rejected", "POST only"}
	case bad != nil:
		o = *bad
	default:
		log = log.With("delivery", hd.delivery, "event", hd.event)
		o = h.handle(w, r, hd, log)
	}
	if o.status >= 400 {
		log.Warn("webhook rejected", "status", o.status, "reason", o.msg)
	}
	if h.Obs != nil {
		// Only validated values reach the label; the observer maps events
		// outside its fixed set to "other".
		h.Obs.ObserveDelivery(hd.event, o.kind, time.Since(start))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(o.status)
	io.WriteString(w, o.msg+"\n")
}

// acquire takes a slot for reading an unverified body; it reports false
// when none frees up within SlotWait or the request ends first.
func (h *Handler) acquire(ctx context.Context) (release func(), ok bool) {
	h.once.Do(func() {
		n := h.MaxUnverified
		if n <= 0 {
			n = MaxUnverified
		}
		h.slots = make(chan struct{}, n)
	})
	wait := h.SlotWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, true
	case <-ctx.Done():
	case <-t.C:
	}
	return nil, false
}

// readVerified streams the body through the HMACs into a spool and
// reports whether the signature matches. The caller closes the spool.
func (h *Handler) readVerified(w http.ResponseWriter, r *http.Request, sig string) (*spool, *outcome) {
	release, ok := h.acquire(r.Context())
	if !ok {
		return nil, &outcome{http.StatusServiceUnavailable, "error", "too many deliveries in progress; retry later"}
	}
	defer release()
	// A sender slower than GitHub's own 10 s delivery timeout holds a slot
	// for nothing. Writers without deadlines (tests) leave it unset.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(BodyTimeout))
	v := newVerifier(h.Secrets)
	sp := &spool{dir: h.SpillDir, max: MemoryBody}
	_, err := io.Copy(io.MultiWriter(v, sp), http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		sp.Close()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &outcome{http.StatusRequestEntityTooLarge, "rejected", "payload larger than 25 MB"}
		}
		if errors.Is(err, errSpill) {
			h.Log.Error("could not spill a large webhook body to disk", "err", err)
			return nil, &outcome{http.StatusServiceUnavailable, "error", "could not buffer the body; it will be redelivered"}
		}
		return nil, &outcome{http.StatusBadRequest, "rejected", "could not read the body"}
	}
	if !v.match(sig) {
		sp.Close()
		return nil, &outcome{http.StatusUnauthorized, "rejected", "signature does not match"}
	}
	return sp, nil
}

func (h *Handler) handle(w http.ResponseWriter, r *http.Request, hd headers, log *slog.Logger) outcome {
	event, delivery := hd.event, hd.delivery
	if _, err := mediaType(r.Header.Get("Content-Type")); err != nil {
		return outcome{http.StatusUnsupportedMediaType, "rejected", err.Error()}
	}
	if r.ContentLength > MaxBody {
		return outcome{http.StatusRequestEntityTooLarge, "rejected", "payload larger than 25 MB"}
	}
	sp, bad := h.readVerified(w, r, hd.signature)
	if bad != nil {
		return *bad
	}
	defer sp.Close()
	body, err := sp.Bytes()
	if err != nil {
		log.Error("could not read back a spilled webhook body", "err", err)
		return outcome{http.StatusServiceUnavailable, "error", "could not read the buffered body; it will be redelivered"}
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
	if inst, repos, ok := installed(event, payload); ignore != "" && h.OnInstall != nil && ok {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if err := h.OnInstall(ctx, inst, repos); err != nil {
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
	msg := fmt.Sprintf("queued %d review(s), %d already queued or done", res.Inserted, res.Existing)
	if res.Coalesced > 0 {
		log.Info("re-run request merged with one made within the re-run window", "requests", res.Coalesced)
		msg += fmt.Sprintf(", %d re-run request(s) merged with a recent one", res.Coalesced)
	}
	return outcome{http.StatusAccepted, "queued", msg}
}

// Verify checks sig ("sha256=<hex>") against every secret in constant time.
func Verify(secrets [][]byte, body []byte, sig string) bool {
	v := newVerifier(secrets)
	v.Write(body)
	return v.match(sig)
}

var errContentType = errors.New("unsupported content type: GitHub sends application/json or application/x-www-form-urlencoded")

// mediaType is the delivery's media type: JSON (also when the header is
// absent) or form-encoded.
func mediaType(contentType string) (string, error) {
	if contentType == "" {
		return "application/json", nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mt != "application/json" && mt != "application/x-www-form-urlencoded") {
		return "", errContentType
	}
	return mt, nil
}

// decodeBody returns the JSON payload of a JSON or form-encoded delivery.
func decodeBody(contentType string, body []byte) ([]byte, error) {
	mt, err := mediaType(contentType)
	if err != nil {
		return nil, err
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
		r := reqFor(e.Repository, e.Installation, n, e.PullRequest.Head.SHA, "", delivery, "pull_request."+e.Action)
		r.BaseRef = e.PullRequest.Base.Ref
		return []review.Request{r}, "", nil
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
		// The delivery ID is not signed, so the queue also keys it by the
		// check run it re-runs, which is.
		r := reqFor(e.Repository, e.Installation, pr, e.CheckRun.HeadSHA, delivery, delivery, "check_run."+e.Action)
		r.RerunOf = rerunOf("check_run", e.CheckRun.ID, e.Action, r)
		return []review.Request{r}, "", nil
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
			r := reqFor(e.Repository, e.Installation, p.Number, e.CheckSuite.HeadSHA, rerun, delivery, "check_suite."+e.Action)
			if rerun != "" {
				r.RerunOf = rerunOf("check_suite", e.CheckSuite.ID, fmt.Sprintf("pr%d", p.Number), r)
			}
			reqs = append(reqs, r)
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

// rerunOf keys a re-run request by what it re-runs: the check run or
// suite ID from the signed payload, or, when a payload lacks it, the
// repository, pull request and head SHA.
func rerunOf(kind string, id int64, detail string, r review.Request) string {
	if id > 0 {
		return fmt.Sprintf("%s/%d/%s", kind, id, detail)
	}
	return fmt.Sprintf("%s/repo%d/%s/%s/pr%d/%s", kind, r.RepoID, r.Owner, r.Repo, r.PR, r.HeadSHA) + "/" + detail
}

// isInstall reports an installation on new repositories.
// installed reports an installation created or repositories added, with
// the installation and the repositories ("owner/name") it names.
func installed(event string, payload []byte) (int64, []string, bool) {
	var e installationEvent
	if json.Unmarshal(payload, &e) != nil || e.Installation == nil || e.Installation.ID == 0 {
		return 0, nil, false
	}
	added := e.RepositoriesAdded
	switch {
	case event == "installation" && e.Action == "created":
		added = e.Repositories
	case event == "installation_repositories" && e.Action == "added":
	default:
		return 0, nil, false
	}
	var repos []string
	for _, r := range added {
		if strings.Contains(r.FullName, "/") {
			repos = append(repos, r.FullName)
		}
	}
	return e.Installation.ID, repos, true
}

func reqFor(repo *repository, inst *installation, pr int, sha, rerun, delivery, trigger string) review.Request {
	owner, name := repo.Owner.Login, repo.Name
	if (owner == "" || name == "") && strings.Contains(repo.FullName, "/") {
		owner, name, _ = strings.Cut(repo.FullName, "/")
	}
	return review.Request{InstallationID: inst.ID, Owner: owner, Repo: name, RepoID: repo.ID, PR: pr,
		HeadSHA: sha, Rerun: rerun, DeliveryID: delivery, Trigger: trigger}
}
