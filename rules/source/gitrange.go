package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
)

// Range is a local git range for diff mode: the head snapshot and the
// unified diff from the merge base of base and head.
type Range struct {
	Snapshot Snapshot
	// Base is the merge base's snapshot, the side the patch starts from
	// (review mode compares the two).
	Base    Snapshot
	Patch   []byte
	BaseSHA string
	HeadSHA string // "" when the head is the working tree
	Close   func() error
}

// NewRange opens the range base...head of the repository at dir. With
// head == "" the head is the working tree, untracked (not ignored) files
// included, so uncommitted work is reviewed too.
func NewRange(ctx context.Context, dir, base, head string) (*Range, error) {
	if _, err := RunGit(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return nil, fmt.Errorf("%s is not inside a git repository", dir)
	}
	top, err := RunGit(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	root := strings.TrimSpace(string(top))
	baseSHA, err := ResolveRev(ctx, root, base)
	if err != nil {
		return nil, err
	}
	r := &Range{BaseSHA: baseSHA, Close: func() error { return nil }}
	headRev := "HEAD"
	if head != "" {
		if r.HeadSHA, err = ResolveRev(ctx, root, head); err != nil {
			return nil, err
		}
		headRev = r.HeadSHA
	}
	mb, err := RunGit(ctx, root, "merge-base", baseSHA, headRev)
	if err != nil {
		return nil, fmt.Errorf("no merge base between %s and %s: %w", base, headRev, err)
	}
	mergeBase := strings.TrimSpace(string(mb))
	args := []string{"diff", "--no-color", "--no-ext-diff", "-M", "--src-prefix=a/", "--dst-prefix=b/", mergeBase}
	if head != "" {
		args = append(args, r.HeadSHA)
	}
	patch, err := RunGit(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	bg, err := NewGit(ctx, root, mergeBase)
	if err != nil {
		return nil, err
	}
	r.Base, r.Close = bg, bg.Close
	if head != "" {
		g, err := NewGit(ctx, root, r.HeadSHA)
		if err != nil {
			bg.Close()
			return nil, err
		}
		r.Snapshot, r.Close = g, func() error { return errors.Join(g.Close(), bg.Close()) }
	} else {
		d, err := NewDir(root)
		if err != nil {
			bg.Close()
			return nil, err
		}
		r.Snapshot = d
		untracked, err := RunGit(ctx, root, "ls-files", "-z", "--others", "--exclude-standard")
		if err != nil {
			bg.Close()
			return nil, err
		}
		var extra bytes.Buffer
		for _, p := range bytes.Split(untracked, []byte{0}) {
			if len(p) == 0 || DefaultSkip(string(p)) {
				continue
			}
			// Through the snapshot: links only inside the root, never a FIFO.
			b, err := d.Read(ctx, string(p))
			if err != nil || bytes.IndexByte(b, 0) >= 0 {
				continue
			}
			extra.WriteString(addedFileDiff(string(p), b))
		}
		patch = append(patch, extra.Bytes()...)
	}
	r.Patch = patch
	return r, nil
}

// addedFileDiff renders a new file as a unified diff that adds every line.
func addedFileDiff(p string, b []byte) string {
	s := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	var sb strings.Builder
	fmt.Fprintf(&sb, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n", p, p, p)
	if s == "" {
		return sb.String()
	}
	lines := strings.Split(s, "\n")
	fmt.Fprintf(&sb, "@@ -0,0 +1,%d @@\n", len(lines))
	for _, l := range lines {
		sb.WriteString("+" + l + "\n")
	}
	return sb.String()
}
