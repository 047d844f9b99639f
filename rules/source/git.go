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
	links   treeLinks

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
	blobs := map[string]gitEntry{}
	linkObjs := map[string]string{}
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
		if len(fields) != 4 || fields[1] != "blob" {
			continue // submodules (commit)
		}
		if fields[0] == "120000" {
			linkObjs[p] = fields[2]
			continue
		}
		size, _ := strconv.ParseInt(fields[3], 10, 64)
		blobs[p] = gitEntry{obj: fields[2], size: size}
	}
	targets := map[string]string{}
	for p, obj := range linkObjs {
		t, err := g.cat(obj)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("read symbolic link %s: %w", p, err)
		}
		targets[p] = string(t)
	}
	g.links = resolveTreeLinks(blobs, targets)
	// Committed build output is kept for the secret-value rules; the
	// engine hides it from everything else (rules.Run).
	for p, e := range blobs {
		if !DefaultSkip(p) || BuildOutput(p) {
			g.entries[p] = e
			g.paths = append(g.paths, p)
		}
	}
	for alias, real := range g.links.alias {
		if !DefaultSkip(alias) || BuildOutput(alias) {
			g.entries[alias] = blobs[real]
			g.paths = append(g.paths, alias)
		}
	}
	sort.Strings(g.paths)
	return g, nil
}

// Skipped implements Skipper: the symbolic links that were not followed.
func (g *Git) Skipped() []Skip { return g.links.skipped }

// Target implements Linker.
func (g *Git) Target(p string) (string, bool) {
	t, ok := g.links.alias[p]
	return t, ok
}

// Files implements Snapshot.
func (g *Git) Files(ctx context.Context) ([]string, error) { return g.paths, nil }

// Committed implements Committer: every file of a commit's tree is
// committed, whatever .gitignore says (a force-added file included).
func (g *Git) Committed(_ context.Context, p string) (bool, bool) {
	_, ok := g.entries[p]
	return ok, true
}

// Read implements Snapshot.
func (g *Git) Read(ctx context.Context, p string) ([]byte, error) {
	e, ok := g.entries[p]
	if !ok {
		return nil, fmt.Errorf("read %s at %s: not in tree", p, short(g.Rev))
	}
	if e.size > MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, e.size, ErrTooLarge)
	}
	b, err := g.cat(e.obj)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

// cat reads one object through the long-lived `git cat-file --batch`.
func (g *Git) cat(obj string) ([]byte, error) {
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
	if _, err := fmt.Fprintln(g.in, obj); err != nil {
		return nil, err
	}
	hdr, err := g.out.ReadString('\n')
	if err != nil {
		return nil, err
	}
	f := strings.Fields(hdr)
	if len(f) != 3 {
		return nil, fmt.Errorf("unexpected git output %q", strings.TrimSpace(hdr))
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n+1) // content plus trailing LF
	if _, err := io.ReadFull(g.out, buf); err != nil {
		return nil, err
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
