package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/rules"
)

// GitHub is everything one review asks of GitHub, for the repository of
// one request (the policy-bot pull.Context idea): a new value per review,
// so implementations need not be safe for use by several reviews. The job
// never sees HTTP or GraphQL; Over implements it on go-github once, and
// the unit tests use an in-memory fake.
//
// An error that carries an HTTP status is a *github.ErrorResponse (status
// reads it), so a missing file (404) or a diff GitHub refuses (406) is told
// apart from GitHub being down.
type GitHub interface {
	// Requests is the number of HTTP requests sent so far, the installation
	// token's included.
	Requests() int64
	// BotLogin is the App's bot user, "<slug>[bot]": the author of its
	// comments.
	BotLogin(ctx context.Context) (string, error)

	// CheckRuns lists this App's runs named publish.CheckName on sha.
	CheckRuns(ctx context.Context, sha string) ([]*github.CheckRun, error)
	CreateCheckRun(ctx context.Context, in github.CreateCheckRunOptions) (id int64, err error)
	UpdateCheckRun(ctx context.Context, id int64, in github.UpdateCheckRunOptions) error

	// PullState reads the pull request's head, base and review threads
	// and, when baseRef is set, the configuration files on baseRef, in one
	// request. nil, nil: no such pull request.
	PullState(ctx context.Context, pr int, baseRef string) (*PullState, error)
	// Diff is the pull request's unified diff.
	Diff(ctx context.Context, pr int) (string, error)
	// Compare compares base...head (only the merge base and the first files
	// are used).
	Compare(ctx context.Context, base, head string) (*github.CommitsComparison, error)
	// Tree lists a commit's or tree's entries.
	Tree(ctx context.Context, sha string, recursive bool) (*github.Tree, error)
	// Blobs reads the given blobs' text in one request whose response may
	// be up to limit bytes; a blob that does not exist is absent from the
	// result.
	Blobs(ctx context.Context, shas []string, limit int64) (map[string]*Blob, error)
	// BlobRaw reads one blob's bytes.
	BlobRaw(ctx context.Context, sha string) ([]byte, error)
	// File reads a file's text at ref.
	File(ctx context.Context, path, ref string) (string, error)

	// ReviewComments lists every review comment of the pull request.
	ReviewComments(ctx context.Context, pr int) ([]*github.PullRequestComment, error)
	CreateReview(ctx context.Context, pr int, in *github.PullRequestReviewRequest) error
	// Reply posts body in the thread that comment starts.
	Reply(ctx context.Context, pr int, comment int64, body string) error
	// ReviewThreads lists the pull request's review threads (the first 100).
	ReviewThreads(ctx context.Context, pr int) ([]Thread, error)
	ResolveThread(ctx context.Context, thread string) error
}

// Connector opens a review's view of GitHub: a client for the request's
// installation, narrowed to its repository.
type Connector interface {
	Connect(ctx context.Context, req Request) (GitHub, error)
}

// PullState is a pull request's state as a review reads it first.
type PullState struct {
	Head, BaseRef, BaseSHA string
	// Config and ConfigAlt are rules.ConfigPath and rules.ConfigPathAlt on
	// the base ref asked for (nil: absent or not asked for).
	Config, ConfigAlt *Blob
	// Threads are the review threads with their comments, as REST lists
	// comments; Complete is false when there were more than one request
	// lists.
	Threads  []Thread
	Complete bool
}

// Thread is one review thread.
type Thread struct {
	ID       string
	Resolved bool
	Comments []*github.PullRequestComment
}

// Blob is a blob's text: Text is nil for a binary, Truncated when GitHub
// cut it.
type Blob struct {
	Size      int
	Binary    bool
	Truncated bool
	Text      *string
}

// status is the HTTP status of a GitHub error (0: none).
func status(err error) int {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		return ge.Response.StatusCode
	}
	return 0
}

// Over connects reviews through go-github with the Creator's installation
// clients: the one implementation of GitHub.
func Over(c *ghclient.Creator) Connector { return creatorConnector{c} }

type creatorConnector struct{ c *ghclient.Creator }

func (cc creatorConnector) Connect(ctx context.Context, req Request) (GitHub, error) {
	gc, err := cc.c.Installation(ctx, req.InstallationID, req.RepoID)
	if err != nil {
		return nil, err
	}
	return overInstallation(cc.c, gc, req.Owner, req.Repo), nil
}

func overInstallation(c *ghclient.Creator, gc *ghclient.Installation, owner, repo string) *restGitHub {
	return &restGitHub{c: c, gc: gc, owner: owner, repo: repo}
}

