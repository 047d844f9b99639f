// Package diffindex turns a unified diff into the changed-line set and the
// commentable-line index: the right-side lines inside hunks, which are the
// only lines GitHub accepts as review comment anchors.
package diffindex

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/sourcegraph/go-diff/diff"
)

// File is the diff of one file.
type File struct {
	Path    string // new path; "" when the file was deleted
	OldPath string // old path; differs from Path on renames; "" when added
	Deleted bool
	Added   bool
	Binary  bool
	// Symlink is set when the new side is a symbolic link (mode 120000):
	// the change is the link's target, and every line of the file it now
	// stands for counts as changed.
	Symlink bool
	// Changed holds right-side lines that were added, plus the right-side
	// line at which a pure deletion happened (so removing an auth check is
	// a change of the function around it).
	Changed map[int]bool
	// Commentable holds every right-side line inside a hunk.
	Commentable map[int]bool

	// oldToNew maps the left-side lines inside hunks to the right side (a
	// removed line to the line at which it was removed); shifts are the
	// line offsets after each hunk, by left-side line, for NewLine.
	oldToNew map[int]int
	shifts   []shift
	old      oldSide // for Old
}

type shift struct{ after, delta int }

// NewLine returns the right-side line of a left-side (base) line: the same
// line when it is unchanged, the line at which it was removed when it was
// removed or replaced.
func (f *File) NewLine(old int) int {
	if n, ok := f.oldToNew[old]; ok {
		return n
	}
	delta := 0
	for _, s := range f.shifts {
		if old > s.after {
			delta = s.delta
		}
	}
	return old + delta
}

// Index is the diff of a whole change, by new path.
type Index struct {
	Files map[string]*File
}

// Parse parses a unified (git) diff. It never panics on malformed input; it
// returns an error naming the problem instead.
func Parse(patch []byte) (idx *Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			idx, err = nil, fmt.Errorf("parse diff: malformed input (%v)", r)
		}
	}()
	idx = &Index{Files: map[string]*File{}}
	if len(bytes.TrimSpace(patch)) == 0 {
		return idx, nil
	}
	fds, err := diff.ParseMultiFileDiff(patch)
	if err != nil {
		return nil, fmt.Errorf("parse diff: %w", err)
	}
	for _, fd := range fds {
		f := &File{Changed: map[int]bool{}, Commentable: map[int]bool{}}
		f.OldPath = cleanPath(fd.OrigName)
		f.Path = cleanPath(fd.NewName)
		for _, x := range fd.Extended {
			switch {
			case strings.HasPrefix(x, "rename to "):
				f.Path = strings.TrimPrefix(x, "rename to ")
			case strings.HasPrefix(x, "rename from "):
				f.OldPath = strings.TrimPrefix(x, "rename from ")
			case strings.HasPrefix(x, "Binary files "), x == "GIT binary patch":
				f.Binary = true
			case strings.HasPrefix(x, "new file mode"):
				f.Added = true
			case strings.HasPrefix(x, "deleted file mode"):
				f.Deleted = true
			}
			if newMode(x) == "120000" {
				f.Symlink = true
			}
		}
		if f.Path == "" && !f.Deleted {
			// extended-only diffs (mode change, binary) carry names in the header
			if len(fd.Extended) > 0 {
				if a, b, ok := gitHeaderNames(fd.Extended[0]); ok {
					f.OldPath, f.Path = a, b
				}
			}
		}
		if f.Deleted {
			f.Path = ""
		}
		for _, h := range fd.Hunks {
			addHunk(f, h)
		}
		f.readOld(fd)
		key := f.Path
		if key == "" {
			key = f.OldPath
		}
		if key == "" {
			continue
		}
		idx.Files[key] = f
	}
	return idx, nil
}

