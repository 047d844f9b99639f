package maintain

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/app/review"
)

// InstallationClient returns a client for one installation.
type InstallationClient func(ctx context.Context, installationID int64) (*github.Client, error)

// Sweeper re-enqueues the reviews whose check runs were left queued or in
// progress (for example when the job store was lost), and reviews open
// pull requests updated recently that have no check run of this App at all
// (an event GitHub never delivered). Enqueueing is unique by (installation,
// repo, PR, head SHA), so a job that still exists is not duplicated.
type Sweeper struct {
	App          AppClient
	Installation InstallationClient
	Enqueue      func(ctx context.Context, reqs []review.Request) error
	Log          *slog.Logger
	// Recent bounds which open PRs without a run are reviewed (default 72h).
	Recent time.Duration
	// MaxPRs bounds one sweep.
	MaxPRs int
	Now    func() time.Time
}

// Run performs one sweep and returns the number of reviews enqueued.
func (s *Sweeper) Run(ctx context.Context) (int, error) {
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
	app, err := s.App()
	if err != nil {
		return 0, err
	}
	var insts []*github.Installation
	lo := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := app.Apps.ListInstallations(ctx, lo)
		if err != nil {
			return 0, fmt.Errorf("list installations: %w", err)
		}
		insts = append(insts, page...)
		if resp.NextPage == 0 {
			break
		}
		lo.Page = resp.NextPage
	}
	var reqs []review.Request
	checked := 0
	for _, inst := range insts {
		gc, err := s.Installation(ctx, inst.GetID())
		if err != nil {
			s.Log.Warn("sweep: installation client", "installation", inst.GetID(), "err", err)
			continue
		}
		ro := &github.ListOptions{PerPage: 100}
		for {
			repos, resp, err := gc.Apps.ListRepos(ctx, ro)
			if err != nil {
				s.Log.Warn("sweep: list repositories", "installation", inst.GetID(), "err", err)
				break
			}
			for _, repo := range repos.Repositories {
				prs, _, err := gc.PullRequests.List(ctx, repo.GetOwner().GetLogin(), repo.GetName(),
					&github.PullRequestListOptions{State: "open", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}})
				if err != nil {
					s.Log.Warn("sweep: list pull requests", "repo", repo.GetFullName(), "err", err)
					continue
				}
				for _, pr := range prs {
					if checked >= maxPRs {
						break
					}
					checked++
					req := review.Request{InstallationID: inst.GetID(), Owner: repo.GetOwner().GetLogin(), Repo: repo.GetName(),
						RepoID: repo.GetID(), PR: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA(), Trigger: "sweep"}
					need, err := s.needsReview(ctx, gc, req, pr, now().Add(-recent))
					if err != nil {
						s.Log.Warn("sweep: list check runs", "repo", repo.GetFullName(), "pr", pr.GetNumber(), "err", err)
						continue
					}
					if need {
						reqs = append(reqs, req)
					}
				}
			}
			if resp.NextPage == 0 {
				break
			}
			ro.Page = resp.NextPage
		}
	}
	if len(reqs) > 0 {
		if err := s.Enqueue(ctx, reqs); err != nil {
			return 0, fmt.Errorf("sweep: enqueue: %w", err)
		}
	}
	s.Log.Info("sweep finished", "installations", len(insts), "pull_requests", checked, "enqueued", len(reqs))
	return len(reqs), nil
}

// needsReview: a run of ours for this head that is not completed, or no
// run at all on a recently updated PR.
func (s *Sweeper) needsReview(ctx context.Context, gc *github.Client, req review.Request, pr *github.PullRequest, since time.Time) (bool, error) {
	name := publish.CheckName
	res, _, err := gc.Checks.ListCheckRunsForRef(ctx, req.Owner, req.Repo, req.HeadSHA,
		&github.ListCheckRunsOptions{CheckName: &name, Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil {
		return false, err
	}
	if len(res.CheckRuns) == 0 {
		return pr.GetUpdatedAt().After(since), nil
	}
	key := req.Key()
	for _, cr := range res.CheckRuns {
		if cr.GetExternalID() == key && cr.GetStatus() != "completed" {
			return true, nil
		}
	}
	return false, nil
}