// restGitHub implements GitHub with go-github and GraphQL.
type restGitHub struct {
	c           *ghclient.Creator
	gc          *ghclient.Installation
	owner, repo string
}

func (g *restGitHub) Requests() int64 { return g.gc.Requests() }

func (g *restGitHub) BotLogin(ctx context.Context) (string, error) { return g.c.BotLogin(ctx) }

func (g *restGitHub) CheckRuns(ctx context.Context, sha string) ([]*github.CheckRun, error) {
	name := publish.CheckName
	opts := &github.ListCheckRunsOptions{CheckName: &name, Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100}}
	var out []*github.CheckRun
	for {
		res, resp, err := g.gc.Checks.ListCheckRunsForRef(ctx, g.owner, g.repo, sha, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, res.CheckRuns...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func (g *restGitHub) CreateCheckRun(ctx context.Context, in github.CreateCheckRunOptions) (int64, error) {
	cr, _, err := g.gc.Checks.CreateCheckRun(ctx, g.owner, g.repo, in)
	return cr.GetID(), err
}

func (g *restGitHub) UpdateCheckRun(ctx context.Context, id int64, in github.UpdateCheckRunOptions) error {
	_, _, err := g.gc.Checks.UpdateCheckRun(ctx, g.owner, g.repo, id, in)
	return err
}

func (g *restGitHub) Diff(ctx context.Context, pr int) (string, error) {
	raw, _, err := g.gc.PullRequests.GetRaw(ctx, g.owner, g.repo, pr, github.RawOptions{Type: github.Diff})
	return raw, err
}

func (g *restGitHub) Compare(ctx context.Context, base, head string) (*github.CommitsComparison, error) {
	cmp, _, err := g.gc.Repositories.CompareCommits(ctx, g.owner, g.repo, base, head, &github.ListOptions{PerPage: 1})
	return cmp, err
}

func (g *restGitHub) Tree(ctx context.Context, sha string, recursive bool) (*github.Tree, error) {
	t, _, err := g.gc.Git.GetTree(ctx, g.owner, g.repo, sha, recursive)
	return t, err
}

func (g *restGitHub) BlobRaw(ctx context.Context, sha string) ([]byte, error) {
	b, _, err := g.gc.Git.GetBlobRaw(ctx, g.owner, g.repo, sha)
	return b, err
}

func (g *restGitHub) File(ctx context.Context, path, ref string) (string, error) {
	fc, _, _, err := g.gc.Repositories.GetContents(ctx, g.owner, g.repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return "", err
	}
	if fc == nil {
		return "", fmt.Errorf("%s is a directory", path)
	}
	return fc.GetContent()
}

func (g *restGitHub) ReviewComments(ctx context.Context, pr int) ([]*github.PullRequestComment, error) {
	opts := &github.PullRequestListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var all []*github.PullRequestComment
	for {
		cs, resp, err := g.gc.PullRequests.ListComments(ctx, g.owner, g.repo, pr, opts)
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

func (g *restGitHub) CreateReview(ctx context.Context, pr int, in *github.PullRequestReviewRequest) error {
	_, _, err := g.gc.PullRequests.CreateReview(ctx, g.owner, g.repo, pr, in)
	return err
}

func (g *restGitHub) Reply(ctx context.Context, pr int, comment int64, body string) error {
	_, err := ghclient.ReplyToReviewComment(ctx, g.gc.Client, g.owner, g.repo, pr, comment, body)
	return err
}

// configBlobs turns PullState's configuration files into the review's
// view: the file's text and path, or an error when both exist; read is
// false when the base's configuration still has to be read over REST
// (a binary or truncated file).
func configBlobs(st *PullState) (text *string, path string, cerr *rules.ConfigError, read bool) {
	c, path := st.Config, rules.ConfigPath
	switch {
	case c != nil && st.ConfigAlt != nil:
		return nil, rules.ConfigPathAlt, &rules.ConfigError{File: rules.ConfigPathAlt, Msg: fmt.Sprintf("both %s and %s exist; keep one of them", rules.ConfigPath, rules.ConfigPathAlt)}, true
	case c == nil && st.ConfigAlt != nil:
		c, path = st.ConfigAlt, rules.ConfigPathAlt
	}
	if c == nil {
		return nil, rules.ConfigPath, nil, true
	}
	if c.Text == nil || c.Truncated {
		return nil, path, nil, false
	}
	return c.Text, path, nil, true
}
