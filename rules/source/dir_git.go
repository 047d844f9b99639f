package source

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
)

// dirGit is what git says of a directory that is a git working tree: the
// files it tracks or would add (not ignored). It is listed once, on first
// use.
type dirGit struct {
	once sync.Once
	set  map[string]bool
	ok   bool
}

// Committed implements Committer for a git working tree (a directory with
// `.git` at its root, and git on PATH): a file is committed when git
// tracks it or would add it (`git ls-files --cached --others
// --exclude-standard`), so a tracked file is committed even if a
// .gitignore pattern matches it, and an ignored untracked file is not.
// Elsewhere the answer is unknown and the .gitignore rules decide.
func (d *Dir) Committed(ctx context.Context, p string) (bool, bool) {
	d.git.once.Do(func() { d.git.set, d.git.ok = d.listGit(ctx) })
	if !d.git.ok {
		return false, false
	}
	if d.git.set[p] {
		return true, true
	}
	if _, linked := d.Target(p); linked {
		return false, false // listed through a link to a directory: git lists the link only
	}
	for q := path.Dir(p); q != "." && q != "/"; q = path.Dir(q) {
		if d.git.set[q] {
			return false, false // inside a submodule: git lists the submodule's path only
		}
	}
	return false, true
}

// listGit lists the committed files of the working tree at the root.
// Git runs with the file-system monitor off: a scanned repository's
// configuration must not run a command.
func (d *Dir) listGit(ctx context.Context) (map[string]bool, bool) {
	root, err := d.resolved()
	if err != nil {
		return nil, false
	}
	if _, err := os.Lstat(filepath.Join(root, ".git")); err != nil {
		return nil, false
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, false
	}
	out, err := RunGit(ctx, root, "-c", "core.fsmonitor=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, false
	}
	set := map[string]bool{}
	for _, b := range bytes.Split(out, []byte{0}) {
		if len(b) > 0 {
			set[string(b)] = true
		}
	}
	return set, true
}
