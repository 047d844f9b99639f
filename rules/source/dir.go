package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// ErrTooLarge is returned by Read for files above MaxFileSize.
var ErrTooLarge = errors.New("file too large to analyse")

// ErrNotRegular is returned by Read for a path that is not a regular file
// (a FIFO, a socket, a device) or that leads out of the snapshot's root.
var ErrNotRegular = errors.New("not a regular file inside the repository")

// MaxLinkedFiles bounds the paths a snapshot lists through symbolic links
// to directories, so that links cannot multiply a tree without end.
const MaxLinkedFiles = 100_000

// maxLinkHops is how many symbolic links one path may pass through, as
// Linux's MAXSYMLINKS.
const maxLinkHops = 40

// Dir is a Snapshot of a directory on disk. Symbolic links are followed as
// the framework that serves the code would follow them, but only to
// targets inside the root: a link to a file is listed at the link's path,
// a link to a directory lists that directory's files under the link's
// path (a link to one of its own ancestors is a loop and is not
// followed). Links that lead out of the root or do not resolve, and
// files that are not regular (FIFOs, sockets, devices), are never opened;
// they are reported by Skipped.
type Dir struct {
	Root string
	// Skip, when set, replaces DefaultSkip for files.
	Skip func(path string) bool

	real string // Root with every link resolved

	mu      sync.Mutex
	skipped []Skip
	alias   map[string]string // listed path -> path of the file it stands for

	git dirGit
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
	d := &Dir{Root: root}
	real, err := d.resolved()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	if _, err := os.ReadDir(real); err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	return d, nil
}

// resolved returns the root with every link resolved (NewDir computes it;
// a Dir built as a literal resolves it on first use).
func (d *Dir) resolved() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.real == "" {
		real, err := filepath.EvalSymlinks(d.Root)
		if err != nil {
			return "", err
		}
		if d.real, err = filepath.Abs(real); err != nil {
			return "", err
		}
	}
	return d.real, nil
}

// inside reports whether the resolved path p is the resolved root or under it.
func inside(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// Files implements Snapshot.
func (d *Dir) Files(ctx context.Context) ([]string, error) {
	root, err := d.resolved()
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", d.Root, err)
	}
	w := &dirWalk{root: root, skip: d.Skip, ancestors: map[string]bool{}, alias: map[string]string{}}
	if w.skip == nil {
		w.skip = DefaultSkip
	}
	if err := w.walk(ctx, root, "", 0); err != nil {
		return nil, fmt.Errorf("walk %s: %w", d.Root, err)
	}
	d.mu.Lock()
	d.skipped, d.alias = w.skipped, w.alias
	d.mu.Unlock()
	sort.Strings(w.out)
	return w.out, nil
}

// Skipped implements Skipper: what the last Files call left out and why.
func (d *Dir) Skipped() []Skip {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Skip(nil), d.skipped...)
}

// Target implements Linker: the path of the file a path listed through a
// symbolic link stands for.
func (d *Dir) Target(p string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.alias[p]
	return t, ok
}

type dirWalk struct {
	root      string // resolved root
	skip      func(string) bool
	ancestors map[string]bool // resolved directories on the current path
	out       []string
	linked    int // paths listed under links to directories
	skipped   []Skip
	alias     map[string]string
}

func (w *dirWalk) note(rel, reason string) {
	if !w.skip(rel) {
		w.skipped = append(w.skipped, Skip{Path: rel, Reason: reason})
	}
}

// walk lists the directory whose resolved path is real, at the
// slash-separated path rel; links > 0 when it is reached through a link.
func (w *dirWalk) walk(ctx context.Context, real, rel string, links int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		if rel == "" {
			return err
		}
		return nil // unreadable subtree: skip it, the rest still counts
	}
	w.ancestors[real] = true
	defer delete(w.ancestors, real)
	for _, e := range entries {
		p := path.Join(rel, e.Name())
		full := filepath.Join(real, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(full)
			if err != nil {
				w.note(p, "symbolic link that does not resolve")
				continue
			}
			if target, err = filepath.Abs(target); err != nil || !inside(w.root, target) {
				w.note(p, ErrLinkOutside.Error())
				continue
			}
			st, err := os.Stat(target)
			if err != nil {
				w.note(p, "symbolic link that does not resolve")
				continue
			}
			if st.IsDir() && w.ancestors[target] {
				w.note(p, "symbolic link to one of its own parent directories (a loop); not followed")
				continue
			}
			if err := w.entry(ctx, target, p, st.Mode().Type(), links+1); err != nil {
				return err
			}
			continue
		}
		if err := w.entry(ctx, full, p, mode, links); err != nil {
			return err
		}
	}
	return nil
}

// entry lists one resolved directory entry.
func (w *dirWalk) entry(ctx context.Context, full, p string, mode fs.FileMode, links int) error {
	switch {
	case mode.IsDir():
		if SkipDir(path.Base(p)) {
			return nil
		}
		return w.walk(ctx, full, p, links)
	case !mode.IsRegular():
		w.note(p, "not a regular file ("+kindOf(mode)+"); never opened")
		return nil
	case w.skip(p) && !BuildOutput(p): // build output: for the secret-value rules (rules.Run)
		return nil
	case links > 0 && w.linked >= MaxLinkedFiles:
		w.note(p, fmt.Sprintf("more than %d paths reached through symbolic links", MaxLinkedFiles))
		return nil
	}
	if links > 0 {
		w.linked++
		if rel, err := filepath.Rel(w.root, full); err == nil && filepath.ToSlash(rel) != p {
			w.alias[p] = filepath.ToSlash(rel)
		}
	}
	w.out = append(w.out, p)
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

// Read implements Snapshot. It follows symbolic links only to targets
// inside the root and reads only regular files: the file is opened without
// blocking (a FIFO cannot hold the read) and checked after opening, so a
// path swapped for a FIFO between listing and reading is refused too.
func (d *Dir) Read(ctx context.Context, p string) ([]byte, error) {
	root, err := d.resolved()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !inside(root, real) {
		return nil, fmt.Errorf("read %s: leads out of %s: %w", p, d.Root, ErrNotRegular)
	}
	f, err := openNonBlocking(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s (%s): %w", p, kindOf(st.Mode().Type()), ErrNotRegular)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, st.Size(), ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("read %s (grew while read): %w", p, ErrTooLarge)
	}
	return b, nil
}
