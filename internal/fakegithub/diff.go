package fakegithub

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Limits that mirror GitHub's (reference facts F31-F33).
const (
	// MaxDiffFiles is where the diff media type answers 406 too_large.
	MaxDiffFiles = 300
	// MaxDiffLines is the total diff line count beyond which the diff media type
	// answers 406 too_large.
	MaxDiffLines = 20000
	// MaxListFiles is the most files the list-files API returns.
	MaxListFiles = 3000
	// MaxPatchBytes and MaxPatchLines: a file whose patch is larger is listed without
	// a patch by the files API (GitHub's single-file diff limit is 500 KB / 20,000 lines).
	MaxPatchBytes = 500 * 1024
	MaxPatchLines = 20000
	// MaxPatchBlobBytes: a file whose base or head blob is larger than 1 MB is listed
	// without a patch.
	MaxPatchBlobBytes = 1 << 20
)

const diffContext = 3

type diffLine struct {
	kind    byte // ' ', '+', '-', '\\'
	text    string
	oldLine int // 0 when not on the left side
	newLine int // 0 when not on the right side
	pos     int // GitHub "position": 1 = first line after the first @@ header
}

type hunk struct {
	header    string
	headerPos int // position of the @@ line (0 for the first hunk)
	lines     []diffLine
}

type fileDiff struct {
	path, oldPath        string
	status               string // added, removed, modified, renamed
	oldSHA, newSHA       string
	oldMode, newMode     string
	binary               bool
	header               string // git header lines
	patch                string // from the first @@, "" when none
	hunks                []hunk
	additions, deletions int
	patchLines           int
	omitPatch            bool
	right, left          map[int]int // line -> hunk index
}

type prDiff struct {
	files      []*fileDiff
	byPath     map[string]*fileDiff
	text       string
	totalLines int
	tooLarge   string // reason message when the diff media type must answer 406
}

// diffLocked returns (and caches) the PR's current diff.
func (s *Server) diffLocked(p *pullRequest) *prDiff {
	if p.diff == nil {
		omit := map[string]bool{}
		for _, o := range p.spec.OmitPatch {
			omit[o] = true
		}
		p.diff = computeDiff(p.base, p.head, omit)
		if p.spec.DiffTooLarge && p.diff.tooLarge == "" {
			p.diff.tooLarge = fmt.Sprintf("Sorry, the diff exceeded the maximum number of files (%d). Consider using 'List pull requests files' API or locally cloning the repository instead.", MaxDiffFiles)
		}
	}
	return p.diff
}

