package fakegithub

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FileKind marks how a file is stored in git.
type FileKind int

// File kinds. The content of a symlink is its target; the content of a submodule is
// the 40-hex commit SHA it points to (anything else is hashed into one).
const (
	KindRegular FileKind = iota
	KindExecutable
	KindSymlink
	KindSubmodule
	// KindBinary forces binary treatment (content containing a NUL byte in its first
	// 8000 bytes is treated as binary anyway, as git does).
	KindBinary
)

// PR describes a pull request to AddPR.
type PR struct {
	Number int
	Title  string
	Body   string
	// Author is the PR author's login. Default "octocat".
	Author string
	// BaseRef and HeadRef are branch names. Defaults: the repo's default branch and
	// "feature-<number>".
	BaseRef string
	HeadRef string
	// BaseSHA and HeadSHA are commit SHAs; derived from the content when empty.
	BaseSHA string
	HeadSHA string
	// BaseFiles and HeadFiles are the full trees (path -> content) of both commits.
	// BaseFiles is the merge base: the diff and the files API compare against it.
	BaseFiles map[string][]byte
	HeadFiles map[string][]byte
	// BaseTipFiles, when set, is the base branch's tip after it moved on from the
	// merge base. GitHub reports that tip as the PR's base.sha, while the PR's diff
	// stays against the merge base; the compare endpoint returns the merge base.
	BaseTipFiles map[string][]byte
	// Kinds marks paths (on either side) as executable, symlink, submodule or binary.
	Kinds map[string]FileKind
	// Fork makes the head repository a fork owned by HeadOwner (default "forker").
	Fork      bool
	HeadOwner string
	Draft     bool
	// State is "open" (default) or "closed".
	State string
	// DiffTooLarge forces the diff media type to answer 406 too_large.
	DiffTooLarge bool
	// OmitPatch lists paths whose patch the files API leaves out (as GitHub does for
	// very large diffs). Binary files never have a patch.
	OmitPatch []string
}

type installation struct {
	id          int64
	owner       string
	ownerID     int64
	permissions map[string]string
}

type fileEntry struct {
	content []byte
	kind    FileKind
	sha     string // blob sha, or commit sha for submodules
	mode    string
}

type snapshot struct {
	commitSHA string
	rootTree  string
	files     map[string]*fileEntry
}

type treeEntry struct {
	name string
	mode string
	typ  string
	sha  string
	size int
}

type treeObj struct {
	sha     string
	entries []treeEntry
}

type repo struct {
	id            int64
	owner         string
	name          string
	ownerID       int64
	instID        int64
	defaultBranch string
	createdAt     time.Time

	blobs    map[string][]byte
	trees    map[string]*treeObj
	commits  map[string]*snapshot
	branches map[string]string

	prs       map[int]*pullRequest
	checkRuns []*checkRun
}

func (r *repo) fullName() string { return r.owner + "/" + r.name }

type pullRequest struct {
	spec      PR
	id        int64
	createdAt time.Time
	updatedAt time.Time
	heads     []string  // every head SHA the PR had, oldest first
	base      *snapshot // the merge base
	baseTip   *snapshot // the base branch's tip (base.sha); base when the base did not move
	head      *snapshot
	diff      *prDiff
	forkRepo  *repo

	reviews       []*Review
	comments      []*ReviewComment
	issueComments []*IssueComment
	resolved      map[int64]bool // root comment id -> resolved
}

type state struct {
	installations map[int64]*installation
	repos         map[string]*repo
	tokens        map[string]*tokenRec
	tokenList     []*tokenRec
	nextID        int64

	requests         []RequestLog
	violations       []Violation
	anchorRejections []AnchorRejection
	deliveries       []*delivery
	rate             map[string]*rateWindow

	faults      Faults
	fail422Used bool
	// arrivals are the Arrival channels waiting for a request, by operationId.
	arrivals map[string][]chan struct{}
}

