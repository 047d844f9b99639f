package review

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/rules"
)

// The GraphQL side of restGitHub: the pull request's state, batched blob
// reads and review threads.

type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// graphqlLimit runs a GraphQL request whose response may be up to limit
// bytes; a larger one is an error, never silently cut.
func graphqlLimit(ctx context.Context, gc *ghclient.Installation, q gqlRequest, out any, limit int64) error {
	body, err := json.Marshal(q)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, gc.GraphQLURL(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := gc.HTTPClient().Do(req)
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("graphql: response larger than %d bytes", limit)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("graphql: HTTP %d", resp.StatusCode)
	}
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	if len(env.Errors) > 0 {
		return fmt.Errorf("graphql: %s", env.Errors[0].Message)
	}
	return json.Unmarshal(env.Data, out)
}

func (g *restGitHub) graphql(ctx context.Context, q gqlRequest, out any) error {
	return graphqlLimit(ctx, g.gc, q, out, 4<<20)
}

const resolveThreadMutation = `mutation($id:ID!){resolveReviewThread(input:{threadId:$id}){thread{id isResolved}}}`

func (g *restGitHub) ResolveThread(ctx context.Context, thread string) error {
	var out map[string]any
	return g.graphql(ctx, gqlRequest{Query: resolveThreadMutation, Variables: map[string]any{"id": thread}}, &out)
}

const reviewThreadsQuery = `query($owner:String!,$repo:String!,$pr:Int!){repository(owner:$owner,name:$repo){pullRequest(number:$pr){reviewThreads(first:100){nodes{id isResolved comments(first:1){nodes{databaseId}}}}}}}`

func (g *restGitHub) ReviewThreads(ctx context.Context, pr int) ([]Thread, error) {
	var out struct {
		Repository struct {
			PullRequest struct {
				ReviewThreads struct {
					Nodes []struct {
						ID         string `json:"id"`
						IsResolved bool   `json:"isResolved"`
						Comments   struct {
							Nodes []struct {
								DatabaseID int64 `json:"databaseId"`
							} `json:"nodes"`
						} `json:"comments"`
					} `json:"nodes"`
				} `json:"reviewThreads"`
			} `json:"pullRequest"`
		} `json:"repository"`
	}
	err := g.graphql(ctx, gqlRequest{Query: reviewThreadsQuery,
		Variables: map[string]any{"owner": g.owner, "repo": g.repo, "pr": pr}}, &out)
	if err != nil {
		return nil, err
	}
	var ts []Thread
	for _, n := range out.Repository.PullRequest.ReviewThreads.Nodes {
		t := Thread{ID: n.ID, Resolved: n.IsResolved}
		for _, c := range n.Comments.Nodes {
			t.Comments = append(t.Comments, &github.PullRequestComment{ID: github.Int64(c.DatabaseID)})
		}
		ts = append(ts, t)
	}
	return ts, nil
}

type gqlBlob struct {
	ByteSize    int     `json:"byteSize"`
	IsBinary    *bool   `json:"isBinary"`
	IsTruncated bool    `json:"isTruncated"`
	Text        *string `json:"text"`
}

func (b *gqlBlob) blob() *Blob {
	if b == nil {
		return nil
	}
	return &Blob{Size: b.ByteSize, Binary: b.IsBinary != nil && *b.IsBinary, Truncated: b.IsTruncated, Text: b.Text}
}

func (g *restGitHub) Blobs(ctx context.Context, shas []string, limit int64) (map[string]*Blob, error) {
	var q strings.Builder
	q.WriteString("query($owner:String!,$name:String!){repository(owner:$owner,name:$name){")
	for i, sha := range shas {
		fmt.Fprintf(&q, "b%d:object(oid:%q){...on Blob{byteSize isBinary isTruncated text}}", i, sha)
	}
	q.WriteString("}}")
	var out struct {
		Repository map[string]*gqlBlob `json:"repository"`
	}
	if err := graphqlLimit(ctx, g.gc, gqlRequest{Query: q.String(), Variables: map[string]any{"owner": g.owner, "name": g.repo}}, &out, limit); err != nil {
		return nil, err
	}
	res := map[string]*Blob{}
	for i, sha := range shas {
		if b := out.Repository[fmt.Sprintf("b%d", i)]; b != nil {
			res[sha] = b.blob()
		}
	}
	return res, nil
}

