package review

import (
	"context"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/source"
)

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
	if b, ok := c.peek(sha); ok {
		return b, nil
	}
	b, err := load()
	if err != nil {
		return nil, err
	}
	c.put(sha, b)
	return b, nil
}

func (c *BlobCache) peek(sha string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.data[sha]
	return b, ok
}

func (c *BlobCache) put(sha string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data[sha]; ok || len(b) > c.max {
		return
	}
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

// maxLocalDiffLines bounds the files diffed locally: above it a file is
// treated as changed on every line (difflib's matcher is quadratic on
// hostile input).
const maxLocalDiffLines = 20000

// localHunks renders unified diff hunks (no file header) between two blobs.
func localHunks(oldB, newB []byte) string {
	ud := difflib.UnifiedDiff{A: splitLines(oldB), B: splitLines(newB), Context: 3}
	if len(ud.A) > maxLocalDiffLines || len(ud.B) > maxLocalDiffLines {
		ud.A = nil
	}
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

// splitLines splits into lines that each end in "\n" (a last line without
// one gets it, so hunk lines never run together), without difflib's
// phantom empty line after a final newline.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(b), "\n")
	if last := len(lines) - 1; lines[last] == "" {
		lines = lines[:last]
	} else {
		lines[last] += "\n"
	}
	return lines
}

// indexHunks parses one file's hunks (a files API patch or localHunks) into
// the diff index's form. The header uses a placeholder name, so any path
// (spaces, quotes, non-ASCII) is safe.
func indexHunks(hunks string) *diffindex.File {
	idx, err := diffindex.Parse([]byte("diff --git a/f b/f\n--- a/f\n+++ b/f\n" + strings.TrimSuffix(hunks, "\n") + "\n"))
	if err != nil || idx.Files["f"] == nil {
		return &diffindex.File{Changed: map[int]bool{}, Commentable: map[int]bool{}}
	}
	return idx.Files["f"]
}

var importRe = regexp.MustCompile(`(?m)(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]`)

// staticContext returns the files a review reads besides the changed ones,
// decided from paths alone: manifests, framework configs, the Next.js
// middleware/proxy, env templates and, when middleware or a manifest
// changed, every route file.
func staticContext(paths, changed []string) []string {
	middlewareChanged := false
	for _, p := range changed {
		if isMiddleware(p) || path.Base(p) == "package.json" {
			middlewareChanged = true
		}
	}
	var out []string
	for _, p := range paths {
		base := path.Base(p)
		switch {
		case base == "package.json", base == "go.mod", base == ".gitignore", base == "tsconfig.json",
			strings.HasPrefix(base, "next.config."), strings.HasPrefix(base, "nuxt.config."),
			strings.HasPrefix(base, "astro.config."), strings.HasPrefix(base, "vite.config."),
			strings.HasPrefix(base, "svelte.config."), strings.HasPrefix(base, ".env"),
			isMiddleware(p):
			out = append(out, p)
		case middlewareChanged && isRouteFile(p):
			out = append(out, p)
		}
	}
	return out
}

// importsOf returns the files a JS/TS file imports that exist (has).
func importsOf(p string, content []byte, has func(string) bool) []string {
	switch source.DetectLang(p) {
	case source.LangTS, source.LangTSX, source.LangJS:
	default:
		return nil
	}
	var out []string
	for _, m := range importRe.FindAllSubmatch(content, -1) {
		if t := resolveImport(has, p, string(m[1])); t != "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
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
func resolveImport(has func(string) bool, from, spec string) string {
	var base string
	switch {
	case strings.HasPrefix(spec, "./"), strings.HasPrefix(spec, "../"):
		base = path.Join(path.Dir(from), spec)
	case strings.HasPrefix(spec, "@/"), strings.HasPrefix(spec, "~/"):
		// The alias points at the app root or its src/: try both, nearest first.
		for dir := path.Dir(from); ; dir = path.Dir(dir) {
			for _, root := range []string{path.Join(dir, "src"), dir} {
				if t := withExt(has, path.Join(root, spec[2:])); t != "" {
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
	return withExt(has, base)
}

func withExt(has func(string) bool, base string) string {
	for _, ext := range []string{"", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.tsx", "/index.js"} {
		if has(base + ext) {
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
