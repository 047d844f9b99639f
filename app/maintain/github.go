package maintain

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/publish"
)

// Deliveries is what the reconciler asks of GitHub, as the App.
type Deliveries interface {
	// Deliveries lists one page of the App's webhook deliveries, newest
	// first, from cursor ("" the first page); next is "" on the last page.
	Deliveries(ctx context.Context, cursor string) (ds []*github.HookDelivery, next string, err error)
	// Redeliver asks GitHub to deliver delivery id again.
	Redeliver(ctx context.Context, id int64) error
}

// GitHub is what the sweep asks of GitHub: the App's installations, and
// a client for each.
type GitHub interface {
	Installations(ctx context.Context) ([]int64, error)
	Installation(ctx context.Context, id int64) (Installation, error)
}

// Installation is what the sweep asks of one installation.
type Installation interface {
	// Repos lists the repositories the installation can access.
	Repos(ctx context.Context) ([]Repo, error)
	// OpenPulls lists up to 100 open pull requests, the most recently
	// updated first.
	OpenPulls(ctx context.Context, owner, repo string) ([]*github.PullRequest, error)
	// CheckRuns lists the App's runs named publish.CheckName on sha (the
	// first 100).
	CheckRuns(ctx context.Context, owner, repo, sha string) ([]*github.CheckRun, error)
}

// Repo is one repository of an installation.
type Repo struct {
	Owner, Name string
	ID          int64
}

// Over implements Deliveries and GitHub with go-github through the
// Creator's clients.
func Over(c *ghclient.Creator) *OverGitHub { return &OverGitHub{c: c} }

// OverGitHub is the go-github implementation of Deliveries and GitHub.
type OverGitHub struct{ c *ghclient.Creator }

// Deliveries implements Deliveries.
func (o *OverGitHub) Deliveries(ctx context.Context, cursor string) ([]*github.HookDelivery, string, error) {
	gc, err := o.c.App()
	if err != nil {
		return nil, "", err
	}
	ds, resp, err := gc.Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{PerPage: 100, Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	return ds, resp.Cursor, nil
}

// Redeliver implements Deliveries.
func (o *OverGitHub) Redeliver(ctx context.Context, id int64) error {
	gc, err := o.c.App()
	if err != nil {
		return err
	}
	_, _, err = gc.Apps.RedeliverHookDelivery(ctx, id)
	// go-github reports the 202 Accepted of this endpoint as an error.
	if ae := (*github.AcceptedError)(nil); errors.As(err, &ae) {
		return nil
	}
	return err
}

// Installations implements GitHub.
func (o *OverGitHub) Installations(ctx context.Context) ([]int64, error) {
	gc, err := o.c.App()
	if err != nil {
		return nil, err
	}
	var ids []int64
	lo := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := gc.Apps.ListInstallations(ctx, lo)
		if err != nil {
			return nil, fmt.Errorf("list installations: %w", err)
		}
		for _, inst := range page {
			ids = append(ids, inst.GetID())
		}
		if resp.NextPage == 0 {
			return ids, nil
		}
		lo.Page = resp.NextPage
	}
}

// Installation implements GitHub.
func (o *OverGitHub) Installation(ctx context.Context, id int64) (Installation, error) {
	gc, err := o.c.Installation(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	return installation{gc.Client}, nil
}

type installation struct{ gc *github.Client }

func (i installation) Repos(ctx context.Context) ([]Repo, error) {
	var out []Repo
	ro := &github.ListOptions{PerPage: 100}
	for {
		repos, resp, err := i.gc.Apps.ListRepos(ctx, ro)
		if err != nil {
			return out, err
		}
		for _, r := range repos.Repositories {
			out = append(out, Repo{Owner: r.GetOwner().GetLogin(), Name: r.GetName(), ID: r.GetID()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		ro.Page = resp.NextPage
	}
}

func (i installation) OpenPulls(ctx context.Context, owner, repo string) ([]*github.PullRequest, error) {
	prs, _, err := i.gc.PullRequests.List(ctx, owner, repo,
		&github.PullRequestListOptions{State: "open", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}})
	return prs, err
}

func (i installation) CheckRuns(ctx context.Context, owner, repo, sha string) ([]*github.CheckRun, error) {
	name := publish.CheckName
	res, _, err := i.gc.Checks.ListCheckRunsForRef(ctx, owner, repo, sha,
		&github.ListCheckRunsOptions{CheckName: &name, Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil {
		return nil, err
	}
	return res.CheckRuns, nil
}
