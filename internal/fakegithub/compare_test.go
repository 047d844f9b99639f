package fakegithub_test

import (
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestCompareAndMovedBase: with the base branch moved on, GitHub reports its
// tip as the PR's base.sha while the PR's changes stay against the merge
// base, which the compare endpoint returns with only the PR's files.
func TestCompareAndMovedBase(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	tip := map[string][]byte{"README.md": []byte("# web\n"), "main-only.ts": []byte("export const m = 1\n")}
	head := map[string][]byte{"README.md": []byte("# web\n"), "feature.ts": []byte("export const f = 1\n")}
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 9, BaseFiles: map[string][]byte{"README.md": []byte("# web\n")}, BaseTipFiles: tip, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	pr, _, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 9)
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 9, nil)
	if err != nil || len(files) != 1 || files[0].GetFilename() != "feature.ts" {
		t.Fatalf("PR files %v (%v): want only the PR's own change", files, err)
	}
	cmp, _, err := e.client.Repositories.CompareCommits(e.ctx, owner, repoN, pr.GetBase().GetSHA(), pr.GetHead().GetSHA(), &github.ListOptions{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	mb := cmp.GetMergeBaseCommit().GetSHA()
	if mb == "" || mb == pr.GetBase().GetSHA() || cmp.GetStatus() != "diverged" {
		t.Errorf("merge base %q (base.sha %q), status %q: want the merge base, not the tip", mb, pr.GetBase().GetSHA(), cmp.GetStatus())
	}
	if len(cmp.Files) != 1 || cmp.Files[0].GetFilename() != "feature.ts" || cmp.Files[0].GetPatch() == "" {
		t.Errorf("compare files %v: want the PR's change with its patch", cmp.Files)
	}
	tree, _, err := e.client.Git.GetTree(e.ctx, owner, repoN, mb, true)
	if err != nil || len(tree.Entries) != 1 {
		t.Errorf("merge base tree %v (%v)", tree, err)
	}
	// Without a moved base, the base is the merge base.
	pr7, _, _ := e.client.PullRequests.Get(e.ctx, owner, repoN, 7)
	cmp7, _, err := e.client.Repositories.CompareCommits(e.ctx, owner, repoN, pr7.GetBase().GetSHA(), pr7.GetHead().GetSHA(), nil)
	if err != nil || cmp7.GetMergeBaseCommit().GetSHA() != pr7.GetBase().GetSHA() || cmp7.GetStatus() != "ahead" {
		t.Errorf("PR 7 compare: %v %v", cmp7.GetStatus(), err)
	}
	noViolations(t, e.fake)
}