func computeDiff(base, head *snapshot, omit map[string]bool) *prDiff {
	var removed, added, both []string
	for p := range base.files {
		if _, ok := head.files[p]; ok {
			both = append(both, p)
		} else {
			removed = append(removed, p)
		}
	}
	for p := range head.files {
		if _, ok := base.files[p]; !ok {
			added = append(added, p)
		}
	}
	sort.Strings(removed)
	sort.Strings(added)
	var fds []*fileDiff
	// exact-content renames: pair each added file with a removed file of the same blob
	usedRemoved := map[string]bool{}
	bySHA := map[string][]string{}
	for _, p := range removed {
		fe := base.files[p]
		if len(fe.content) > 0 && fe.kind != KindSubmodule {
			bySHA[fe.sha] = append(bySHA[fe.sha], p)
		}
	}
	var pureAdded []string
	for _, p := range added {
		fe := head.files[p]
		cands := bySHA[fe.sha]
		if len(cands) > 0 && fe.kind != KindSubmodule {
			old := cands[0]
			bySHA[fe.sha] = cands[1:]
			usedRemoved[old] = true
			fds = append(fds, diffFile(old, p, base.files[old], fe, "renamed"))
			continue
		}
		pureAdded = append(pureAdded, p)
	}
	for _, p := range pureAdded {
		fds = append(fds, diffFile("", p, nil, head.files[p], "added"))
	}
	for _, p := range removed {
		if !usedRemoved[p] {
			fds = append(fds, diffFile(p, "", base.files[p], nil, "removed"))
		}
	}
	for _, p := range both {
		a, b := base.files[p], head.files[p]
		if a.sha == b.sha && a.mode == b.mode && a.kind == b.kind {
			continue
		}
		fds = append(fds, diffFile(p, p, a, b, "modified"))
	}
	sort.Slice(fds, func(i, j int) bool { return fds[i].path < fds[j].path })
	d := &prDiff{files: fds, byPath: map[string]*fileDiff{}}
	var sb strings.Builder
	for _, fd := range fds {
		d.byPath[fd.path] = fd
		sb.WriteString(fd.header)
		if fd.patch != "" {
			sb.WriteString(fd.patch)
		}
		if omit[fd.path] {
			fd.omitPatch = true
		}
	}
	d.text = sb.String()
	d.totalLines = strings.Count(d.text, "\n")
	switch {
	case len(fds) > MaxDiffFiles:
		d.tooLarge = fmt.Sprintf("Sorry, the diff exceeded the maximum number of files (%d). Consider using 'List pull requests files' API or locally cloning the repository instead.", MaxDiffFiles)
	case d.totalLines > MaxDiffLines:
		d.tooLarge = fmt.Sprintf("Sorry, the diff exceeded the maximum number of lines (%d). Consider using 'List pull requests files' API or locally cloning the repository instead.", MaxDiffLines)
	}
	return d
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

const zeroSHA = "0000000000000000000000000000000000000000"

// diffFile builds one file's diff. oldPath/a is empty/nil for an added file, newPath/b
// for a removed one.
func diffFile(oldPath, newPath string, a, b *fileEntry, status string) *fileDiff {
	fd := &fileDiff{status: status, oldSHA: zeroSHA, newSHA: zeroSHA}
	if newPath != "" {
		fd.path = newPath
	} else {
		fd.path = oldPath
	}
	if status == "renamed" {
		fd.oldPath = oldPath
	}
	aName, bName := oldPath, newPath
	if aName == "" {
		aName = newPath
	}
	if bName == "" {
		bName = oldPath
	}
	var h strings.Builder
	fmt.Fprintf(&h, "diff --git a/%s b/%s\n", aName, bName)
	var aContent, bContent []byte
	if a != nil {
		fd.oldSHA, fd.oldMode, aContent = a.sha, a.mode, diffContent(a)
	}
	if b != nil {
		fd.newSHA, fd.newMode, bContent = b.sha, b.mode, diffContent(b)
	}
	fd.binary = (a != nil && a.kind == KindBinary) || (b != nil && b.kind == KindBinary) ||
		(a != nil && a.kind != KindSubmodule && isBinary(aContent)) ||
		(b != nil && b.kind != KindSubmodule && isBinary(bContent))
	if len(aContent) > MaxPatchBlobBytes || len(bContent) > MaxPatchBlobBytes {
		fd.omitPatch = true
	}
	sameContent := a != nil && b != nil && a.sha == b.sha
	switch status {
	case "added":
		fmt.Fprintf(&h, "new file mode %s\nindex %s..%s\n", b.mode, short(zeroSHA), short(b.sha))
	case "removed":
		fmt.Fprintf(&h, "deleted file mode %s\nindex %s..%s\n", a.mode, short(a.sha), short(zeroSHA))
	case "renamed":
		if a.mode != b.mode {
			fmt.Fprintf(&h, "old mode %s\nnew mode %s\n", a.mode, b.mode)
		}
		fmt.Fprintf(&h, "similarity index 100%%\nrename from %s\nrename to %s\n", oldPath, newPath)
	default:
		if a.mode != b.mode {
			fmt.Fprintf(&h, "old mode %s\nnew mode %s\n", a.mode, b.mode)
			if !sameContent {
				fmt.Fprintf(&h, "index %s..%s\n", short(a.sha), short(b.sha))
			}
		} else {
			fmt.Fprintf(&h, "index %s..%s %s\n", short(a.sha), short(b.sha), a.mode)
		}
	}
	if sameContent || status == "renamed" {
		fd.header = h.String()
		return fd
	}
	from, to := "a/"+aName, "b/"+bName
	if a == nil {
		from = "/dev/null"
	}
	if b == nil {
		to = "/dev/null"
	}
	if fd.binary {
		fmt.Fprintf(&h, "Binary files %s and %s differ\n", from, to)
		fd.header = h.String()
		return fd
	}
	hunks, patch := unifiedHunks(splitLines(aContent), splitLines(bContent))
	if len(hunks) > 0 {
		fmt.Fprintf(&h, "--- %s\n+++ %s\n", from, to)
	}
	fd.header = h.String()
	fd.hunks = hunks
	fd.patch = patch
	fd.right, fd.left = map[int]int{}, map[int]int{}
	for hi, hk := range hunks {
		for _, l := range hk.lines {
			switch l.kind {
			case '+':
				fd.additions++
			case '-':
				fd.deletions++
			}
			if l.newLine > 0 {
				fd.right[l.newLine] = hi
			}
			if l.oldLine > 0 {
				fd.left[l.oldLine] = hi
			}
		}
	}
	fd.patchLines = strings.Count(patch, "\n")
	if len(patch) > MaxPatchBytes || fd.patchLines > MaxPatchLines {
		fd.omitPatch = true
	}
	return fd
}

func diffContent(fe *fileEntry) []byte {
	if fe.kind == KindSubmodule {
		return []byte("Subproject commit " + fe.sha + "\n")
	}
	return fe.content
}

// splitLines splits keeping each line's "\n"; the last line may lack it.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// opcodes computes difflib opcodes after trimming the common prefix and suffix
// (which keeps large, mostly-equal files fast).
func opcodes(a, b []string) []difflib.OpCode {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var codes []difflib.OpCode
	if pre > 0 {
		codes = append(codes, difflib.OpCode{Tag: 'e', I1: 0, I2: pre, J1: 0, J2: pre})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	switch {
	case len(ma) == 0 && len(mb) == 0:
	case len(ma) == 0:
		codes = append(codes, difflib.OpCode{Tag: 'i', I1: pre, I2: pre, J1: pre, J2: pre + len(mb)})
	case len(mb) == 0:
		codes = append(codes, difflib.OpCode{Tag: 'd', I1: pre, I2: pre + len(ma), J1: pre, J2: pre})
	default:
		m := difflib.NewMatcher(ma, mb)
		for _, c := range m.GetOpCodes() {
			codes = append(codes, difflib.OpCode{Tag: c.Tag, I1: c.I1 + pre, I2: c.I2 + pre, J1: c.J1 + pre, J2: c.J2 + pre})
		}
	}
	if suf > 0 {
		codes = append(codes, difflib.OpCode{Tag: 'e', I1: len(a) - suf, I2: len(a), J1: len(b) - suf, J2: len(b)})
	}
	return codes
}

// groupOpcodes is difflib's GetGroupedOpCodes over precomputed opcodes.
func groupOpcodes(codes []difflib.OpCode, n int) [][]difflib.OpCode {
	if len(codes) == 0 {
		return nil
	}
	codes = append([]difflib.OpCode(nil), codes...)
	if c := codes[0]; c.Tag == 'e' {
		codes[0] = difflib.OpCode{Tag: 'e', I1: max(c.I1, c.I2-n), I2: c.I2, J1: max(c.J1, c.J2-n), J2: c.J2}
	}
	if c := codes[len(codes)-1]; c.Tag == 'e' {
		codes[len(codes)-1] = difflib.OpCode{Tag: 'e', I1: c.I1, I2: min(c.I2, c.I1+n), J1: c.J1, J2: min(c.J2, c.J1+n)}
	}
	var groups [][]difflib.OpCode
	var group []difflib.OpCode
	for _, c := range codes {
		i1, i2, j1, j2 := c.I1, c.I2, c.J1, c.J2
		if c.Tag == 'e' && i2-i1 > 2*n {
			group = append(group, difflib.OpCode{Tag: 'e', I1: i1, I2: min(i2, i1+n), J1: j1, J2: min(j2, j1+n)})
			groups = append(groups, group)
			group = nil
			i1, j1 = max(i1, i2-n), max(j1, j2-n)
		}
		group = append(group, difflib.OpCode{Tag: c.Tag, I1: i1, I2: i2, J1: j1, J2: j2})
	}
	if len(group) > 0 && !(len(group) == 1 && group[0].Tag == 'e') {
		groups = append(groups, group)
	}
	return groups
}

func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprintf("%d", start)
	}
	if count == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}

