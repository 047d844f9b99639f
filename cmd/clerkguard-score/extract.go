package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// errNoClone means the clones directory has no copy of a repository; the
// scorer skips that repository with a message rather than failing.
var errNoClone = errors.New("no clone")

// findGitDir looks for a clone of owner/name under root, in the layouts a
// clone directory may have: owner+name (the layout of the fetch tool's
// mirrors), owner__name, owner/name; each either a bare repository, a work
// tree with .git, or a folder holding one bare repository.
func findGitDir(root, repo string) (string, error) {
	owner, name, _ := strings.Cut(repo, "/")
	for _, c := range []string{owner + "+" + name, owner + "__" + name, filepath.Join(owner, name)} {
		dir := filepath.Join(root, c)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		if isGitDir(dir) {
			return dir, nil
		}
		if isGitDir(filepath.Join(dir, ".git")) {
			return filepath.Join(dir, ".git"), nil
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", dir, err)
		}
		for _, e := range ents {
			if e.IsDir() && isGitDir(filepath.Join(dir, e.Name())) {
				return filepath.Join(dir, e.Name()), nil
			}
		}
	}
	return "", fmt.Errorf("%w of %s under %s", errNoClone, repo, root)
}

func isGitDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "objects"))
	if err != nil || !st.IsDir() {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "HEAD"))
	return err == nil
}

// extract writes the tree of commit in gitDir into dest with git's plumbing
// (ls-tree, then one cat-file --batch), the only tool the scorer needs.
// Only regular files are written. Blobs the clone lacks (snapshots leave
// out large files) are skipped and counted, not fatal: they are binaries
// and media, never the code the engine reads.
func extract(ctx context.Context, gitDir, commit, dest string) (missing int, err error) {
	ls := exec.CommandContext(ctx, "git", "--git-dir", gitDir, "ls-tree", "-r", "-z", "--full-tree", commit)
	var stderr bytes.Buffer
	ls.Stderr = &stderr
	list, err := ls.Output()
	if err != nil {
		return 0, fmt.Errorf("git ls-tree %s in %s: %w: %s", commit, gitDir, err, strings.TrimSpace(stderr.String()))
	}
	type entry struct{ sha, path string }
	var ents []entry
	for _, rec := range bytes.Split(list, []byte{0}) {
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			continue
		}
		f := strings.Fields(string(meta)) // mode type sha
		if len(f) != 3 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
			continue
		}
		clean := path.Clean(string(p))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			continue
		}
		ents = append(ents, entry{f[2], clean})
	}
	cat := exec.CommandContext(ctx, "git", "--git-dir", gitDir, "cat-file", "--batch")
	var in bytes.Buffer
	for _, e := range ents {
		in.WriteString(e.sha + "\n")
	}
	cat.Stdin = &in
	stderr.Reset()
	cat.Stderr = &stderr
	out, err := cat.StdoutPipe()
	if err != nil {
		return 0, fmt.Errorf("git cat-file: %w", err)
	}
	if err := cat.Start(); err != nil {
		return 0, fmt.Errorf("git cat-file: %w", err)
	}
	werr := writeBlobs(bufio.NewReader(out), dest, len(ents), func(i int) string { return ents[i].path }, &missing)
	if werr != nil {
		_, _ = io.Copy(io.Discard, out)
	}
	if err := cat.Wait(); err != nil {
		return missing, fmt.Errorf("git cat-file in %s: %w: %s", gitDir, err, strings.TrimSpace(stderr.String()))
	}
	return missing, werr
}

// writeBlobs reads n answers of git cat-file --batch and writes each blob
// at pathOf(i) under dest.
func writeBlobs(r *bufio.Reader, dest string, n int, pathOf func(int) string, missing *int) error {
	for i := 0; i < n; i++ {
		head, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("read git cat-file: %w", err)
		}
		f := strings.Fields(head)
		if len(f) == 2 && f[1] == "missing" {
			*missing++
			continue
		}
		if len(f) != 3 {
			return fmt.Errorf("unexpected git cat-file answer %q", strings.TrimSpace(head))
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("unexpected git cat-file size %q", f[2])
		}
		p := filepath.Join(dest, filepath.FromSlash(pathOf(i)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("extract %s: %w", pathOf(i), err)
		}
		w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("extract %s: %w", pathOf(i), err)
		}
		_, cerr := io.CopyN(w, r, size)
		if err := errors.Join(cerr, w.Close()); err != nil {
			return fmt.Errorf("extract %s: %w", pathOf(i), err)
		}
		if _, err := r.Discard(1); err != nil { // the newline after the content
			return fmt.Errorf("read git cat-file: %w", err)
		}
	}
	return nil
}
