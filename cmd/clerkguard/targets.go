package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/source"
)

// targets is what `scan PATH...` analyses. Paths in every output are
// relative to the git top level when the paths are in a git working tree,
// so that SARIF results and annotations map onto the repository whatever
// folder or files were scanned, and the repository's configuration (at
// its top level) applies. Outside git they are relative to the folder
// scanned, as before.
//
// A folder is analysed as it is, as its own project. A file is analysed
// with the project around it as context (the nearest enclosing directory
// holding a package.json, go.mod or deno.json, not above the git top
// level): the middleware that covers a route, the SDK version, the
// modules it imports. Only the files asked for are reported.
type targets struct {
	root   string   // directory the snapshot is rooted at
	top    string   // git top level; "" outside git
	prefix string   // slash path of root under top, with a trailing slash; "" when root is top
	rels   []string // slash paths under root that were asked for; nil means all of root
}

// covers reports whether the snapshot path p is one of the paths asked
// for or lies under one of them.
func (t targets) covers(p string) bool {
	if t.rels == nil {
		return true
	}
	for _, r := range t.rels {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// shows reports whether a path of the output (prefixed) was asked for.
func (t targets) shows(p string) bool {
	rest, ok := strings.CutPrefix(p, t.prefix)
	return ok && t.covers(rest)
}

// only is the engine's per-file filter, nil when every file was asked for.
func (t targets) only() func(string) bool {
	if t.rels == nil {
		return nil
	}
	return t.covers
}

// configRoot is where the repository's configuration is read from.
func (t targets) configRoot() string { return cmp.Or(t.top, t.root) }

// projectMarkers name the files that make a directory a project root.
var projectMarkers = []string{"package.json", "go.mod", "deno.json", "deno.jsonc"}

// resolveTargets finds the root, the subtree and the paths of a scan.
// Every path must exist and the paths must lie in one git working tree
// (or, outside git, around one project).
func resolveTargets(ctx context.Context, paths []string) (targets, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	abs := make([]string, len(paths))
	dirs := make([]bool, len(paths))
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return targets{}, fmt.Errorf("cannot open %s: %w", p, unwrapPath(err))
		}
		if !st.IsDir() && !st.Mode().IsRegular() {
			return targets{}, fmt.Errorf("%s is neither a directory nor a regular file", p)
		}
		a, err := filepath.Abs(p)
		if err == nil {
			a, err = filepath.EvalSymlinks(a)
		}
		if err != nil {
			return targets{}, fmt.Errorf("cannot resolve %s: %w", p, unwrapPath(err))
		}
		if !st.IsDir() {
			if err := checkTextFile(p, st.Size()); err != nil {
				return targets{}, err
			}
		}
		abs[i], dirs[i] = a, st.IsDir()
	}
	top, err := gitTopLevel(ctx, dirOf(abs[0], dirs[0]))
	if err != nil {
		return targets{}, err
	}
	bound := top
	if bound == "" {
		// Outside git the search for a file's project stops at the working
		// directory (never a home directory's package.json above it).
		if wd, err := os.Getwd(); err == nil {
			if wd, err = filepath.EvalSymlinks(wd); err == nil {
				bound = wd
			}
		}
	}
	// The context of each path: a directory is its own; a file takes its project's.
	ctxDirs := make([]string, len(abs))
	for i, a := range abs {
		if top != "" && !within(top, a) {
			return targets{}, fmt.Errorf("%s is not in the git working tree %s of %s; scan them separately", paths[i], top, paths[0])
		}
		if dirs[i] {
			ctxDirs[i] = a
		} else {
			ctxDirs[i] = projectAround(filepath.Dir(a), bound, top != "")
		}
	}
	ctxRoot := commonDir(ctxDirs)
	if top == "" && !slices.Contains(ctxDirs, ctxRoot) {
		return targets{}, fmt.Errorf("%s are in different projects and not in one git working tree; scan them separately", strings.Join(paths, ", "))
	}
	t := targets{root: ctxRoot, top: top}
	if top != "" {
		if rel, _ := filepath.Rel(top, ctxRoot); rel != "." {
			t.prefix = filepath.ToSlash(rel) + "/"
		}
	}
	for i, a := range abs {
		if dirs[i] && a == ctxRoot {
			t.rels = nil // the whole context was asked for
			break
		}
		rel, err := filepath.Rel(t.root, a)
		if err != nil {
			return targets{}, fmt.Errorf("cannot place %s under %s: %w", paths[i], t.root, err)
		}
		t.rels = append(t.rels, path.Clean(filepath.ToSlash(rel)))
	}
	return t, nil
}

// checkTextFile refuses a file named on the command line that clerkguard
// cannot analyse, with the reason, instead of skipping it silently.
func checkTextFile(p string, size int64) error {
	if size > source.MaxFileSize {
		return fmt.Errorf("%s is too large to analyse (%d bytes; the limit is %d)", p, size, source.MaxFileSize)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
	}
	if source.NewFile(p, b).Binary {
		return fmt.Errorf("%s is a binary or non-UTF-8 file; clerkguard analyses text", p)
	}
	return nil
}

func unwrapPath(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

func dirOf(p string, isDir bool) string {
	if isDir {
		return p
	}
	return filepath.Dir(p)
}

// within reports whether p is dir or under it (both cleaned, absolute).
func within(dir, p string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// gitTopLevel returns the top level of the git working tree holding dir,
// or "" when dir is in none or git is not installed.
func gitTopLevel(ctx context.Context, dir string) (string, error) {
	out, err := source.RunGit(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", nil // not in a working tree (or no git): paths are relative to the scanned folder
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return "", nil
	}
	if r, err := filepath.EvalSymlinks(top); err == nil {
		top = r
	}
	return top, nil
}

// commonDir returns the deepest directory holding every directory of ds.
func commonDir(ds []string) string {
	common := ds[0]
	for _, d := range ds[1:] {
		for !within(common, d) {
			parent := filepath.Dir(common)
			if parent == common {
				break
			}
			common = parent
		}
	}
	return common
}

// projectAround returns the nearest directory at or above dir that holds
// a project marker, not going above bound (the git top level, or the
// working directory outside git). Without one it returns the git top
// level (inGit), or dir.
func projectAround(dir, bound string, inGit bool) string {
	if bound == "" || !within(bound, dir) {
		bound = dir
	}
	for d := dir; ; {
		for _, m := range projectMarkers {
			if _, err := os.Stat(filepath.Join(d, m)); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if d == bound || parent == d {
			break
		}
		d = parent
	}
	if inGit {
		return bound
	}
	return dir
}