func newState() *state {
	return &state{
		installations: map[int64]*installation{},
		repos:         map[string]*repo{},
		tokens:        map[string]*tokenRec{},
		rate:          map[string]*rateWindow{},
		nextID:        1000000,
	}
}

func (st *state) newID() int64 {
	st.nextID++
	return st.nextID
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

func nodeID(prefix string, id int64) string {
	return prefix + "_kwDO" + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func gitHash(kind string, content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func isHexSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func isBinary(b []byte) bool {
	if len(b) > 8000 {
		b = b[:8000]
	}
	return bytes.IndexByte(b, 0) >= 0
}

// DefaultPermissions are an installation's permissions unless changed with
// SetInstallationPermissions.
func DefaultPermissions() map[string]string {
	return map[string]string{
		"checks": "write", "pull_requests": "write", "contents": "read",
		"metadata": "read", "issues": "write",
	}
}

// AddInstallation registers an installation of the App on an account.
func (s *Server) AddInstallation(id int64, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.installations[id] = &installation{id: id, owner: owner, ownerID: s.state.newID(), permissions: DefaultPermissions()}
}

// SetInstallationPermissions replaces an installation's granted permissions.
func (s *Server) SetInstallationPermissions(id int64, perms map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.state.installations[id]
	if inst == nil {
		return fmt.Errorf("fakegithub: no installation %d", id)
	}
	inst.permissions = copyMap(perms)
	return nil
}

// RemoveInstallation deletes an installation; its tokens stop working.
func (s *Server) RemoveInstallation(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.installations, id)
}

// AddRepo registers a repository covered by an installation. It returns the repo ID.
func (s *Server) AddRepo(owner, name string, installationID int64, defaultBranch string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		r = &repo{
			id: s.state.newID(), owner: owner, name: name, ownerID: s.ownerIDLocked(owner),
			createdAt: s.now().Add(-24 * time.Hour).UTC(),
			blobs:     map[string][]byte{}, trees: map[string]*treeObj{}, commits: map[string]*snapshot{},
			branches: map[string]string{}, prs: map[int]*pullRequest{},
		}
		s.state.repos[repoKey(owner, name)] = r
	}
	r.instID = installationID
	r.defaultBranch = defaultBranch
	return r.id
}

func (s *Server) ownerIDLocked(owner string) int64 {
	for _, in := range s.state.installations {
		if strings.EqualFold(in.owner, owner) {
			return in.ownerID
		}
	}
	for _, r := range s.state.repos {
		if strings.EqualFold(r.owner, owner) {
			return r.ownerID
		}
	}
	return s.state.newID()
}

// RepoID returns a repository's ID (0 when unknown).
func (s *Server) RepoID(owner, name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.state.repos[repoKey(owner, name)]; r != nil {
		return r.id
	}
	return 0
}

// AddCommit stores a commit with the given full tree and returns its SHA (sha is used
// when it is non-empty). It does not move any branch; see SetBranch.
func (s *Server) AddCommit(owner, name, sha string, files map[string][]byte, kinds map[string]FileKind) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		return "", fmt.Errorf("fakegithub: no repo %s/%s", owner, name)
	}
	snap := s.storeSnapshotLocked(r, sha, files, kinds)
	return snap.commitSHA, nil
}

// SetBranch points a branch at a commit SHA.
func (s *Server) SetBranch(owner, name, branch, sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		return fmt.Errorf("fakegithub: no repo %s/%s", owner, name)
	}
	r.branches[branch] = sha
	return nil
}

