package review

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

// fakeGitHub is an in-memory GitHub for one repository, hand-written for
// the review's unit tests: commits are trees of blobs, a pull request has
// a head, a base and a diff computed from the two, and every call is
// recorded by method name. fail makes a method return an error.
type fakeGitHub struct {
	t      *testing.T
	calls  []string
	trees  map[string]*github.Tree // by commit and by tree SHA
	blobs  map[string]string
	commit map[string]map[string]string // commit SHA -> path -> content

	pr      int
	head    string // the pull request's current head
	base    string // the base branch's tip
	baseRef string
	diff    string
	threads []Thread

	runs    []*github.CheckRun
	updates []github.UpdateCheckRunOptions
	reviews []*github.PullRequestReviewRequest
	replies map[int64]string
	resolve []string
	fail    map[string]error
}

const fakeBot = "clerkguard[bot]"

func newFake(t *testing.T) *fakeGitHub {
	return &fakeGitHub{t: t, trees: map[string]*github.Tree{}, blobs: map[string]string{}, commit: map[string]map[string]string{},
		replies: map[int64]string{}, fail: map[string]error{}, baseRef: "main"}
}

func oid(kind, s string) string {
	h := sha1.Sum([]byte(kind + "\x00" + s))
	return hex.EncodeToString(h[:])
}

// addCommit stores files as a commit and returns its SHA (which is also
// its root tree's SHA here).
func (f *fakeGitHub) addCommit(files map[string]string) string {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var key strings.Builder
	tree := &github.Tree{}
	dirs := map[string]bool{}
	for _, p := range paths {
		sha := oid("blob", files[p])
		f.blobs[sha] = files[p]
		fmt.Fprintf(&key, "%s %s\n", p, sha)
		tree.Entries = append(tree.Entries, &github.TreeEntry{Path: github.String(p), Type: github.String("blob"),
			Mode: github.String("100644"), SHA: github.String(sha), Size: github.Int(len(files[p]))})
		for d := p; strings.Contains(d, "/"); {
			d = d[:strings.LastIndex(d, "/")]
			dirs[d] = true
		}
	}
	for d := range dirs {
		tree.Entries = append(tree.Entries, &github.TreeEntry{Path: github.String(d), Type: github.String("tree"),
			Mode: github.String("040000"), SHA: github.String(oid("tree", d+"\n"+key.String()))})
	}
	sha := oid("commit", key.String())
	tree.SHA = github.String(sha)
	tree.Truncated = github.Bool(false)
	f.trees[sha] = tree
	f.commit[sha] = files
	return sha
}

// openPR makes pull request 7 from base to head and returns the request a
// webhook would queue for it.
func (f *fakeGitHub) openPR(base, head map[string]string) Request {
	f.pr = 7
	f.base, f.head = f.addCommit(base), f.addCommit(head)
	f.diff = unifiedDiff(base, head)
	return Request{InstallationID: 1, Owner: "acme", Repo: "shop", RepoID: 3, PR: 7, HeadSHA: f.head, BaseRef: f.baseRef, DeliveryID: "d1"}
}

