package source

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Git is a Snapshot of one commit of a local git repository. It lists the
// tree once with `git ls-tree` and reads blobs through one long-lived
// `git cat-file --batch` process.
type Git struct {
	Dir string // repository work tree
	Rev string // resolved commit SHA

	entries map[string]gitEntry
	paths   []string

	mu    sync.Mutex
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	start sync.Once
	err   error
}

type gitEntry struct {
	obj  string
	size int64
}

// RunGit runs git in dir and returns its standard output. Errors carry
// git's own message.
func RunGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// ResolveRev resolves a revision to a commit SHA, with a clear error for a
// bad ref.
func ResolveRev(ctx context.Context, dir, rev string) (string, error) {
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("invalid git ref %q", rev)
	}
	out, err := RunGit(ctx, dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("unknown git ref %q in %s", rev, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

// NewGit opens the commit rev of the repository at dir.
func NewGit(ctx context.Context, dir, rev string) (*Git, error) {
	sha, err := ResolveRev(ctx, dir, rev)
	if err != nil {
		return nil, err
	}
	out, err := RunGit(ctx, dir, "ls-tree", "-r", "-z", "--long", "--full-tree", sha)
	if err != nil {
		return nil, err
	}
	g := &Git{Dir: dir, Rev: sha, entries: map[string]gitEntry{}}
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		// <mode> SP <type> SP <object> SP+ <size> TAB <path>
		tab := bytes.IndexByte(rec, '\t')
		if tab < 0 {
			continue
		}
		fields := strings.Fields(string(rec[:tab]))
		p := string(rec[tab+1:])
		if len(fields) != 4 || fields[1] != "blob" || fields[0] == "120000" {
			continue // submodules (commit), symlinks
		}
		size, _ := strconv.ParseInt(fields[3], 10, 64)
		if DefaultSkip(p) {
			continue
		}
		g.entries[p] = gitEntry{obj: fields[2], size: size}
		g.paths = append(g.paths, p)
	}
	sort.Strings(g.paths)
	return g, nil
}

// Files implements Snapshot.
func (g *Git) Files(ctx context.Context) ([]string, error) { return g.paths, nil }

// Read implements Snapshot.
func (g *Git) Read(ctx context.Context, p string) ([]byte, error) {
	e, ok := g.entries[p]
	if !ok {
		return nil, fmt.Errorf("read %s at %s: not in tree", p, short(g.Rev))
	}
	if e.size > MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, e.size, ErrTooLarge)
	}
	g.start.Do(func() {
		g.cmd = exec.Command("git", "-C", g.Dir, "cat-file", "--batch")
		g.in, g.err = g.cmd.StdinPipe()
		if g.err != nil {
			return
		}
		var stdout io.ReadCloser
		stdout, g.err = g.cmd.StdoutPipe()
		if g.err != nil {
			return
		}
		g.out = bufio.NewReaderSize(stdout, 64<<10)
		g.err = g.cmd.Start()
	})
	if g.err != nil {
		return nil, fmt.Errorf("git cat-file: %w", g.err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := fmt.Fprintln(g.in, e.obj); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	hdr, err := g.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	f := strings.Fields(hdr)
	if len(f) != 3 {
		return nil, fmt.Errorf("read %s: unexpected git output %q", p, strings.TrimSpace(hdr))
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	buf := make([]byte, n+1) // content plus trailing LF
	if _, err := io.ReadFull(g.out, buf); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return buf[:n], nil
}

// Close stops the cat-file process.
func (g *Git) Close() error {
	if g.cmd == nil || g.cmd.Process == nil {
		return nil
	}
	g.in.Close()
	return g.cmd.Wait()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
