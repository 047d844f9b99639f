// Package review is the App's review job: it mints a narrowed
// installation token, creates the check run at once, reads the base
// branch's configuration, fetches the diff and the files the project model
// needs, runs the engine in diff mode, posts one review and completes the
// check run. Retries are safe: existing check runs and comments are found
// by their external ID and fingerprints, never posted twice.
package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/report"
)

// Request identifies one review. Fields tagged unique make the durable
// queue's uniqueness key: (installation, repo, PR, head SHA), plus the
// delivery of an explicit re-run request.
type Request struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	RepoID         int64  `json:"repo_id"`
	PR             int    `json:"pr" river:"unique"`
	HeadSHA        string `json:"head_sha" river:"unique"`
	// BaseSHA is set for merge groups, which have no pull request.
	BaseSHA string `json:"base_sha,omitempty" river:"unique"`
	Rerun   string `json:"rerun,omitempty" river:"unique"`
	// RerunOf names what an explicit re-run request asks to re-run, from
	// the signed payload: "check_run/<id>/<action>" or
	// "check_suite/<id>/pr<N>". The queue makes the requests for one
	// RerunOf within its re-run window one job, so a payload replayed under
	// fresh delivery IDs triggers no new reviews.
	RerunOf string `json:"rerun_of,omitempty"`
	// BaseRef is the pull request's base branch from the webhook payload,
	// when known: the review reads its configuration with the pull
	// request's state in one request.
	BaseRef    string `json:"base_ref,omitempty"`
	DeliveryID string `json:"delivery_id,omitempty"`
	Trigger    string `json:"trigger,omitempty"`
}

// Key is the stable identity of the request, used as the check run's
// external_id so a retried job finds its own run.
func (r Request) Key() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d/%s/%s/%d/%s/%s/%s", r.InstallationID, r.Owner, r.Repo, r.PR, r.HeadSHA, r.BaseSHA, r.Rerun)))
	return "clerkguard:" + hex.EncodeToString(h[:12])
}

// LeaseKey names the work of the request for the queue's guard against two
// executions at once: the same installation, repository, pull request and
// commits. It leaves out Rerun, so a re-run waits for the run it repeats.
func (r Request) LeaseKey() string {
	return fmt.Sprintf("review/%d/%s/%s/%d/%s/%s", r.InstallationID, r.Owner, r.Repo, r.PR, r.HeadSHA, r.BaseSHA)
}

// DefaultAnalysisTimeout bounds the engine's run of one review when
// Reviewer.AnalysisTimeout is not set.
const DefaultAnalysisTimeout = 5 * time.Minute

// analysisContext is the deadline of the engine's run: AnalysisTimeout,
// and never later than the job's own deadline less a fifth of the time
// left (at most two minutes), kept to publish the partial result.
func (rv *Reviewer) analysisContext(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	d := rv.AnalysisTimeout
	if d <= 0 {
		d = DefaultAnalysisTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		d = min(d, left-min(left/5, 2*time.Minute))
	}
	actx, cancel := context.WithTimeoutCause(ctx, d, fmt.Errorf("the analysis time limit of %s passed", d.Round(time.Second)))
	return actx, cancel, d
}

// Metrics is what the job reports.
type Metrics interface {
	ObserveReview(conclusion string, d time.Duration)
	// ObserveReviewRequests is told the GitHub requests of one attempt.
	ObserveReviewRequests(n int64)
}

// Reviewer runs review jobs.
type Reviewer struct {
	// GitHub connects each review to GitHub (Over(Creator) when nil).
	GitHub         Connector
	Creator        *ghclient.Creator
	Rules          []*rules.Rule
	Log            *slog.Logger
	Cache          *BlobCache
	MaxAnnotations int
	MaxComments    int
	Metrics        Metrics
	// Budget bounds the files and bytes one review reads (DefaultMaxFiles
	// and DefaultMaxBytes when zero).
	Budget Budget
	// PartialConclusion concludes a review that could not analyse every file
	// it wanted (publish.Failure when empty).
	PartialConclusion string
	// OnError concludes a review that itself failed after its last attempt
	// (rules.OnErrorNeutral when empty, or rules.OnErrorFailure); the
	// base configuration's on_error, when this attempt read it, wins.
	OnError string
	// DetailsURL, when set, is the check run's details link.
	DetailsURL string
	// AnalysisTimeout bounds the engine's run (0: DefaultAnalysisTimeout).
	// It is enforced even when a rule never returns: the review is then
	// published as partial, naming the rules that did not finish.
	AnalysisTimeout time.Duration
}