// unifiedDiff renders GitHub's diff of two file sets.
func unifiedDiff(base, head map[string]string) string {
	var paths []string
	seen := map[string]bool{}
	for _, m := range []map[string]string{base, head} {
		for p := range m {
			if !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		old, inBase := base[p]
		nu, inHead := head[p]
		switch {
		case inBase && inHead && old == nu:
			continue
		case !inBase:
			fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n", p, p, p)
		case !inHead:
			fmt.Fprintf(&b, "diff --git a/%s b/%s\ndeleted file mode 100644\n--- a/%s\n+++ /dev/null\n", p, p, p)
		default:
			fmt.Fprintf(&b, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", p, p, p, p)
		}
		b.WriteString(localHunks([]byte(old), []byte(nu)))
	}
	return b.String()
}

func httpError(code int) error {
	return &github.ErrorResponse{Response: &http.Response{StatusCode: code}, Message: http.StatusText(code)}
}

func (f *fakeGitHub) call(name string) error {
	f.calls = append(f.calls, name)
	return f.fail[name]
}

// count is the calls of one method.
func (f *fakeGitHub) count(name string) int {
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeGitHub) Connect(context.Context, Request) (GitHub, error) { return f, nil }

// Requests counts the installation token as one request, as GitHub does.
func (f *fakeGitHub) Requests() int64 { return int64(len(f.calls)) + 1 }

func (f *fakeGitHub) BotLogin(context.Context) (string, error) { return fakeBot, nil }

func (f *fakeGitHub) CheckRuns(_ context.Context, sha string) ([]*github.CheckRun, error) {
	if err := f.call("CheckRuns"); err != nil {
		return nil, err
	}
	var out []*github.CheckRun
	for _, r := range f.runs {
		if r.GetHeadSHA() == sha {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeGitHub) CreateCheckRun(_ context.Context, in github.CreateCheckRunOptions) (int64, error) {
	if err := f.call("CreateCheckRun"); err != nil {
		return 0, err
	}
	id := int64(100 + len(f.runs))
	f.runs = append(f.runs, &github.CheckRun{ID: github.Int64(id), Name: github.String(in.Name), HeadSHA: github.String(in.HeadSHA),
		ExternalID: in.ExternalID, Status: in.Status})
	return id, nil
}

func (f *fakeGitHub) UpdateCheckRun(_ context.Context, id int64, in github.UpdateCheckRunOptions) error {
	if err := f.call("UpdateCheckRun"); err != nil {
		return err
	}
	for _, r := range f.runs {
		if r.GetID() == id {
			if r.GetStatus() == "completed" {
				f.t.Errorf("check run %d updated after it completed", id)
			}
			if in.Status != nil {
				r.Status, r.Conclusion = in.Status, in.Conclusion
			}
			f.updates = append(f.updates, in)
			return nil
		}
	}
	return httpError(http.StatusNotFound)
}

func (f *fakeGitHub) PullState(_ context.Context, pr int, baseRef string) (*PullState, error) {
	if err := f.call("PullState"); err != nil {
		return nil, err
	}
	if pr != f.pr {
		return nil, nil
	}
	st := &PullState{Head: f.head, BaseRef: f.baseRef, BaseSHA: f.base, Threads: f.threads, Complete: true}
	if baseRef != "" {
		files := f.commit[f.base]
		for path, dst := range map[string]**Blob{".github/clerkguard.yml": &st.Config, ".github/clerkguard.yaml": &st.ConfigAlt} {
			if text, ok := files[path]; ok {
				*dst = &Blob{Size: len(text), Text: &text}
			}
		}
	}
	return st, nil
}

func (f *fakeGitHub) Diff(_ context.Context, pr int) (string, error) {
	if err := f.call("Diff"); err != nil {
		return "", err
	}
	return f.diff, nil
}

func (f *fakeGitHub) Compare(_ context.Context, base, head string) (*github.CommitsComparison, error) {
	if err := f.call("Compare"); err != nil {
		return nil, err
	}
	return &github.CommitsComparison{MergeBaseCommit: &github.RepositoryCommit{SHA: github.String(f.base)}}, nil
}

func (f *fakeGitHub) Tree(_ context.Context, sha string, recursive bool) (*github.Tree, error) {
	if err := f.call("Tree"); err != nil {
		return nil, err
	}
	t, ok := f.trees[sha]
	if !ok || !recursive {
		return nil, httpError(http.StatusNotFound)
	}
	return t, nil
}

func (f *fakeGitHub) Blobs(_ context.Context, shas []string, _ int64) (map[string]*Blob, error) {
	if err := f.call("Blobs"); err != nil {
		return nil, err
	}
	if len(shas) > blobsPerQuery {
		f.t.Errorf("one request for %d blobs, more than %d", len(shas), blobsPerQuery)
	}
	out := map[string]*Blob{}
	for _, sha := range shas {
		if text, ok := f.blobs[sha]; ok {
			out[sha] = &Blob{Size: len(text), Text: &text}
		}
	}
	return out, nil
}

func (f *fakeGitHub) BlobRaw(_ context.Context, sha string) ([]byte, error) {
	if err := f.call("BlobRaw"); err != nil {
		return nil, err
	}
	text, ok := f.blobs[sha]
	if !ok {
		return nil, httpError(http.StatusNotFound)
	}
	return []byte(text), nil
}

func (f *fakeGitHub) File(_ context.Context, path, ref string) (string, error) {
	if err := f.call("File"); err != nil {
		return "", err
	}
	sha := ref
	if ref == f.baseRef {
		sha = f.base
	}
	text, ok := f.commit[sha][path]
	if !ok {
		return "", httpError(http.StatusNotFound)
	}
	return text, nil
}

func (f *fakeGitHub) ReviewComments(_ context.Context, pr int) ([]*github.PullRequestComment, error) {
	if err := f.call("ReviewComments"); err != nil {
		return nil, err
	}
	var out []*github.PullRequestComment
	for _, t := range f.threads {
		out = append(out, t.Comments...)
	}
	return out, nil
}

func (f *fakeGitHub) CreateReview(_ context.Context, pr int, in *github.PullRequestReviewRequest) error {
	if err := f.call("CreateReview"); err != nil {
		return err
	}
	f.reviews = append(f.reviews, in)
	return nil
}

func (f *fakeGitHub) Reply(_ context.Context, pr int, comment int64, body string) error {
	if err := f.call("Reply"); err != nil {
		return err
	}
	f.replies[comment] = body
	return nil
}

func (f *fakeGitHub) ReviewThreads(context.Context, int) ([]Thread, error) {
	if err := f.call("ReviewThreads"); err != nil {
		return nil, err
	}
	return f.threads, nil
}

func (f *fakeGitHub) ResolveThread(_ context.Context, thread string) error {
	if err := f.call("ResolveThread"); err != nil {
		return err
	}
	f.resolve = append(f.resolve, thread)
	return nil
}

// postedAsThreads turns the review comments the App posted into the pull
// request's threads, authored by the bot, as a later review reads them.
func (f *fakeGitHub) postedAsThreads() {
	id := int64(500)
	for _, rv := range f.reviews {
		for _, c := range rv.Comments {
			id++
			f.threads = append(f.threads, Thread{ID: fmt.Sprintf("T_%d", id), Comments: []*github.PullRequestComment{{
				ID: github.Int64(id), Body: c.Body, Path: c.Path, User: &github.User{Login: github.String(fakeBot), Type: github.String("Bot")}}}})
		}
	}
	f.reviews = nil
}

// memRuns is an in-memory RunStore.
type memRuns map[string]struct {
	id   int64
	done bool
}

func (m memRuns) CheckRun(_ context.Context, key string) (int64, bool, error) {
	r := m[key]
	return r.id, r.done, nil
}

func (m memRuns) SaveCheckRun(_ context.Context, key string, id int64, completed bool) error {
	m[key] = struct {
		id   int64
		done bool
	}{id, completed}
	return nil
}
