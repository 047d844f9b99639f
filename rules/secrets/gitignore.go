package secrets

import (
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// gitignore is the parsed .gitignore files of a snapshot. It answers
// whether a path is ignored, with git's main semantics: patterns relative
// to the .gitignore's directory, "/" anchoring, trailing "/" for
// directories, "**", negation, last match wins, deeper files override.
type gitignore struct {
	files map[string][]ignorePattern // dir ("" for root) -> patterns
}

type ignorePattern struct {
	pat      string
	negate   bool
	dirOnly  bool
	anchored bool
	line     int
}

func parseGitignore(content string) []ignorePattern {
	var out []ignorePattern
	for i, l := range strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := ignorePattern{line: i + 1}
		if strings.HasPrefix(l, "!") {
			p.negate = true
			l = l[1:]
		}
		l = strings.TrimPrefix(l, `\`)
		if strings.HasSuffix(l, "/") {
			p.dirOnly = true
			l = strings.TrimRight(l, "/")
		}
		if strings.Contains(l, "/") {
			p.anchored = true
			l = strings.TrimPrefix(l, "/")
		}
		if l == "" {
			continue
		}
		p.pat = l
		out = append(out, p)
	}
	return out
}

// loadGitignore reads every .gitignore of the snapshot.
func loadGitignore(paths []string, get func(string) *source.File) *gitignore {
	g := &gitignore{files: map[string][]ignorePattern{}}
	for _, p := range paths {
		if path.Base(p) != ".gitignore" {
			continue
		}
		f := get(p)
		if f == nil {
			continue
		}
		d := path.Dir(p)
		if d == "." {
			d = ""
		}
		g.files[d] = parseGitignore(string(f.Content))
	}
	return g
}

// Ignored reports whether the file at p is ignored, as git decides for an
// untracked file: a file whose parent directory is excluded cannot be
// re-included ("It is not possible to re-include a file if a parent
// directory of that file is excluded", gitignore(5)), so each directory
// above p is decided first, then p itself.
func (g *gitignore) Ignored(p string) bool {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		if g.decide(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return g.decide(p, false)
}

// decide applies the patterns of the .gitignore files above p (the root's
// first, deeper ones later; the last match wins) to p itself.
func (g *gitignore) decide(p string, isDir bool) bool {
	ignored := false
	parts := strings.Split(p, "/")
	for i := 0; i < len(parts); i++ {
		d := strings.Join(parts[:i], "/")
		pats, ok := g.files[d]
		if !ok {
			continue
		}
		rel := p
		if d != "" {
			rel = p[len(d)+1:]
		}
		for _, pt := range pats {
			if pt.matches(rel, isDir) {
				ignored = !pt.negate
			}
		}
	}
	return ignored
}

// matches reports whether the pattern matches rel (relative to its
// .gitignore's directory): a pattern with a slash against the whole path,
// one without against the last component.
func (pt ignorePattern) matches(rel string, isDir bool) bool {
	if pt.dirOnly && !isDir {
		return false
	}
	if pt.anchored {
		ok, _ := doublestar.Match(pt.pat, rel)
		return ok
	}
	ok, _ := doublestar.Match(pt.pat, path.Base(rel))
	return ok
}

// committed reports whether the file at p is committed: what the
// snapshot's version control says when it knows (a commit's or a pull
// request's tree, a git working tree), else the .gitignore rules of the
// snapshot.
func committed(pass *rules.Pass, p string) bool {
	if c, known := pass.Committed(p); known {
		return c
	}
	return !loadGitignore(pass.Paths(), pass.Get).Ignored(p)
}

// localOnly wraps a rule about a credential value: in a file that is not
// committed (a correctly ignored `.env.local` in a working-tree scan) a
// real key is a local copy, reported at Low at most with a note that says
// so, never as a leak.
func localOnly(fn runFunc) func(*rules.Pass) error {
	return func(pass *rules.Pass) error {
		state := 0 // 0 unknown, 1 committed, 2 not committed
		return fn(pass, func(d rules.Diagnostic) {
			p := pass.File.Path
			if d.Path != "" {
				p = d.Path
			}
			if state == 0 {
				state = 1
				if !committed(pass, p) {
					state = 2
				}
			}
			if state == 2 {
				d.Severity = rules.Low
				d.Message = strings.Replace(d.Message, " is committed in ", " is in ", 1)
				d.Message += "; the file is not committed (git ignores it), so this is a local copy: keep it out of the repository, builds and images"
			}
			pass.Report(d)
		})
	}
}
