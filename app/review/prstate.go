package review

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/rules"
)

// prState is what a review reads about its pull request before the code:
// the head and base, the base's configuration file and the existing
// review threads, in one GraphQL request.
type prState struct {
	head, baseRef, baseSHA string
	// config is the configuration file's text on the base (nil: none);
	// configRead is false when the request did not read it (no base
	// branch known beforehand).
	config     *string
	configRead bool
	// configPath is the file config holds (rules.ConfigPath or its .yaml
	// twin); configErr is set when the base holds both.
	configPath string
	configErr  *rules.ConfigError
	// comments are the review comments in the threads, as the REST API
	// lists them; complete is false when there were more than one request
	// lists.
	comments []*github.PullRequestComment
	complete bool
	// threads maps a thread's first comment to the thread's node ID.
	threads map[int64]string
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

// readPRState reads the pull request's state; with req.BaseRef it reads
// the base's configuration file too.
func readPRState(ctx context.Context, gc *ghclient.Installation, req Request) (*prState, error) {
	vars := map[string]any{"owner": req.Owner, "name": req.Repo, "pr": req.PR}
	decl, cfg := "", ""
	if req.BaseRef != "" {
		decl = ",$cfg:String!,$cfgAlt:String!"
		cfg = "config:object(expression:$cfg){...on Blob{text isTruncated}} configAlt:object(expression:$cfgAlt){...on Blob{text isTruncated}}"
		vars["cfg"] = req.BaseRef + ":" + rules.ConfigPath
		vars["cfgAlt"] = req.BaseRef + ":" + rules.ConfigPathAlt
	}
	var out gqlPRState
	if err := graphql(ctx, gc, gqlRequest{Query: fmt.Sprintf(prStateQuery, decl, cfg), Variables: vars}, &out); err != nil {
		return nil, fmt.Errorf("read the pull request: %w", err)
	}
	pr := out.Repository.PullRequest
	if pr == nil {
		return nil, &Permanent{fmt.Errorf("pull request #%d not found", req.PR)}
	}
	st := &prState{head: pr.HeadRefOid, baseRef: pr.BaseRefName, baseSHA: pr.BaseRefOid, threads: map[int64]string{},
		complete: !pr.ReviewThreads.PageInfo.HasNextPage, configRead: req.BaseRef != "" && req.BaseRef == pr.BaseRefName}
	if st.configRead {
		c, path := out.Repository.Config, rules.ConfigPath
		switch {
		case c != nil && out.Repository.ConfigAlt != nil:
			st.configErr = &rules.ConfigError{File: rules.ConfigPathAlt, Msg: fmt.Sprintf("both %s and %s exist; keep one of them", rules.ConfigPath, rules.ConfigPathAlt)}
			c = nil
		case c == nil && out.Repository.ConfigAlt != nil:
			c, path = out.Repository.ConfigAlt, rules.ConfigPathAlt
		}
		if c != nil {
			if c.Text == nil || c.IsTruncated {
				st.configRead = false // binary or too large for GraphQL: read it over REST
			} else {
				st.config, st.configPath = c.Text, path
			}
		}
	}
	for _, t := range pr.ReviewThreads.Nodes {
		st.complete = st.complete && !t.Comments.PageInfo.HasNextPage
		for i, c := range t.Comments.Nodes {
			if i == 0 {
				st.threads[c.DatabaseID] = t.ID
			}
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
			st.comments = append(st.comments, rc)
		}
	}
	return st, nil
}
