package review

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"sync"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Limits of the tree listing.
const (
	modeSymlink = "120000"
	// maxTreeCalls bounds the non-recursive tree listings of one review, made
	// only when GitHub truncates a recursive listing (above 100,000 entries or
	// 7 MB): the walk descends only into directories whose tree SHA differs
	// between base and head, so it costs one call per changed directory.
	maxTreeCalls = 200
)

// errTreeBudget is returned when a truncated tree needs more than
// maxTreeCalls listings.
var errTreeBudget = errors.New("the repository tree is too large to list within the review budget")

// blobEntry is one file of a commit: a regular or executable file, or a
// symlink whose blob holds the target path.
type blobEntry struct {
	SHA  string
	Mode string
	Size int
}

func (e blobEntry) symlink() bool { return e.Mode == modeSymlink }

// gitTree is one commit's tree, from GET /git/trees/{sha}?recursive=1 and,
// when GitHub truncated that listing, from non-recursive listings of the
// directories a review needed.
type gitTree struct {
	root      string               // the root tree's SHA
	blobs     map[string]blobEntry // files and symlinks by path
	dirs      map[string]string    // directory path -> tree SHA; "" is the root
	subs      map[string]bool      // submodule paths (their commit is in another repository)
	truncated bool                 // blobs and dirs are incomplete
}

// treeLister lists trees for one review and counts its calls.
type treeLister struct {
	gh GitHub

	mu    sync.Mutex
	memo  map[string][]*github.TreeEntry // non-recursive listings by tree SHA
	calls int
}

func newTreeLister(gh GitHub) *treeLister {
	return &treeLister{gh: gh, memo: map[string][]*github.TreeEntry{}}
}

// list lists a commit's (or tree's) whole tree in one request.
func (l *treeLister) list(ctx context.Context, sha string) (*gitTree, error) {
	tree, err := l.gh.Tree(ctx, sha, true)
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", short(sha), err)
	}
	t := &gitTree{root: tree.GetSHA(), blobs: map[string]blobEntry{}, dirs: map[string]string{"": tree.GetSHA()}, subs: map[string]bool{}, truncated: tree.GetTruncated()}
	for _, e := range tree.Entries {
		t.add(e.GetPath(), e)
	}
	return t, nil
}

// add records one entry; submodules (type commit) hold no content here.
func (t *gitTree) add(p string, e *github.TreeEntry) {
	switch e.GetType() {
	case "blob":
		t.blobs[p] = blobEntry{SHA: e.GetSHA(), Mode: e.GetMode(), Size: e.GetSize()}
	case "tree":
		t.dirs[p] = e.GetSHA()
	case "commit":
		t.subs[p] = true
	}
}

// ls lists one tree non-recursively (memoized, counted).
func (l *treeLister) ls(ctx context.Context, treeSHA string) ([]*github.TreeEntry, error) {
	l.mu.Lock()
	if es, ok := l.memo[treeSHA]; ok {
		l.mu.Unlock()
		return es, nil
	}
	if l.calls >= maxTreeCalls {
		l.mu.Unlock()
		return nil, errTreeBudget
	}
	l.calls++
	l.mu.Unlock()
	tree, err := l.gh.Tree(ctx, treeSHA, false)
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", short(treeSHA), err)
	}
	l.mu.Lock()
	l.memo[treeSHA] = tree.Entries
	l.mu.Unlock()
	return tree.Entries, nil
}