// Permanent marks errors that retrying cannot fix.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// permanentIf marks err permanent when GitHub refused it for good: an API
// call answered 401, 403, 404 or 410, or the installation token's request
// did (an installation that was deleted answers 404, a suspended one 403),
// which no retry changes.
func permanentIf(err error) error {
	code := 0
	var ge *github.ErrorResponse
	var te *ghinstallation.HTTPError
	switch {
	case errors.As(err, &ge) && ge.Response != nil:
		code = ge.Response.StatusCode
	case errors.As(err, &te) && te.Response != nil:
		code = te.Response.StatusCode
	}
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return &Permanent{err}
	}
	return err
}

// RunStore is the job store's record of each request's check run (by
// Request.Key): a review creates its run once and a retried or redelivered
// review finds it there, without listing the head's check runs. id is 0
// when nothing is recorded.
type RunStore interface {
	CheckRun(ctx context.Context, key string) (id int64, completed bool, err error)
	SaveCheckRun(ctx context.Context, key string, id int64, completed bool) error
}

// Attempt is one execution of a review job.
type Attempt struct {
	N     int  // 1 for the first attempt
	Final bool // the job's last attempt
	Runs  RunStore
}

// Review runs one review. On the job's last attempt (at.Final) an error
// completes the check run with the reason, so a required check never
// stays stuck, as neutral or failure by the failure policy (see
// failedOutput). The work is four steps with explicit inputs and outputs:
// plan (the pull request's state and configuration), fetch (the files),
// analyse (the engine) and publish (comments, replies, the check run).
func (rv *Reviewer) Review(ctx context.Context, req Request, at Attempt) (err error) {
	final := at.Final
	start := time.Now()
	log := rv.Log.With("delivery", req.DeliveryID, "installation", req.InstallationID,
		"repo", req.Owner+"/"+req.Repo, "pr", req.PR, "sha", req.HeadSHA)
	gh, err := rv.connector().Connect(ctx, req)
	if err != nil {
		return &Permanent{err}
	}
	defer func() {
		if rv.Metrics != nil {
			rv.Metrics.ObserveReviewRequests(gh.Requests())
		}
	}()
	runID, done, err := rv.ensureCheckRun(ctx, gh, req, at)
	if err != nil {
		return permanentIf(fmt.Errorf("create check run: %w", err))
	}
	if done {
		log.Info("check run already completed; nothing to do", "check_run", runID)
		return nil
	}
	log = log.With("check_run", runID)
	repoOnError := "" // the base configuration's on_error, once read
	defer func() {
		if err == nil {
			return
		}
		var perm *Permanent
		if final || errors.As(err, &perm) {
			out := failedOutput(req, err, rv.onError(repoOnError))
			if cerr := rv.complete(context.WithoutCancel(ctx), gh, req, runID, out, at.Runs); cerr != nil {
				log.Error("could not complete the check run after a failure", "err", cerr)
			}
			log.Error("review failed", "err", err, "final", true, "conclusion", out.Conclusion)
			rv.observe(out.Conclusion, start)
		}
	}()

	p, err := rv.plan(ctx, gh, req, log)
	if err != nil {
		return err
	}
	repoOnError = p.onError
	out := p.superseded
	if out == nil {
		g, err := rv.fetch(ctx, gh, req, p, log)
		if err != nil {
			return err
		}
		a, err := rv.analyse(ctx, p, g, log)
		if err != nil {
			return err
		}
		o, err := rv.publish(ctx, gh, req, p, g, a, log)
		if err != nil {
			return err
		}
		out = &o
	}
	if err := rv.complete(ctx, gh, req, runID, *out, at.Runs); err != nil {
		return permanentIf(fmt.Errorf("complete check run: %w", err))
	}
	log.Info("review completed", "conclusion", out.Conclusion, "annotations", len(out.Annotations), "duration_ms", time.Since(start).Milliseconds())
	rv.observe(out.Conclusion, start)
	return nil
}

