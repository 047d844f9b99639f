package review

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/clerkguard/clerkguard/app/ghclient"
)

type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

func graphql(ctx context.Context, gc *ghclient.Installation, q gqlRequest, out any) error {
	return graphqlLimit(ctx, gc, q, out, 4<<20)
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

// resolveThread resolves the review thread whose first comment is
// commentID: thread, when the pull request's state named it, else the one
// a listing finds. Callers treat failure as non-fatal: the "fixed" reply
// already says it.
func resolveThread(ctx context.Context, gc *ghclient.Installation, req Request, thread string, commentID int64) error {
	if thread != "" {
		var out map[string]any
		return graphql(ctx, gc, gqlRequest{
			Query:     `mutation($id:ID!){resolveReviewThread(input:{threadId:$id}){thread{id isResolved}}}`,
			Variables: map[string]any{"id": thread},
		}, &out)
	}
	var threads struct {
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
	err := graphql(ctx, gc, gqlRequest{
		Query:     `query($owner:String!,$repo:String!,$pr:Int!){repository(owner:$owner,name:$repo){pullRequest(number:$pr){reviewThreads(first:100){nodes{id isResolved comments(first:1){nodes{databaseId}}}}}}}`,
		Variables: map[string]any{"owner": req.Owner, "repo": req.Repo, "pr": req.PR},
	}, &threads)
	if err != nil {
		return err
	}
	for _, t := range threads.Repository.PullRequest.ReviewThreads.Nodes {
		if len(t.Comments.Nodes) == 0 || t.Comments.Nodes[0].DatabaseID != commentID {
			continue
		}
		if t.IsResolved {
			return nil
		}
		var out map[string]any
		return graphql(ctx, gc, gqlRequest{
			Query:     `mutation($id:ID!){resolveReviewThread(input:{threadId:$id}){thread{id isResolved}}}`,
			Variables: map[string]any{"id": t.ID},
		}, &out)
	}
	return fmt.Errorf("no review thread starts with comment %d", commentID)
}