// stat finds p in the tree: a file or symlink, or a directory. In a
// truncated listing it descends from the deepest listed ancestor.
func (t *gitTree) stat(ctx context.Context, l *treeLister, p string) (e blobEntry, isDir, found bool, err error) {
	if e, ok := t.blobs[p]; ok {
		return e, false, true, nil
	}
	if _, ok := t.dirs[p]; ok {
		return blobEntry{}, true, true, nil
	}
	if !t.truncated || p == "" {
		return blobEntry{}, false, false, nil
	}
	dir := path.Dir(p)
	if dir == "." {
		dir = ""
	}
	if dir != "" {
		if _, isDir, found, err := t.stat(ctx, l, dir); err != nil || !found || !isDir {
			return blobEntry{}, false, false, err
		}
	}
	es, err := l.ls(ctx, t.dirs[dir])
	if err != nil {
		return blobEntry{}, false, false, err
	}
	for _, c := range es {
		t.add(join(dir, c.GetPath()), c)
	}
	if e, ok := t.blobs[p]; ok {
		return e, false, true, nil
	}
	_, ok := t.dirs[p]
	return blobEntry{}, ok, ok, nil
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// change is one file that differs between base and head.
type change struct {
	Path    string // head path; "" when removed
	OldPath string // base path; "" when added
}

// diffTrees lists the files that differ between two commits by blob SHA and
// mode. Complete listings are compared in memory; when either was truncated
// the walk descends only into directories whose SHAs differ, adding what it
// learns to head. Files under a removed directory are not enumerated: the
// review analyses head content only. When the walk runs out of listings it
// returns what it found with errTreeBudget.
func diffTrees(ctx context.Context, l *treeLister, base, head *gitTree) ([]change, error) {
	var out []change
	if !base.truncated && !head.truncated {
		for p, h := range head.blobs {
			if b, ok := base.blobs[p]; !ok {
				out = append(out, change{Path: p})
			} else if b.SHA != h.SHA || b.Mode != h.Mode {
				out = append(out, change{Path: p, OldPath: p})
			}
		}
		for p := range base.blobs {
			if _, ok := head.blobs[p]; !ok {
				out = append(out, change{OldPath: p})
			}
		}
		sortChanges(out)
		return out, nil
	}
	var walk func(dir, baseSHA, headSHA string) error
	walk = func(dir, baseSHA, headSHA string) error {
		if baseSHA == headSHA {
			return nil
		}
		var bes []*github.TreeEntry
		if baseSHA != "" {
			var err error
			if bes, err = l.ls(ctx, baseSHA); err != nil {
				return err
			}
		}
		hes, err := l.ls(ctx, headSHA)
		if err != nil {
			return err
		}
		old := map[string]*github.TreeEntry{}
		for _, e := range bes {
			old[e.GetPath()] = e
		}
		for _, h := range hes {
			p := join(dir, h.GetPath())
			head.add(p, h)
			b := old[h.GetPath()]
			delete(old, h.GetPath())
			switch {
			case h.GetType() == "tree":
				prev := ""
				if b != nil && b.GetType() == "tree" {
					prev = b.GetSHA()
				} else if b != nil && b.GetType() == "blob" {
					out = append(out, change{OldPath: p})
				}
				if err := walk(p, prev, h.GetSHA()); err != nil {
					return err
				}
			case h.GetType() != "blob":
				if b != nil && b.GetType() == "blob" {
					out = append(out, change{OldPath: p})
				}
			case b == nil || b.GetType() == "commit":
				out = append(out, change{Path: p})
			case b.GetType() == "tree":
				out = append(out, change{Path: p})
			case b.GetSHA() != h.GetSHA() || b.GetMode() != h.GetMode():
				out = append(out, change{Path: p, OldPath: p})
			}
		}
		for name, b := range old {
			if b.GetType() == "blob" {
				out = append(out, change{OldPath: join(dir, name)})
			}
		}
		return nil
	}
	err := walk("", base.root, head.root)
	sortChanges(out)
	return out, err // on errTreeBudget, what was found so far
}

func sortChanges(cs []change) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i].Path, cs[j].Path
		if a == "" {
			a = cs[i].OldPath
		}
		if b == "" {
			b = cs[j].OldPath
		}
		return a < b
	})
}

// Symlink resolution.

// maxLinkHops is how many symlinks one path may pass through (a loop stops
// there).
const maxLinkHops = 8

// errLinkUnread: a symlink's target could not be read within the review's
// budget (the other reasons are source.ErrLink*).
var errLinkUnread = errors.New("symlink target not read")

// isLinkErr reports whether err is a reason a symlink cannot be followed (as
// opposed to a failure of the API).
func isLinkErr(err error) bool {
	for _, e := range []error{source.ErrLinkOutside, source.ErrLinkDangling, source.ErrLinkLoop, errLinkUnread, errTreeBudget} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// resolver resolves paths through symlinks within one commit's tree as a
// checkout of it would: a link's target is read from its blob, relative to
// the link's directory, resolved component by component (so ".." after a
// linked directory goes to that directory's parent), never outside the
// repository and through at most maxLinkHops links.
type resolver struct {
	tree   *gitTree
	lister *treeLister
	// target returns a symlink's target (its blob's content).
	target func(ctx context.Context, p string, e blobEntry) (string, error)
}

// resolution is where a path leads: the real file (or directory) and the
// symlinks passed on the way.
type resolution struct {
	Path  string    // the real path ("" with a directory result means the root)
	Entry blobEntry // the real file
	Dir   bool      // Path is a directory
	Links []string  // symlinks followed, in order
}

func (r *resolver) resolve(ctx context.Context, p string) (resolution, error) {
	entries := map[string]blobEntry{}
	sres, err := source.ResolveLinks(p, maxLinkHops, func(q string) (source.Node, string, error) {
		e, isDir, found, err := r.tree.stat(ctx, r.lister, q)
		switch {
		case err != nil:
			return source.Missing, "", err
		case !found:
			return source.Missing, "", nil
		case isDir:
			return source.Directory, "", nil
		case e.symlink():
			t, err := r.target(ctx, q, e)
			return source.SymbolicLink, t, err
		}
		entries[q] = e
		return source.RegularFile, "", nil
	})
	return resolution{Path: sres.Path, Entry: entries[sres.Path], Dir: sres.Dir, Links: sres.Links}, err
}
