package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
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

// extract writes the tree of commit in gitDir into dest, through
// `git archive` (the only tool the scorer needs). Only regular files are
// written; links and anything that would leave dest are skipped.
func extract(ctx context.Context, gitDir, commit, dest string) error {
	cmd := exec.CommandContext(ctx, "git", "--git-dir", gitDir, "archive", "--format=tar", commit)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("git archive: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git archive: %w", err)
	}
	werr := untar(out, dest)
	if werr != nil {
		// Drain so git does not block on a full pipe before Wait.
		_, _ = io.Copy(io.Discard, out)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s in %s: %w: %s", commit, gitDir, err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		clean := path.Clean(h.Name)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			continue
		}
		p := filepath.Join(dest, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("extract %s: %w", clean, err)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("extract %s: %w", clean, err)
		}
		_, cerr := io.Copy(f, tr)
		if err := errors.Join(cerr, f.Close()); err != nil {
			return fmt.Errorf("extract %s: %w", clean, err)
		}
	}
}
