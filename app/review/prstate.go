package review

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules"
)

// prState is what a review reads about its pull request before the code:
// the head and base, the base's configuration file and the existing
// review threads, in one request.
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

// readPRState reads the pull request's state; with req.BaseRef it reads
// the base's configuration file too.
func readPRState(ctx context.Context, gh GitHub, req Request) (*prState, error) {
	ps, err := gh.PullState(ctx, req.PR, req.BaseRef)
	if err != nil {
		return nil, fmt.Errorf("read the pull request: %w", err)
	}
	if ps == nil {
		return nil, &Permanent{fmt.Errorf("pull request #%d not found", req.PR)}
	}
	st := &prState{head: ps.Head, baseRef: ps.BaseRef, baseSHA: ps.BaseSHA, threads: map[int64]string{},
		complete: ps.Complete, configRead: req.BaseRef != "" && req.BaseRef == ps.BaseRef}
	if st.configRead {
		st.config, st.configPath, st.configErr, st.configRead = configBlobs(ps)
	}
	for _, t := range ps.Threads {
		if len(t.Comments) > 0 {
			st.threads[t.Comments[0].GetID()] = t.ID
		}
		st.comments = append(st.comments, t.Comments...)
	}
	return st, nil
}