// connector is rv.GitHub, or go-github over rv.Creator.
func (rv *Reviewer) connector() Connector {
	if rv.GitHub != nil {
		return rv.GitHub
	}
	return Over(rv.Creator)
}

// onError is the failure policy's conclusion: the repository's on_error
// when set, else the server's, else neutral.
func (rv *Reviewer) onError(repo string) string {
	for _, p := range []string{repo, rv.OnError} {
		if p == rules.OnErrorFailure || p == rules.OnErrorNeutral {
			return p
		}
	}
	return rules.OnErrorNeutral
}

// failedOutput is the check run of a review that itself failed: concluded
// by the failure policy (conclusion is publish.Neutral or publish.Failure).
func failedOutput(req Request, err error, conclusion string) publish.Output {
	effect := "so this check does not block the merge (failure policy: neutral)"
	if conclusion == publish.Failure {
		effect = "so this check fails and blocks a merge that requires it (failure policy: failure)"
	}
	return publish.Output{Conclusion: conclusion, Title: "clerkguard could not complete the review",
		Summary: fmt.Sprintf("The review of `%s` failed after retries and was not completed, %s.\n\nReason: %s\n\nRe-run the check to try again.",
			short(req.HeadSHA), effect, report.InertClip(err.Error(), 4<<10))}
}

func (rv *Reviewer) observe(c string, start time.Time) {
	if rv.Metrics != nil {
		rv.Metrics.ObserveReview(c, time.Since(start))
	}
}

// ensureCheckRun finds this request's run or creates it in_progress. done
// is true when the run is already completed. The job store records the
// run; only a retry that finds no record (a store from before the record,
// or a crash between creating the run and recording it) lists the head's
// runs for the one with this request's external_id.
//
// A retry that finds the run recorded as not completed asks GitHub too:
// the store records a completion after GitHub has it, so a process that
// died (or lost GitHub's answer) in between left a completed run recorded
// as running. Redoing it would overwrite its conclusion with whatever the
// pull request looks like now, "superseded" once a newer head is pushed.
func (rv *Reviewer) ensureCheckRun(ctx context.Context, gh GitHub, req Request, at Attempt) (int64, bool, error) {
	key := req.Key()
	if at.Runs != nil {
		id, completed, err := at.Runs.CheckRun(ctx, key)
		if err != nil {
			return 0, false, fmt.Errorf("read the job store's check run: %w", err)
		}
		if id != 0 && (completed || !retried(req, at)) {
			return id, completed, nil
		}
		if id != 0 {
			found, done, err := rv.findCheckRun(ctx, gh, req, at)
			if err != nil {
				return 0, false, err
			}
			if found == id && done {
				if serr := at.Runs.SaveCheckRun(ctx, key, id, true); serr != nil {
					return 0, false, fmt.Errorf("record the check run in the job store: %w", serr)
				}
			}
			return id, found == id && done, nil
		}
	}
	id, done, err := rv.findCheckRun(ctx, gh, req, at)
	if err == nil && id == 0 {
		id, err = rv.createCheckRun(ctx, gh, req)
	}
	if err == nil && at.Runs != nil {
		if serr := at.Runs.SaveCheckRun(ctx, key, id, done); serr != nil {
			return 0, false, fmt.Errorf("record the check run in the job store: %w", serr)
		}
	}
	return id, done, err
}

// findCheckRun lists the head's runs for this request's external_id. The
// first attempt of a job a webhook delivery made has none to find when the
// store records no run: every run this App creates for a request is
// recorded before the attempt that created it goes on. A job of the stuck-run
// sweep is there because a run exists, so it always lists.
func (rv *Reviewer) findCheckRun(ctx context.Context, gh GitHub, req Request, at Attempt) (int64, bool, error) {
	if at.Runs != nil && !retried(req, at) {
		return 0, false, nil
	}
	runs, err := gh.CheckRuns(ctx, req.HeadSHA)
	if err != nil {
		return 0, false, err
	}
	key := req.Key()
	for _, cr := range runs {
		if cr.GetExternalID() == key {
			return cr.GetID(), cr.GetStatus() == "completed", nil
		}
	}
	return 0, false, nil
}

// retried is false for the first execution of a job a webhook delivery
// made: no earlier execution can have created or completed its run.
func retried(req Request, at Attempt) bool {
	return at.N > 1 || req.DeliveryID == ""
}

