package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Limits for fetching a pull request.
const (
	maxFilesAPI  = 3000 // GitHub's cap for the list-files endpoint
	maxFetch     = 2000 // blobs fetched for one review
	fetchWorkers = 4
)

// treeSnapshot is a Snapshot of one commit read through the API: one
// recursive tree, then blobs on demand, cached by blob SHA.
type treeSnapshot struct {
	gc          *github.Client
	owner, repo string
	entries     map[string]*github.TreeEntry
	paths       []string
	cache       *BlobCache
	truncated   bool
}

func newTreeSnapshot(ctx context.Context, gc *github.Client, owner, repo, sha string, cache *BlobCache) (*treeSnapshot, error) {
	tree, _, err := gc.Git.GetTree(ctx, owner, repo, sha, true)
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", short(sha), err)
	}
	s := &treeSnapshot{gc: gc, owner: owner, repo: repo, entries: map[string]*github.TreeEntry{}, cache: cache, truncated: tree.GetTruncated()}
	for _, e := range tree.Entries {
		// blobs only: no trees, submodules (commit) or symlinks (120000)
		if e.GetType() != "blob" || e.GetMode() == "120000" || source.DefaultSkip(e.GetPath()) {
			continue
		}
		s.entries[e.GetPath()] = e
		s.paths = append(s.paths, e.GetPath())
	}
	sort.Strings(s.paths)
	return s, nil
}

// Files implements source.Snapshot.
func (s *treeSnapshot) Files(context.Context) ([]string, error) { return s.paths, nil }

// Read implements source.Snapshot.
func (s *treeSnapshot) Read(ctx context.Context, p string) ([]byte, error) {
	e, ok := s.entries[p]
	if !ok {
		return nil, fmt.Errorf("read %s: not in tree", p)
	}
	if e.GetSize() > source.MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, e.GetSize(), source.ErrTooLarge)
	}
	return s.cache.Get(ctx, e.GetSHA(), func() ([]byte, error) {
		b, _, err := s.gc.Git.GetBlobRaw(ctx, s.owner, s.repo, e.GetSHA())
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		return b, nil
	})
}

// prefetch reads the given paths in parallel so the engine finds them
// cached.
func (s *treeSnapshot) prefetch(ctx context.Context, paths []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < fetchWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				s.Read(ctx, p) //nolint:errcheck // errors resurface when the engine reads
			}
		}()
	}
	for _, p := range paths {
		ch <- p
	}
	close(ch)
	wg.Wait()
}

// BlobCache caches blob contents by SHA (content-addressed, so safe across
// pull requests and head SHAs), bounded by total bytes.
type BlobCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order []string
	data  map[string][]byte
}

// NewBlobCache returns a cache holding at most maxBytes.
func NewBlobCache(maxBytes int) *BlobCache {
	return &BlobCache{max: maxBytes, data: map[string][]byte{}}
}