// unifiedHunks returns the hunks and the patch text (hunk headers and lines).
func unifiedHunks(a, b []string) ([]hunk, string) {
	groups := groupOpcodes(opcodes(a, b), diffContext)
	var sb strings.Builder
	var hunks []hunk
	pos := 0
	for gi, g := range groups {
		first, last := g[0], g[len(g)-1]
		oldCount, newCount := last.I2-first.I1, last.J2-first.J1
		oldStart, newStart := first.I1+1, first.J1+1
		if oldCount == 0 {
			oldStart = first.I1
		}
		if newCount == 0 {
			newStart = first.J1
		}
		hk := hunk{header: fmt.Sprintf("@@ -%s +%s @@", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount))}
		if gi > 0 {
			pos++
			hk.headerPos = pos
		}
		sb.WriteString(hk.header + "\n")
		emit := func(kind byte, text string, oldLine, newLine int) {
			pos++
			hk.lines = append(hk.lines, diffLine{kind: kind, text: strings.TrimSuffix(text, "\n"), oldLine: oldLine, newLine: newLine, pos: pos})
			sb.WriteByte(kind)
			sb.WriteString(text)
			if !strings.HasSuffix(text, "\n") {
				sb.WriteString("\n")
				pos++
				hk.lines = append(hk.lines, diffLine{kind: '\\', text: " No newline at end of file", pos: pos})
				sb.WriteString("\\ No newline at end of file\n")
			}
		}
		for _, c := range g {
			if c.Tag == 'e' {
				for k := 0; k < c.I2-c.I1; k++ {
					emit(' ', a[c.I1+k], c.I1+k+1, c.J1+k+1)
				}
				continue
			}
			if c.Tag == 'r' || c.Tag == 'd' {
				for i := c.I1; i < c.I2; i++ {
					emit('-', a[i], i+1, 0)
				}
			}
			if c.Tag == 'r' || c.Tag == 'i' {
				for j := c.J1; j < c.J2; j++ {
					emit('+', b[j], 0, j+1)
				}
			}
		}
		hunks = append(hunks, hk)
	}
	return hunks, sb.String()
}