// createCheckRun creates the request's run, in_progress.
func (rv *Reviewer) createCheckRun(ctx context.Context, gh GitHub, req Request) (int64, error) {
	in := github.CreateCheckRunOptions{Name: publish.CheckName, HeadSHA: req.HeadSHA, ExternalID: github.String(req.Key()),
		Status: github.String("in_progress"), StartedAt: &github.Timestamp{Time: time.Now()},
		Output: &github.CheckRunOutput{Title: github.String("Reviewing Clerk configuration"), Summary: github.String("clerkguard is reviewing this change.")}}
	if rv.DetailsURL != "" {
		in.DetailsURL = github.String(rv.DetailsURL)
	}
	return gh.CreateCheckRun(ctx, in)
}

// complete writes the final output: the first 50 annotations with the
// conclusion, then the rest appended 50 per update.
// The job store records the completion, so a redelivery finds it done.
func (rv *Reviewer) complete(ctx context.Context, gh GitHub, req Request, id int64, out publish.Output, runs RunStore) error {
	batches := publish.Batches(out.Annotations)
	first := []*github.CheckRunAnnotation(nil)
	if len(batches) > 0 {
		first = batches[0]
		batches = batches[1:]
	}
	output := &github.CheckRunOutput{Title: github.String(out.Title), Summary: github.String(out.Summary), Annotations: first}
	if out.Text != "" {
		output.Text = github.String(out.Text)
	}
	// Append the remaining annotations first, while the run is in progress,
	// then conclude: a completed run is never left half-annotated.
	for _, b := range batches {
		if err := gh.UpdateCheckRun(ctx, id, github.UpdateCheckRunOptions{
			Name: publish.CheckName, Output: &github.CheckRunOutput{Title: github.String(out.Title), Summary: github.String(out.Summary), Annotations: b}}); err != nil {
			return err
		}
	}
	err := gh.UpdateCheckRun(ctx, id, github.UpdateCheckRunOptions{
		Name: publish.CheckName, Status: github.String("completed"), Conclusion: github.String(out.Conclusion),
		CompletedAt: &github.Timestamp{Time: time.Now()}, Output: output, Actions: publish.Actions()})
	if err == nil && runs != nil {
		if serr := runs.SaveCheckRun(ctx, req.Key(), id, true); serr != nil {
			rv.Log.Warn("could not record the completed check run in the job store", "check_run", id, "err", serr)
		}
	}
	return err
}

// planned is the plan step's output: what the review will read and under
// which configuration.
type planned struct {
	st               *prState // nil for a merge group
	baseRef, baseSHA string
	cfg              *rules.Config
	cfgReport        publish.ConfigReport
	// onError is the base configuration's failure policy ("" when unset).
	onError string
	// superseded, when set, is the whole outcome: a newer head was pushed.
	superseded *publish.Output
}

// plan reads the pull request's state and the base's configuration. An
// invalid base configuration is reported, never a reason not to review: a
// pull request that fixes the file must be able to pass.
func (rv *Reviewer) plan(ctx context.Context, gh GitHub, req Request, log *slog.Logger) (*planned, error) {
	p := &planned{baseRef: req.BaseSHA, baseSHA: req.BaseSHA}
	if req.PR > 0 {
		st, err := readPRState(ctx, gh, req)
		if err != nil {
			return nil, permanentIf(err)
		}
		if st.head != req.HeadSHA {
			log.Info("superseded by a newer head", "newer", st.head)
			p.superseded = &publish.Output{Conclusion: publish.Cancelled, Title: "Superseded by " + short(st.head),
				Summary: fmt.Sprintf("A newer commit `%s` was pushed to this pull request; its review replaces this one.", st.head)}
			return p, nil
		}
		p.st, p.baseRef, p.baseSHA = st, st.baseRef, st.baseSHA
	}
	var err error
	cfgPath := rules.ConfigPath
	switch st := p.st; {
	case st != nil && st.configRead && st.configErr != nil:
		cfgPath, err = st.configErr.File, st.configErr
	case st != nil && st.configRead:
		if st.config != nil {
			cfgPath = st.configPath
			p.cfg, err = rules.ParseConfig([]byte(*st.config), rv.Rules)
		}
	default:
		p.cfg, cfgPath, err = rv.loadConfig(ctx, gh, p.baseRef)
	}
	p.cfgReport.Path = cfgPath
	if ce := (*rules.ConfigError)(nil); errors.As(err, &ce) {
		log.Warn("the base branch's configuration is invalid; reviewing with the defaults", "err", ce)
		p.cfg, p.cfgReport.BaseErr, err = nil, ce, nil
	}
	if err != nil {
		return nil, err
	}
	if p.cfg != nil {
		p.cfgReport.BaseWarnings = p.cfg.Warnings
		p.onError = p.cfg.OnError
	}
	return p, nil
}