// Get returns the cached blob or loads it.
func (c *BlobCache) Get(ctx context.Context, sha string, load func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if b, ok := c.data[sha]; ok {
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()
	b, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data[sha]; !ok && len(b) <= c.max {
		c.data[sha] = b
		c.order = append(c.order, sha)
		c.size += len(b)
		for c.size > c.max && len(c.order) > 0 {
			old := c.order[0]
			c.order = c.order[1:]
			c.size -= len(c.data[old])
			delete(c.data, old)
		}
	}
	return b, nil
}

// ErrTooLarge marks a change too large to analyse completely.
var ErrTooLarge = errors.New("change too large to analyse completely")

// fetchDiff gets the pull request's unified diff: the diff media type
// first; on 406 (too large) the paginated files API, rebuilding per-file
// patches; files without a patch are diffed locally from their blobs.
// partial explains what could not be covered.
func fetchDiff(ctx context.Context, gc *github.Client, owner, repo string, pr int, baseTree func() *treeSnapshot, head *treeSnapshot) (patch string, partial string, err error) {
	raw, resp, err := gc.PullRequests.GetRaw(ctx, owner, repo, pr, github.RawOptions{Type: github.Diff})
	if err == nil {
		return raw, "", nil
	}
	if resp == nil || (resp.StatusCode != http.StatusNotAcceptable && resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode < 500) {
		return "", "", fmt.Errorf("get diff: %w", err)
	}
	var b strings.Builder
	opts := &github.ListOptions{PerPage: 100}
	var files []*github.CommitFile
	for {
		page, r, err := gc.PullRequests.ListFiles(ctx, owner, repo, pr, opts)
		if err != nil {
			return "", "", fmt.Errorf("list files: %w", err)
		}
		files = append(files, page...)
		if r.NextPage == 0 || len(files) >= maxFilesAPI {
			break
		}
		opts.Page = r.NextPage
	}
	if len(files) >= maxFilesAPI {
		partial = fmt.Sprintf("The pull request changes %d or more files; GitHub lists at most %d, so later files were not reviewed.", maxFilesAPI, maxFilesAPI)
	}
	fromBlobs := 0
	var base *treeSnapshot
	baseLoaded := false
	for _, f := range files {
		name, prev := f.GetFilename(), f.GetPreviousFilename()
		if prev == "" {
			prev = name
		}
		switch f.GetStatus() {
		case "removed":
			fmt.Fprintf(&b, "diff --git a/%s b/%s\ndeleted file mode 100644\n--- a/%s\n+++ /dev/null\n", name, name, name)
			continue
		case "added":
			fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n", name, name, name)
		case "renamed":
			fmt.Fprintf(&b, "diff --git a/%s b/%s\nrename from %s\nrename to %s\n--- a/%s\n+++ b/%s\n", prev, name, prev, name, prev, name)
		default:
			fmt.Fprintf(&b, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", name, name, name, name)
		}
		if p := f.GetPatch(); p != "" {
			b.WriteString(strings.TrimSuffix(p, "\n") + "\n")
			continue
		}
		// No patch: binary or too large for the files API. Diff the blobs.
		if fromBlobs >= maxFetch {
			continue
		}
		fromBlobs++
		newB, errN := head.Read(ctx, name)
		if errN != nil {
			continue // binary/huge/unreadable: nothing line-based to review
		}
		var oldB []byte
		if f.GetStatus() != "added" && !baseLoaded {
			base, baseLoaded = baseTree(), true
		}
		if f.GetStatus() != "added" && base != nil {
			oldB, _ = base.Read(ctx, prev)
		}
		if source.NewFile(name, newB).Binary {
			continue
		}
		b.WriteString(localHunks(oldB, newB))
	}
	return b.String(), partial, nil
}

// localHunks renders unified diff hunks (no file header) between two blobs.
func localHunks(oldB, newB []byte) string {
	ud := difflib.UnifiedDiff{A: difflib.SplitLines(string(oldB)), B: difflib.SplitLines(string(newB)), Context: 3}
	out, err := difflib.GetUnifiedDiffString(ud)
	if err != nil {
		return ""
	}
	// difflib emits "--- \n+++ \n" headers when names are empty; drop them.
	lines := strings.SplitAfter(out, "\n")
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
			continue
		}
		b.WriteString(l)
	}
	s := b.String()
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

var importRe = regexp.MustCompile(`(?m)(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]`)

// contextFiles returns the files a review reads besides the changed ones:
// manifests, framework configs, the Next.js middleware/proxy, env
// templates, helpers imported by changed files and, when middleware or a
// matcher changed, every route file.
func contextFiles(ctx context.Context, snap *treeSnapshot, changed []string) []string {
	set := map[string]bool{}
	middlewareChanged := false
	for _, p := range changed {
		if isMiddleware(p) || path.Base(p) == "package.json" {
			middlewareChanged = true
		}
	}
	for _, p := range snap.paths {
		base := path.Base(p)
		switch {
		case base == "package.json", base == "go.mod", base == ".gitignore", base == "tsconfig.json",
			strings.HasPrefix(base, "next.config."), strings.HasPrefix(base, "nuxt.config."),
			strings.HasPrefix(base, "astro.config."), strings.HasPrefix(base, "vite.config."),
			strings.HasPrefix(base, "svelte.config."), strings.HasPrefix(base, ".env"),
			isMiddleware(p):
			set[p] = true
		case middlewareChanged && isRouteFile(p):
			set[p] = true
		}
	}
	// Helpers imported by changed files (two levels).
	frontier := changed
	for depth := 0; depth < 2; depth++ {
		var next []string
		for _, p := range frontier {
			if source.DetectLang(p) != source.LangTS && source.DetectLang(p) != source.LangTSX && source.DetectLang(p) != source.LangJS {
				continue
			}
			b, err := snap.Read(ctx, p)
			if err != nil {
				continue
			}
			for _, m := range importRe.FindAllStringSubmatch(string(b), -1) {
				if t := resolveImport(snap, p, m[1]); t != "" && !set[t] {
					set[t] = true
					next = append(next, t)
				}
			}
		}
		frontier = next
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	if len(out) > maxFetch {
		out = out[:maxFetch]
	}
	return out
}

func isMiddleware(p string) bool {
	base := path.Base(p)
	name := strings.TrimSuffix(base, path.Ext(base))
	return (name == "middleware" || name == "proxy") && source.DetectLang(p) != source.LangText
}

func isRouteFile(p string) bool {
	base := path.Base(p)
	name := strings.TrimSuffix(base, path.Ext(base))
	return (strings.Contains(p, "app/") && (name == "route" || name == "page" || name == "layout")) || strings.Contains(p, "pages/api/")
}

// resolveImport maps a relative or "@/" specifier to a path in the tree.
func resolveImport(snap *treeSnapshot, from, spec string) string {
	var base string
	switch {
	case strings.HasPrefix(spec, "./"), strings.HasPrefix(spec, "../"):
		base = path.Join(path.Dir(from), spec)
	case strings.HasPrefix(spec, "@/"), strings.HasPrefix(spec, "~/"):
		// The alias points at the app root or its src/: try both, nearest first.
		for dir := path.Dir(from); ; dir = path.Dir(dir) {
			for _, root := range []string{path.Join(dir, "src"), dir} {
				if t := withExt(snap, path.Join(root, spec[2:])); t != "" {
					return t
				}
			}
			if dir == "." || dir == "/" || dir == "" {
				return ""
			}
		}
	default:
		return ""
	}
	return withExt(snap, base)
}

func withExt(snap *treeSnapshot, base string) string {
	for _, ext := range []string{"", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.tsx", "/index.js"} {
		if _, ok := snap.entries[base+ext]; ok {
			return base + ext
		}
	}
	return ""
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