// diffHunkUpTo returns the diff_hunk GitHub shows for a comment: the hunk header and
// the hunk's lines up to and including the commented line.
func (fd *fileDiff) diffHunkUpTo(side string, line int) string {
	m := fd.right
	if side == "LEFT" {
		m = fd.left
	}
	hi, ok := m[line]
	if !ok || hi >= len(fd.hunks) {
		return ""
	}
	hk := fd.hunks[hi]
	var sb strings.Builder
	sb.WriteString(hk.header)
	for _, l := range hk.lines {
		sb.WriteString("\n")
		sb.WriteByte(l.kind)
		sb.WriteString(l.text)
		if (side == "LEFT" && l.oldLine == line && l.kind != '+') || (side != "LEFT" && l.newLine == line && l.kind != '-') {
			break
		}
	}
	return sb.String()
}

// positionOf returns the GitHub "position" of a line (0 when not in the diff).
func (fd *fileDiff) positionOf(side string, line int) int {
	for _, hk := range fd.hunks {
		for _, l := range hk.lines {
			if side == "LEFT" && l.oldLine == line && l.kind != '+' {
				return l.pos
			}
			if side != "LEFT" && l.newLine == line && l.kind != '-' {
				return l.pos
			}
		}
	}
	return 0
}

// lineAtPosition maps a deprecated "position" to (side, line, hunk).
func (fd *fileDiff) lineAtPosition(pos int) (string, int, int, bool) {
	for hi, hk := range fd.hunks {
		for _, l := range hk.lines {
			if l.pos != pos {
				continue
			}
			switch {
			case l.kind == '-':
				return "LEFT", l.oldLine, hi, true
			case l.kind == '\\':
				return "", 0, 0, false
			default:
				return "RIGHT", l.newLine, hi, true
			}
		}
	}
	return "", 0, 0, false
}