// fetch reads what the review analyses (see gather) and, when the pull
// request edits the configuration, checks its new version; the review
// itself keeps the base's.
func (rv *Reviewer) fetch(ctx context.Context, gh GitHub, req Request, p *planned, log *slog.Logger) (*gathered, error) {
	g, err := rv.gather(ctx, gh, req, p.baseSHA, p.cfg, log)
	if err != nil {
		return nil, permanentIf(err)
	}
	if req.PR > 0 && (g.changed[rules.ConfigPath] || g.changed[rules.ConfigPathAlt]) {
		next, _, err := rv.loadConfig(ctx, gh, req.HeadSHA)
		switch ce := (*rules.ConfigError)(nil); {
		case errors.As(err, &ce):
			p.cfgReport.HeadErr = ce
		case err != nil:
			return nil, permanentIf(fmt.Errorf("the pull request's version: %w", err))
		case next != nil:
			p.cfgReport.HeadWarnings = next.Warnings
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return g, nil
}

// analysis is the engine's result; stopped says why it is incomplete when
// its own deadline passed.
type analysis struct {
	res     *rules.Result
	stopped string
}

// analyse runs the engine on what fetch read.
func (rv *Reviewer) analyse(ctx context.Context, p *planned, g *gathered, log *slog.Logger) (*analysis, error) {
	a := &analysis{}
	actx, cancel, limit := rv.analysisContext(ctx)
	res, err := rules.Run(actx, g.snap, rules.Options{Rules: rv.Rules, Config: p.cfg, Diff: g.idx, Base: g.base, Only: func(path string) bool { return g.only[path] }, RequireClerk: true})
	cancel()
	if ie := (*rules.IncompleteError)(nil); errors.As(err, &ie) && ctx.Err() == nil {
		// The analysis deadline passed, not the job's: publish what the
		// finished rules found; the summary lists the rules that did not.
		log.Warn("analysis stopped at its time limit; publishing a partial review", "limit", limit, "err", err)
		a.stopped = fmt.Sprintf(" The analysis did not finish within %s, so it is incomplete: %d of %d files were not fully analysed, and the rules listed below did not finish.",
			limit.Round(time.Second), ie.FilesNotDone, ie.Files)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("analyse: %w", err)
	}
	a.res = res
	return a, nil
}

// publish posts the review's comments and replies and returns the check
// run's output.
func (rv *Reviewer) publish(ctx context.Context, gh GitHub, req Request, p *planned, g *gathered, a *analysis, log *slog.Logger) (publish.Output, error) {
	failOn := rules.High
	if p.cfg != nil && p.cfg.FailOn != nil {
		failOn = *p.cfg.FailOn
	}
	res := a.res
	// Findings without an inline comment (cap, no commentable line) are in
	// the check run's summary with every other finding.
	skipped := g.skippedAfter(res)
	if req.PR > 0 && p.cfg.CommentsEnabled() {
		if err := rv.postReview(ctx, gh, req, p.st, res.Findings, g, skipped, log); err != nil {
			return publish.Output{}, permanentIf(fmt.Errorf("post review: %w", err))
		}
	}
	log.Info("review read", append(g.cost(), "skipped", len(skipped))...)
	return publish.BuildOutput(res.Findings, publish.OutputOptions{
		FailOn: failOn, MaxAnnotations: rv.MaxAnnotations, Partial: g.partial() + a.stopped, Errors: res.Errors, Skipped: skipped,
		PartialConclusion: rv.PartialConclusion,
		Config:            p.cfgReport,
		NewUnguarded:      res.NewUnguarded(),
		BlobURL:           fmt.Sprintf("https://github.com/%s/%s/blob/%s", req.Owner, req.Repo, req.HeadSHA),
	}), nil
}

// loadConfig reads the configuration at ref over REST: .github/clerkguard.yml,
// else its .yaml twin (both present is an error, as in the CLI). It
// returns the file it read.
func (rv *Reviewer) loadConfig(ctx context.Context, gh GitHub, ref string) (*rules.Config, string, error) {
	var texts []string
	var paths []string
	for _, path := range []string{rules.ConfigPath, rules.ConfigPathAlt} {
		text, err := gh.File(ctx, path, ref)
		if err != nil {
			if status(err) == http.StatusNotFound {
				continue
			}
			return nil, path, fmt.Errorf("read %s: %w", path, err)
		}
		texts, paths = append(texts, text), append(paths, path)
	}
	switch len(texts) {
	case 0:
		return nil, rules.ConfigPath, nil
	case 2:
		return nil, rules.ConfigPathAlt, &rules.ConfigError{File: rules.ConfigPathAlt, Msg: fmt.Sprintf("both %s and %s exist; keep one of them", rules.ConfigPath, rules.ConfigPathAlt)}
	}
	cfg, err := rules.ParseConfig([]byte(texts[0]), rv.Rules)
	if ce := (*rules.ConfigError)(nil); errors.As(err, &ce) && ce.File == "" {
		ce.File = paths[0]
	}
	return cfg, paths[0], err
}

// postReview posts new inline comments as one review and tells fixed
// findings' threads that they are fixed. A finding on a file this review
// did not analyse is never called fixed.
// The existing comments come from the pull request's state read at the
// start (the review's lease keeps a second execution from posting
// meanwhile); only threads beyond that request's page are listed here.
func (rv *Reviewer) postReview(ctx context.Context, gh GitHub, req Request, st *prState, fs []rules.Finding, g *gathered, skipped []rules.SkippedFile, log *slog.Logger) error {
	all := st.comments
	if !st.complete {
		var err error
		if all, err = gh.ReviewComments(ctx, req.PR); err != nil {
			return fmt.Errorf("list review comments: %w", err)
		}
	}
	bot, err := gh.BotLogin(ctx)
	if err != nil {
		return fmt.Errorf("find the App's bot user: %w", err)
	}
	existing := publish.ParseExisting(all, bot)
	max := rv.MaxComments
	if max <= 0 {
		max = 25
	}
	plan := publish.PlanReview(fs, g.anchorIndex(), existing, max, req.HeadSHA)
	if len(plan.Comments) > 0 {
		err := gh.CreateReview(ctx, req.PR, &github.PullRequestReviewRequest{
			CommitID: github.String(req.HeadSHA), Body: github.String(plan.Body), Event: github.String("COMMENT"), Comments: plan.Comments})
		if err != nil {
			return err
		}
		log.Info("review posted", "comments", len(plan.Comments))
	}
	for _, e := range plan.Fixed {
		if !g.mayCallFixed(e.Path, skipped) {
			continue
		}
		if err := gh.Reply(ctx, req.PR, e.ID, publish.FixedReply(req.HeadSHA)); err != nil {
			log.Warn("could not reply to a fixed finding's thread", "comment", e.ID, "err", err)
			continue
		}
		if err := resolveThread(ctx, gh, req, st.threads[e.ID], e.ID); err != nil {
			log.Warn("could not resolve the fixed finding's thread; the reply says it is fixed", "comment", e.ID, "err", err)
		}
	}
	return nil
}

// resolveThread resolves the review thread whose first comment is
// commentID: thread, when the pull request's state named it, else the one
// a listing finds. Callers treat failure as non-fatal: the "fixed" reply
// already says it.
func resolveThread(ctx context.Context, gh GitHub, req Request, thread string, commentID int64) error {
	if thread != "" {
		return gh.ResolveThread(ctx, thread)
	}
	ts, err := gh.ReviewThreads(ctx, req.PR)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if len(t.Comments) == 0 || t.Comments[0].GetID() != commentID {
			continue
		}
		if t.Resolved {
			return nil
		}
		return gh.ResolveThread(ctx, t.ID)
	}
	return fmt.Errorf("no review thread starts with comment %d", commentID)
}

// Kind is the durable queue's job kind.
func (Request) Kind() string { return "clerkguard_review" }
