package rulestest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sourcegraph/go-diff/diff"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Base returns the snapshot a case's @diff starts from: the case's files
// with the diff applied in reverse. A deleted file is rebuilt from its
// hunks, an added one is left out, a renamed one is put back at its old
// path. Context lines are taken from the head file (which carries the want
// markers), removed lines from the diff.
func Base(head source.Mem, patch []byte) (source.Mem, error) {
	fds, err := diff.ParseMultiFileDiff(patch)
	if err != nil {
		return nil, fmt.Errorf("parse @diff: %w", err)
	}
	base := source.Mem{}
	for p, b := range head {
		base[p] = b
	}
	for _, fd := range fds {
		oldPath, newPath := strings.TrimPrefix(fd.OrigName, "a/"), strings.TrimPrefix(fd.NewName, "b/")
		for _, x := range fd.Extended {
			switch {
			case strings.HasPrefix(x, "rename from "):
				oldPath = strings.TrimPrefix(x, "rename from ")
			case strings.HasPrefix(x, "rename to "):
				newPath = strings.TrimPrefix(x, "rename to ")
			}
		}
		if newPath != "/dev/null" {
			delete(base, newPath)
		}
		if oldPath == "/dev/null" {
			continue
		}
		var headLines []string
		if newPath != "/dev/null" {
			b, ok := head[newPath]
			if !ok {
				return nil, fmt.Errorf("@diff changes %s, which the case does not hold", newPath)
			}
			headLines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		}
		hunks := append([]*diff.Hunk(nil), fd.Hunks...)
		sort.Slice(hunks, func(i, j int) bool { return hunks[i].NewStartLine < hunks[j].NewStartLine })
		var out []string
		next := 1 // the next head line to copy
		for _, h := range hunks {
			start := int(h.NewStartLine)
			if h.NewLines == 0 {
				start++ // "@@ -a,b +n,0 @@" removes lines after line n
			}
			for ; next < start && next <= len(headLines); next++ {
				out = append(out, headLines[next-1])
			}
			for _, l := range strings.Split(strings.TrimSuffix(string(h.Body), "\n"), "\n") {
				if l == "" {
					l = " "
				}
				switch l[0] {
				case '-':
					out = append(out, l[1:])
				case '+':
					next++
				case ' ':
					if next <= len(headLines) {
						out = append(out, headLines[next-1])
					}
					next++
				}
			}
		}
		for ; next <= len(headLines); next++ {
			out = append(out, headLines[next-1])
		}
		base[oldPath] = []byte(strings.Join(out, "\n") + "\n")
	}
	return base, nil
}
