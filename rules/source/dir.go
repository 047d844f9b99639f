package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ErrTooLarge is returned by Read for files above MaxFileSize.
var ErrTooLarge = errors.New("file too large to analyse")

// Dir is a Snapshot of a directory on disk. Symbolic links are not followed.
type Dir struct {
	Root string
	// Skip, when set, replaces DefaultSkip for files.
	Skip func(path string) bool
}

// NewDir checks that root is a readable directory.
func NewDir(root string) (*Dir, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	f, err := os.Open(root)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	f.Close()
	return &Dir{Root: root}, nil
}

// Files implements Snapshot.
func (d *Dir) Files(ctx context.Context) ([]string, error) {
	skip := d.Skip
	if skip == nil {
		skip = DefaultSkip
	}
	var out []string
	err := filepath.WalkDir(d.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == d.Root {
				return err
			}
			return nil // unreadable subtree: skip it, the rest still counts
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if e.IsDir() {
			if p != d.Root && SkipDir(e.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil // symlinks, sockets, devices
		}
		rel, err := filepath.Rel(d.Root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip(rel) {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", d.Root, err)
	}
	sort.Strings(out)
	return out, nil
}

// Read implements Snapshot.
func (d *Dir) Read(ctx context.Context, p string) ([]byte, error) {
	full := filepath.Join(d.Root, filepath.FromSlash(p))
	st, err := os.Lstat(full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, st.Size(), ErrTooLarge)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}