// AddPR adds a pull request (and its base and head commits) to a repository.
func (s *Server) AddPR(owner, name string, pr PR) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		return fmt.Errorf("fakegithub: add PR: no repo %s/%s", owner, name)
	}
	if pr.Number <= 0 {
		return fmt.Errorf("fakegithub: add PR: number must be positive")
	}
	if pr.BaseRef == "" {
		pr.BaseRef = r.defaultBranch
	}
	if pr.HeadRef == "" {
		pr.HeadRef = fmt.Sprintf("feature-%d", pr.Number)
	}
	if pr.Author == "" {
		pr.Author = "octocat"
	}
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.Title == "" {
		pr.Title = fmt.Sprintf("Pull request #%d", pr.Number)
	}
	if pr.Fork && pr.HeadOwner == "" {
		pr.HeadOwner = "forker"
	}
	pr.Kinds = copyKinds(pr.Kinds)
	moved := pr.BaseTipFiles != nil
	var base, tip *snapshot
	if moved {
		base = s.storeSnapshotLocked(r, "", pr.BaseFiles, pr.Kinds)
		tip = s.storeSnapshotLocked(r, pr.BaseSHA, pr.BaseTipFiles, pr.Kinds)
	} else {
		base = s.storeSnapshotLocked(r, pr.BaseSHA, pr.BaseFiles, pr.Kinds)
		tip = base
	}
	head := s.storeSnapshotLocked(r, pr.HeadSHA, pr.HeadFiles, pr.Kinds)
	pr.BaseSHA, pr.HeadSHA = tip.commitSHA, head.commitSHA
	pr.BaseFiles, pr.HeadFiles, pr.BaseTipFiles = nil, nil, nil
	now := s.now().UTC()
	p := &pullRequest{spec: pr, id: s.state.newID(), createdAt: now, updatedAt: now,
		heads: []string{head.commitSHA}, base: base, baseTip: tip, head: head, resolved: map[int64]bool{}}
	if pr.Fork {
		p.forkRepo = &repo{id: s.state.newID(), owner: pr.HeadOwner, name: r.name, ownerID: s.state.newID(),
			defaultBranch: r.defaultBranch, createdAt: r.createdAt}
	}
	if _, ok := r.branches[pr.BaseRef]; !ok || moved {
		r.branches[pr.BaseRef] = tip.commitSHA
	}
	if !pr.Fork {
		r.branches[pr.HeadRef] = head.commitSHA
	}
	r.prs[pr.Number] = p
	return nil
}

// Push replaces a PR's head commit (a "synchronize"): newHeadSHA (derived when empty)
// gets the full tree headFiles. It returns the new head SHA.
func (s *Server) Push(owner, name string, number int, newHeadSHA string, headFiles map[string][]byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		return "", fmt.Errorf("fakegithub: push: no repo %s/%s", owner, name)
	}
	p := r.prs[number]
	if p == nil {
		return "", fmt.Errorf("fakegithub: push: no PR %s/%s#%d", owner, name, number)
	}
	head := s.storeSnapshotLocked(r, newHeadSHA, headFiles, p.spec.Kinds)
	p.head = head
	p.spec.HeadSHA = head.commitSHA
	p.heads = append(p.heads, head.commitSHA)
	p.diff = nil
	p.updatedAt = s.now().UTC()
	if !p.spec.Fork {
		r.branches[p.spec.HeadRef] = head.commitSHA
	}
	return head.commitSHA, nil
}

// SetPROptions changes a PR's DiffTooLarge and OmitPatch settings.
func (s *Server) SetPROptions(owner, name string, number int, diffTooLarge bool, omitPatch []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, name, number)
	if err != nil {
		return err
	}
	p.spec.DiffTooLarge = diffTooLarge
	p.spec.OmitPatch = append([]string(nil), omitPatch...)
	p.diff = nil
	return nil
}

// HeadSHA returns a PR's current head SHA.
func (s *Server) HeadSHA(owner, name string, number int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, name, number)
	if err != nil {
		return "", err
	}
	return p.head.commitSHA, nil
}

// PRDiff returns the unified diff the fake serves for a PR (even when the API would
// answer 406).
func (s *Server) PRDiff(owner, name string, number int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prLocked(owner, name, number)
	if err != nil {
		return "", err
	}
	return s.diffLocked(p).text, nil
}

func (s *Server) prLocked(owner, name string, number int) (*pullRequest, error) {
	r := s.state.repos[repoKey(owner, name)]
	if r == nil {
		return nil, fmt.Errorf("fakegithub: no repo %s/%s", owner, name)
	}
	p := r.prs[number]
	if p == nil {
		return nil, fmt.Errorf("fakegithub: no PR %s/%s#%d", owner, name, number)
	}
	return p, nil
}

