package ghclient

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// ReplyToReviewComment posts body as a reply in the thread whose top-level review
// comment is commentID, through GitHub's documented replies endpoint
// (POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies,
// operation pulls/create-reply-for-review-comment).
//
// go-github v60's PullRequests.CreateCommentInReplyTo sends {body, in_reply_to} to
// the create-comment endpoint instead, whose published schema requires commit_id and
// path, so it is not used.
func ReplyToReviewComment(ctx context.Context, c *github.Client, owner, repo string, pr int, commentID int64, body string) (*github.PullRequestComment, error) {
	u := fmt.Sprintf("repos/%v/%v/pulls/%d/comments/%d/replies", owner, repo, pr, commentID)
	req, err := c.NewRequest("POST", u, &struct {
		Body string `json:"body"`
	}{Body: body})
	if err != nil {
		return nil, fmt.Errorf("reply to review comment %d: %w", commentID, err)
	}
	out := new(github.PullRequestComment)
	if _, err := c.Do(ctx, req, out); err != nil {
		return nil, fmt.Errorf("reply to review comment %d: %w", commentID, err)
	}
	return out, nil
}
