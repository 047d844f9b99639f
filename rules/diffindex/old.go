package diffindex

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sourcegraph/go-diff/diff"
)

// ErrNoOld is returned by File.Old when the diff does not describe the
// old side's text: a binary file, or a change to or from a symbolic link.
var ErrNoOld = errors.New("the diff does not hold the old text")

// oldSide records what File.Old needs from one file's diff.
type oldSide struct {
	hunks   []*diff.Hunk
	oldMode string // "" when the diff does not say
	oldBlob string // the old blob's (abbreviated) SHA from the index line
	newBlob string // the new blob's
}

// readOld records the old side's mode and blob SHA from the extended
// header lines and keeps the hunks.
func (f *File) readOld(fd *diff.FileDiff) {
	f.old.hunks = fd.Hunks
	for _, x := range fd.Extended {
		for _, pre := range []string{"old mode ", "deleted file mode "} {
			if strings.HasPrefix(x, pre) {
				f.old.oldMode = strings.TrimSpace(strings.TrimPrefix(x, pre))
			}
		}
		if fs := strings.Fields(x); len(fs) >= 2 && fs[0] == "index" {
			if a, b, ok := strings.Cut(fs[1], ".."); ok {
				f.old.oldBlob, f.old.newBlob = a, b
			}
			if len(fs) == 3 && f.old.oldMode == "" {
				f.old.oldMode = fs[2]
			}
		}
	}
}

// NewBlob is the new blob's (abbreviated) SHA from the index line, ""
// when the diff has none.
func (f *File) NewBlob() string { return f.old.newBlob }

// OldSymlink reports whether the old side was a symbolic link.
func (f *File) OldSymlink() bool { return f.old.oldMode == "120000" }

// Old reconstructs the old side's text from the new side's (nil for a
// deleted file) by undoing the hunks: unchanged regions are copied, each
// hunk's context and removed lines replace its context and added lines.
// The new text must agree with every hunk, and when the diff names the old
// blob the result must hash to it; otherwise Old returns an error, never
// a guess.
func (f *File) Old(newText []byte) ([]byte, error) {
	if f.Binary || f.Symlink || f.OldSymlink() {
		return nil, ErrNoOld
	}
	if f.Added {
		return nil, fmt.Errorf("%s is new: %w", f.Path, ErrNoOld)
	}
	lines := bytes.SplitAfter(newText, []byte{'\n'})
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	var out bytes.Buffer
	cur := 0 // next unconsumed line of the new side, 0-based
	for _, h := range f.old.hunks {
		start := int(h.NewStartLine) - 1
		if h.NewLines == 0 {
			start = int(h.NewStartLine) // "+n,0": the hunk follows line n
		}
		if start < cur || start > len(lines) {
			return nil, fmt.Errorf("hunk @@ -%d +%d @@ out of order or beyond the new text (%d lines)", h.OrigStartLine, h.NewStartLine, len(lines))
		}
		for _, l := range lines[cur:start] {
			out.Write(l)
		}
		cur = start
		oldN, newN, off := 0, 0, 0
		for _, l := range bytes.SplitAfter(h.Body, []byte{'\n'}) {
			off += len(l)
			if len(l) == 0 {
				continue
			}
			text := l[1:]
			switch l[0] {
			case ' ', '+':
				if cur >= len(lines) || !bytes.Equal(lines[cur], text) {
					return nil, fmt.Errorf("hunk @@ -%d +%d @@ does not match new line %d", h.OrigStartLine, h.NewStartLine, cur+1)
				}
				cur++
				newN++
				if l[0] == '+' {
					continue
				}
			case '-':
				if h.OrigNoNewlineAt > 0 && off == int(h.OrigNoNewlineAt) {
					text = bytes.TrimSuffix(text, []byte{'\n'})
				}
			default:
				return nil, fmt.Errorf("hunk @@ -%d +%d @@: bad line %q", h.OrigStartLine, h.NewStartLine, l)
			}
			oldN++
			out.Write(text)
		}
		if oldN != int(h.OrigLines) || newN != int(h.NewLines) {
			return nil, fmt.Errorf("hunk @@ -%d,%d +%d,%d @@ holds %d old and %d new lines", h.OrigStartLine, h.OrigLines, h.NewStartLine, h.NewLines, oldN, newN)
		}
	}
	for _, l := range lines[cur:] {
		out.Write(l)
	}
	old := out.Bytes()
	if f.old.oldBlob != "" && !strings.HasPrefix(BlobSHA(old), f.old.oldBlob) {
		return nil, fmt.Errorf("the reconstructed old text of %s does not hash to its blob %s", f.OldPath, f.old.oldBlob)
	}
	return old, nil
}

// BlobSHA is git's object ID of a blob holding b.
func BlobSHA(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