// storeSnapshotLocked stores blobs, trees and the commit for a full file set.
func (s *Server) storeSnapshotLocked(r *repo, sha string, files map[string][]byte, kinds map[string]FileKind) *snapshot {
	snap := &snapshot{files: map[string]*fileEntry{}}
	for p, c := range files {
		p = strings.TrimPrefix(path.Clean("/"+p), "/")
		k := kinds[p]
		fe := &fileEntry{content: append([]byte(nil), c...), kind: k}
		switch k {
		case KindExecutable:
			fe.mode = "100755"
		case KindSymlink:
			fe.mode = "120000"
		case KindSubmodule:
			fe.mode = "160000"
			t := strings.TrimSpace(string(c))
			if !isHexSHA(t) {
				t = gitHash("commit", c)
			}
			fe.sha = t
			fe.content = []byte(t)
		default:
			fe.mode = "100644"
		}
		if fe.sha == "" {
			fe.sha = gitHash("blob", fe.content)
			r.blobs[fe.sha] = fe.content
		}
		snap.files[p] = fe
	}
	snap.rootTree = buildTree(r, snap.files, "")
	if sha == "" {
		sha = gitHash("commit", []byte(fmt.Sprintf("tree %s\nrepo %s\nseq %d\n", snap.rootTree, r.fullName(), s.state.newID())))
	}
	snap.commitSHA = sha
	r.commits[sha] = snap
	return snap
}

// buildTree stores the tree for the directory dir (""=root) and returns its SHA.
func buildTree(r *repo, files map[string]*fileEntry, dir string) string {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	children := map[string]treeEntry{}
	subdirs := map[string]bool{}
	for p, fe := range files {
		if !strings.HasPrefix(p, prefix) {
			continue
		}
		rest := p[len(prefix):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			subdirs[rest[:i]] = true
			continue
		}
		typ := "blob"
		if fe.kind == KindSubmodule {
			typ = "commit"
		}
		children[rest] = treeEntry{name: rest, mode: fe.mode, typ: typ, sha: fe.sha, size: len(fe.content)}
	}
	for d := range subdirs {
		children[d] = treeEntry{name: d, mode: "040000", typ: "tree", sha: buildTree(r, files, prefix+d)}
	}
	entries := make([]treeEntry, 0, len(children))
	for _, e := range children {
		entries = append(entries, e)
	}
	sortKey := func(e treeEntry) string {
		if e.typ == "tree" {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
	var buf bytes.Buffer
	for _, e := range entries {
		mode := strings.TrimPrefix(e.mode, "0")
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&buf, "%s %s\x00", mode, e.name)
		buf.Write(raw)
	}
	sha := gitHash("tree", buf.Bytes())
	r.trees[sha] = &treeObj{sha: sha, entries: entries}
	return sha
}

// resolveRef maps a SHA, branch name or refs/heads/x to a commit snapshot.
func (r *repo) resolveRef(ref string) *snapshot {
	if ref == "" {
		ref = r.defaultBranch
	}
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "heads/")
	if snap := r.commits[ref]; snap != nil {
		return snap
	}
	if sha, ok := r.branches[ref]; ok {
		return r.commits[sha]
	}
	if strings.HasPrefix(ref, "refs/pull/") || strings.HasPrefix(ref, "pull/") {
		parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(ref, "refs/"), "pull/"), "/")
		if len(parts) == 2 && parts[1] == "head" {
			if n, err := strconv.Atoi(parts[0]); err == nil && r.prs[n] != nil {
				return r.prs[n].head
			}
		}
	}
	if len(ref) >= 7 && len(ref) < 40 {
		for sha, snap := range r.commits {
			if strings.HasPrefix(sha, ref) {
				return snap
			}
		}
	}
	return nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func copyKinds(m map[string]FileKind) map[string]FileKind {
	out := make(map[string]FileKind, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
