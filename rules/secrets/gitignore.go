package secrets

import (
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

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

// Ignored reports whether the file at p is ignored.
func (g *gitignore) Ignored(p string) bool {
	ignored := false
	// Apply .gitignore files from the root down; deeper ones win.
	dirs := []string{""}
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		dirs = append(dirs, strings.Join(parts[:i], "/"))
	}
	for _, d := range dirs {
		pats, ok := g.files[d]
		if !ok {
			continue
		}
		rel := p
		if d != "" {
			rel = strings.TrimPrefix(p, d+"/")
		}
		for _, pt := range pats {
			if pt.matches(rel) {
				ignored = !pt.negate
			}
		}
	}
	return ignored
}

// matches reports whether the pattern matches the file rel or one of its
// parent directories.
func (pt ignorePattern) matches(rel string) bool {
	comps := strings.Split(rel, "/")
	for i := range comps {
		isFile := i == len(comps)-1
		if isFile && pt.dirOnly {
			continue
		}
		var ok bool
		if pt.anchored {
			ok, _ = doublestar.Match(pt.pat, strings.Join(comps[:i+1], "/"))
			if !ok && strings.HasSuffix(pt.pat, "/**") {
				ok = strings.Join(comps[:i+1], "/") == strings.TrimSuffix(pt.pat, "/**") && !isFile
			}
		} else {
			ok, _ = doublestar.Match(pt.pat, comps[i])
		}
		if ok {
			return true
		}
	}
	return false
}