func addHunk(f *File, h *diff.Hunk) {
	line := int(h.NewStartLine)
	old := int(h.OrigStartLine)
	adj := 0 // "+n,0": the removal is after line n
	if h.NewLines == 0 {
		adj = 1
	}
	if f.oldToNew == nil {
		f.oldToNew = map[int]int{}
	}
	defer func() {
		f.shifts = append(f.shifts, shift{after: int(h.OrigStartLine + h.OrigLines - 1), delta: line + adj - old})
	}()
	pendingDeletion := false
	for _, l := range bytes.Split(h.Body, []byte{'\n'}) {
		if len(l) == 0 {
			continue
		}
		switch l[0] {
		case '+':
			if line >= 1 {
				f.Changed[line] = true
				f.Commentable[line] = true
			}
			line++
			pendingDeletion = false
		case '-':
			f.oldToNew[old] = line + adj
			old++
			pendingDeletion = true
		case '\\': // "\ No newline at end of file"
		default:
			if line < 1 { // malformed hunk header
				line++
				old++
				continue
			}
			f.oldToNew[old] = line
			old++
			if pendingDeletion {
				f.Changed[line] = true
				if line > 1 {
					f.Changed[line-1] = true
				}
				pendingDeletion = false
			}
			f.Commentable[line] = true
			line++
		}
	}
	if pendingDeletion && line > 1 {
		f.Changed[line-1] = true
	}
}

// newMode returns the new-side file mode an extended header line states:
// "new file mode M", "new mode M", or "index A..B M" (mode unchanged).
func newMode(x string) string {
	for _, pre := range []string{"new file mode ", "new mode "} {
		if strings.HasPrefix(x, pre) {
			return strings.TrimSpace(strings.TrimPrefix(x, pre))
		}
	}
	if f := strings.Fields(x); len(f) == 3 && f[0] == "index" && strings.Contains(f[1], "..") {
		return f[2]
	}
	return ""
}

func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	if i := strings.IndexByte(p, '\t'); i >= 0 {
		p = p[:i]
	}
	if p == "/dev/null" {
		return ""
	}
	if strings.HasPrefix(p, "a/") || strings.HasPrefix(p, "b/") {
		return p[2:]
	}
	return p
}

func gitHeaderNames(h string) (string, string, bool) {
	h = strings.TrimPrefix(h, "diff --git ")
	parts := strings.SplitN(h, " b/", 2)
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "a/") {
		return "", "", false
	}
	return parts[0][2:], parts[1], true
}

// File returns the diff of path, or nil when path is unchanged.
func (x *Index) File(path string) *File {
	if x == nil {
		return nil
	}
	return x.Files[path]
}

// Changed reports whether any line in [from, to] of path is changed. Every
// line of an added or retargeted symbolic link is changed: the file it
// stands for is new at that path.
func (x *Index) Changed(path string, from, to int) bool {
	f := x.File(path)
	if f == nil {
		return false
	}
	if f.Symlink && !f.Deleted {
		return true
	}
	if to < from {
		to = from
	}
	for l := from; l <= to; l++ {
		if f.Changed[l] {
			return true
		}
	}
	return false
}

// FirstChanged returns the first changed line in [from, to] of path.
func (x *Index) FirstChanged(path string, from, to int) (int, bool) {
	f := x.File(path)
	if f == nil {
		return 0, false
	}
	if f.Symlink && !f.Deleted {
		return from, true
	}
	for l := from; l <= to; l++ {
		if f.Changed[l] {
			return l, true
		}
	}
	return 0, false
}

// Commentable reports whether a review comment may anchor at path:line.
func (x *Index) Commentable(path string, line int) bool {
	f := x.File(path)
	return f != nil && f.Commentable[line]
}

// ChangedLines returns path's changed lines in order.
func (x *Index) ChangedLines(path string) []int {
	f := x.File(path)
	if f == nil {
		return nil
	}
	out := make([]int, 0, len(f.Changed))
	for l := range f.Changed {
		out = append(out, l)
	}
	sort.Ints(out)
	return out
}
