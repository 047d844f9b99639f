package maintain

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/review"
)

// Sweeper re-enqueues the reviews whose check runs were left queued or in
// progress (for example when the job store was lost), and reviews open
// pull requests updated recently that have no check run of this App at all
// (an event GitHub never delivered). Enqueueing is unique by (installation,
// repo, PR, head SHA), so a job that still exists is not duplicated.
type Sweeper struct {
	GitHub  GitHub
	Enqueue func(ctx context.Context, reqs []review.Request) error
	Log     *slog.Logger
	// Recent bounds which open PRs without a run are reviewed (default 72h).
	Recent time.Duration
	// MaxPRs bounds one sweep.
	MaxPRs int
	// Pace is the wait between two repositories' listings (0: none).
	Pace time.Duration
	Now  func() time.Time
}

// Run performs one sweep and returns the number of reviews enqueued.
func (s *Sweeper) Run(ctx context.Context) (int, error) {
	insts, err := s.GitHub.Installations(ctx)
	if err != nil {
		return 0, err
	}
	c := s.crawler()
	for _, inst := range insts {
		c.installation(ctx, inst, nil)
	}
	return c.enqueue(ctx, len(insts))
}

// Crawl reviews the recently updated open pull requests of one
// installation's repositories (repos, "owner/name"; none: all of the
// installation's), for an installation or repositories just added. It
// lists nothing else, and waits Pace between repositories.
func (s *Sweeper) Crawl(ctx context.Context, installation int64, repos []string) (int, error) {
	c := s.crawler()
	c.recentOnly = true
	c.installation(ctx, installation, repos)
	return c.enqueue(ctx, 1)
}

// crawl is one sweep's or crawl's state.
type crawl struct {
	s      *Sweeper
	since  time.Time
	maxPRs int
	// recentOnly stops a repository's listing at its first pull request
	// not updated since (a crawl; the sweep also looks for stuck runs).
	recentOnly bool
	checked    int
	repos      int
	reqs       []review.Request
}

func (s *Sweeper) crawler() *crawl {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	recent := s.Recent
	if recent <= 0 {
		recent = 72 * time.Hour
	}
	maxPRs := s.MaxPRs
	if maxPRs <= 0 {
		maxPRs = 2000
	}
	return &crawl{s: s, since: now().Add(-recent), maxPRs: maxPRs}
}

// installation lists the installation's repositories (only those named,
// when any) and their recently updated open pull requests.
func (c *crawl) installation(ctx context.Context, inst int64, only []string) {
	s := c.s
	gc, err := s.GitHub.Installation(ctx, inst)
	if err != nil {
		s.Log.Warn("sweep: installation client", "installation", inst, "err", err)
		return
	}
	if len(only) > 0 {
		for _, full := range only {
			owner, name, ok := strings.Cut(full, "/")
			if ok && c.pace(ctx) {
				c.repo(ctx, gc, inst, owner, name, 0)
			}
		}
		return
	}
	repos, err := gc.Repos(ctx)
	if err != nil {
		s.Log.Warn("sweep: list repositories", "installation", inst, "err", err)
	}
	for _, r := range repos {
		if c.pace(ctx) {
			c.repo(ctx, gc, inst, r.Owner, r.Name, r.ID)
		}
	}
}

// pace waits Pace before each repository but the first; false when ctx
// is done.
func (c *crawl) pace(ctx context.Context) bool {
	c.repos++
	if c.repos == 1 || c.s.Pace <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(c.s.Pace)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// repo queues the reviews a repository's open pull requests need (see
// needsReview); the listing is newest first.
func (c *crawl) repo(ctx context.Context, gc Installation, inst int64, owner, name string, repoID int64) {
	s := c.s
	prs, err := gc.OpenPulls(ctx, owner, name)
	if err != nil {
		s.Log.Warn("sweep: list pull requests", "repo", owner+"/"+name, "err", err)
		return
	}
	for _, pr := range prs {
		if c.checked >= c.maxPRs || (c.recentOnly && pr.GetUpdatedAt().Before(c.since)) {
			return
		}
		c.checked++
		if repoID == 0 {
			repoID = pr.GetBase().GetRepo().GetID()
		}
		req := review.Request{InstallationID: inst, Owner: owner, Repo: name,
			RepoID: repoID, PR: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA(), Trigger: "sweep"}
		need, err := s.needsReview(ctx, gc, req, pr, c.since)
		if err != nil {
			s.Log.Warn("sweep: list check runs", "repo", owner+"/"+name, "pr", pr.GetNumber(), "err", err)
			continue
		}
		if need {
			c.reqs = append(c.reqs, req)
		}
	}
}

func (c *crawl) enqueue(ctx context.Context, installations int) (int, error) {
	if len(c.reqs) > 0 {
		if err := c.s.Enqueue(ctx, c.reqs); err != nil {
			return 0, fmt.Errorf("sweep: enqueue: %w", err)
		}
	}
	c.s.Log.Info("sweep finished", "installations", installations, "repositories", c.repos, "pull_requests", c.checked, "enqueued", len(c.reqs))
	return len(c.reqs), nil
}

// needsReview: a run of ours for this head that is not completed, or no
// run at all on a recently updated PR.
func (s *Sweeper) needsReview(ctx context.Context, gc Installation, req review.Request, pr *github.PullRequest, since time.Time) (bool, error) {
	runs, err := gc.CheckRuns(ctx, req.Owner, req.Repo, req.HeadSHA)
	if err != nil {
		return false, err
	}
	if len(runs) == 0 {
		return pr.GetUpdatedAt().After(since), nil
	}
	key := req.Key()
	for _, cr := range runs {
		if cr.GetExternalID() == key && cr.GetStatus() != "completed" {
			return true, nil
		}
	}
	return false, nil
}