const prStateQuery = `query($owner:String!,$name:String!,$pr:Int!%s){repository(owner:$owner,name:$name){` +
	`pullRequest(number:$pr){headRefOid baseRefName baseRefOid ` +
	`reviewThreads(first:100){pageInfo{hasNextPage} nodes{id comments(first:100){pageInfo{hasNextPage} nodes{databaseId body path author{__typename login} replyTo{databaseId}}}}}}%s}}`

type gqlPRState struct {
	Repository struct {
		PullRequest *struct {
			HeadRefOid    string `json:"headRefOid"`
			BaseRefName   string `json:"baseRefName"`
			BaseRefOid    string `json:"baseRefOid"`
			ReviewThreads struct {
				PageInfo struct {
					HasNextPage bool `json:"hasNextPage"`
				} `json:"pageInfo"`
				Nodes []struct {
					ID       string `json:"id"`
					Comments struct {
						PageInfo struct {
							HasNextPage bool `json:"hasNextPage"`
						} `json:"pageInfo"`
						Nodes []struct {
							DatabaseID int64  `json:"databaseId"`
							Body       string `json:"body"`
							Path       string `json:"path"`
							Author     *struct {
								Typename string `json:"__typename"`
								Login    string `json:"login"`
							} `json:"author"`
							ReplyTo *struct {
								DatabaseID int64 `json:"databaseId"`
							} `json:"replyTo"`
						} `json:"nodes"`
					} `json:"comments"`
				} `json:"nodes"`
			} `json:"reviewThreads"`
		} `json:"pullRequest"`
		Config    *gqlBlob `json:"config"`
		ConfigAlt *gqlBlob `json:"configAlt"`
	} `json:"repository"`
}

func (g *restGitHub) PullState(ctx context.Context, pr int, baseRef string) (*PullState, error) {
	vars := map[string]any{"owner": g.owner, "name": g.repo, "pr": pr}
	decl, cfg := "", ""
	if baseRef != "" {
		decl = ",$cfg:String!,$cfgAlt:String!"
		cfg = "config:object(expression:$cfg){...on Blob{text isTruncated}} configAlt:object(expression:$cfgAlt){...on Blob{text isTruncated}}"
		vars["cfg"] = baseRef + ":" + rules.ConfigPath
		vars["cfgAlt"] = baseRef + ":" + rules.ConfigPathAlt
	}
	var out gqlPRState
	if err := g.graphql(ctx, gqlRequest{Query: fmt.Sprintf(prStateQuery, decl, cfg), Variables: vars}, &out); err != nil {
		return nil, err
	}
	p := out.Repository.PullRequest
	if p == nil {
		return nil, nil
	}
	st := &PullState{Head: p.HeadRefOid, BaseRef: p.BaseRefName, BaseSHA: p.BaseRefOid,
		Config: out.Repository.Config.blob(), ConfigAlt: out.Repository.ConfigAlt.blob(),
		Complete: !p.ReviewThreads.PageInfo.HasNextPage}
	for _, t := range p.ReviewThreads.Nodes {
		st.Complete = st.Complete && !t.Comments.PageInfo.HasNextPage
		th := Thread{ID: t.ID}
		for _, c := range t.Comments.Nodes {
			rc := &github.PullRequestComment{ID: github.Int64(c.DatabaseID), Body: github.String(c.Body), Path: github.String(c.Path)}
			if c.ReplyTo != nil {
				rc.InReplyTo = github.Int64(c.ReplyTo.DatabaseID)
			}
			if c.Author != nil {
				// GraphQL names an App's bot by its slug; REST by "<slug>[bot]".
				login := c.Author.Login
				if c.Author.Typename == "Bot" && !strings.HasSuffix(login, "[bot]") {
					login += "[bot]"
				}
				rc.User = &github.User{Login: github.String(login), Type: github.String(c.Author.Typename)}
			}
			th.Comments = append(th.Comments, rc)
		}
		st.Threads = append(st.Threads, th)
	}
	return st, nil
}
