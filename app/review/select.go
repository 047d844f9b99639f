package review

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Budget bounds what one review reads and analyses. Files beyond it are
// not analysed, and the review says which and why.
type Budget struct {
	Files int   // files analysed (changed files plus the context they need)
	Bytes int64 // bytes of those files
}

// The budget when none is configured: at most about 40 GraphQL requests of
// reads (50 blobs or 2 MiB each).
const (
	DefaultMaxFiles = 1000
	DefaultMaxBytes = 32 << 20
)

func (b Budget) withDefaults() Budget {
	if b.Files <= 0 {
		b.Files = DefaultMaxFiles
	}
	if b.Bytes <= 0 {
		b.Bytes = DefaultMaxBytes
	}
	return b
}

func (b Budget) String() string {
	return fmt.Sprintf("%d files / %d MiB", b.Files, b.Bytes>>20)
}

// Priority classes: what a review reads first when it cannot read
// everything. Lower is more security-relevant.
const (
	prioMiddleware = iota // Next.js middleware/proxy: guards every route
	prioRoute             // route handlers, pages, layouts, server actions, API routes
	prioConfig            // env files, manifests, framework and deploy configs, CI workflows
	prioServer            // other server-side code
	prioCode              // other code
	prioOther             // everything else
)

// priority classifies a path.
func priority(p string) int {
	base := path.Base(p)
	lower := strings.ToLower(p)
	name := strings.TrimSuffix(base, path.Ext(base))
	lang := source.DetectLang(p)
	code := lang == source.LangTS || lang == source.LangTSX || lang == source.LangJS || lang == source.LangGo ||
		lang == source.LangAstro || lang == source.LangVue || lang == source.LangSvelte
	switch {
	case isMiddleware(p) || (code && name == "hooks.server"):
		return prioMiddleware
	case code && (isRouteFile(p) || isActionFile(p) || strings.HasPrefix(name, "+page") || strings.HasPrefix(name, "+layout") ||
		name == "+server" || strings.Contains(lower, "/server/api/") || strings.HasPrefix(lower, "server/api/")):
		return prioRoute
	case strings.HasPrefix(base, ".env") || strings.HasSuffix(base, ".env") || base == "package.json" || base == "go.mod" ||
		base == "tsconfig.json" || base == "Dockerfile" || strings.HasPrefix(base, "docker-compose") ||
		base == "vercel.json" || base == "netlify.toml" || base == "wrangler.toml" ||
		strings.HasPrefix(lower, ".github/workflows/") || isFrameworkConfig(base):
		return prioConfig
	case code && (lang == source.LangGo || serverPath(lower, name)):
		return prioServer
	case code:
		return prioCode
	}
	return prioOther
}

func isActionFile(p string) bool {
	base := path.Base(p)
	name := strings.TrimSuffix(base, path.Ext(base))
	return name == "actions" || strings.HasSuffix(name, ".action") || strings.HasSuffix(name, ".actions") ||
		strings.Contains("/"+p, "/actions/")
}

func isFrameworkConfig(base string) bool {
	for _, c := range []string{"next.config.", "nuxt.config.", "astro.config.", "vite.config.", "svelte.config.", "remix.config.", "app.config."} {
		if strings.HasPrefix(base, c) {
			return true
		}
	}
	return false
}

// serverPath: code that runs on the server by its location or name.
func serverPath(lower, name string) bool {
	if strings.HasSuffix(name, ".server") {
		return true
	}
	for _, seg := range strings.Split(path.Dir(lower), "/") {
		switch seg {
		case "server", "api", "lib", "utils", "services", "trpc", "routes", "routers", "handlers", "controllers", "webhooks", "auth", "db":
			return true
		}
	}
	return false
}

// candidate is a file a review wants to read.
type candidate struct {
	Path string
	SHA  string
	Size int
}

// selection is the outcome of choosing within a budget.
type selection struct {
	chosen  []candidate // to read and analyse
	tooBig  []candidate // above source.MaxFileSize: analysed as skipped by the engine, never read
	dropped []candidate // did not fit the budget
}

// sortCandidates orders candidates by (priority class, path).
func sortCandidates(cands []candidate) {
	sort.Slice(cands, func(i, j int) bool {
		pi, pj := priority(cands[i].Path), priority(cands[j].Path)
		if pi != pj {
			return pi < pj
		}
		return cands[i].Path < cands[j].Path
	})
}

// choose picks candidates in (priority class, path) order until the budget
// is used; a file that does not fit is dropped and smaller later ones may
// still fit. used carries the budget already spent across calls.
func choose(cands []candidate, b Budget, used *Budget) selection {
	sortCandidates(cands)
	var s selection
	for _, c := range cands {
		switch {
		case c.Size > source.MaxFileSize:
			s.tooBig = append(s.tooBig, c)
		case used.Files+1 > b.Files || used.Bytes+int64(c.Size) > b.Bytes:
			s.dropped = append(s.dropped, c)
		default:
			used.Files++
			used.Bytes += int64(c.Size)
			s.chosen = append(s.chosen, c)
		}
	}
	return s
}
