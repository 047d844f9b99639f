package diffindex

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

func oldOf(t *testing.T, patch, key string, newText string) ([]byte, error) {
	t.Helper()
	idx, err := Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	f := idx.Files[key]
	if f == nil {
		t.Fatalf("no file %q in %v", key, idx.Files)
	}
	var nb []byte
	if newText != "" {
		nb = []byte(newText)
	}
	return f.Old(nb)
}

// xHeader is the git header of a modified x.ts; {old} stands for the old
// blob's abbreviated SHA.
const xHeader = "diff --git a/x.ts b/x.ts\nindex {old}..1111111 100644\n--- a/x.ts\n+++ b/x.ts\n"

// TestOld: the old side is rebuilt from the new side and git's hunks,
// including files without a final newline on either side, deletions and
// renames, and checked against the index line's blob SHA.
func TestOld(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, key, patch string
	}{
		{"modified, index checked", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nD\ne\nf\ng\nh\nI\n", "x.ts",
			xHeader + "@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+I\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n12\n", "x.ts",
			xHeader + "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n@@ -9,4 +10,3 @@\n 9\n 10\n-11\n 12\n"},
		{"old without final newline", "a\nb", "a\nb\nc\n", "x.ts",
			xHeader + "@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"},
		{"new without final newline", "a\nb\n", "a\nb", "x.ts",
			xHeader + "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n"},
		{"neither with a final newline", "a\nb\nc", "A\nb\nc", "x.ts",
			xHeader + "@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n"},
		{"deleted", "x\ny\n", "", "d.ts",
			"diff --git a/d.ts b/d.ts\ndeleted file mode 100644\nindex {old}..0000000\n--- a/d.ts\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"},
		{"renamed and changed", "a\nb\nc\n", "a\nB\nc\n", "new.ts",
			"diff --git a/old.ts b/new.ts\nsimilarity index 80%\nrename from old.ts\nrename to new.ts\nindex {old}..1111111 100644\n--- a/old.ts\n+++ b/new.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"renamed only", "same\n", "same\n", "n.ts",
			"diff --git a/o.ts b/n.ts\nsimilarity index 100%\nrename from o.ts\nrename to n.ts\n"},
		{"mode only", "#!/bin/sh\n", "#!/bin/sh\n", "run.sh",
			"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			patch := strings.ReplaceAll(tc.patch, "{old}", BlobSHA([]byte(tc.old))[:7])
			got, err := oldOf(t, patch, tc.key, tc.new)
			if err != nil || string(got) != tc.old {
				t.Errorf("Old = %q, %v; want %q", got, err, tc.old)
			}
		})
	}
}

// TestOldRefuses: a diff that does not describe the old text gives an
// error, never a guess.
func TestOldRefuses(t *testing.T) {
	modified := xHeader + "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	for _, tc := range []struct {
		name, patch, key, new string
		noOld                 bool
	}{
		{"new text disagrees with the hunk", strings.ReplaceAll(modified, "{old}", BlobSHA([]byte("a\nb\nc\n"))[:7]), "x.ts", "a\nX\nc\n", false},
		{"wrong blob", strings.ReplaceAll(modified, "{old}", "abcdef0"), "x.ts", "a\nB\nc\n", false},
		{"binary", "diff --git a/i.png b/i.png\nindex 1234567..89abcde 100644\nBinary files a/i.png and b/i.png differ\n", "i.png", "x", true},
		{"was a symlink", "diff --git a/l.ts b/l.ts\nold mode 120000\nnew mode 100644\nindex 1234567..89abcde\n--- a/l.ts\n+++ b/l.ts\n@@ -1 +1 @@\n-t.ts\n+x\n", "l.ts", "x\n", true},
		{"added", "diff --git a/n.ts b/n.ts\nnew file mode 100644\nindex 0000000..89abcde\n--- /dev/null\n+++ b/n.ts\n@@ -0,0 +1 @@\n+x\n", "n.ts", "x\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oldOf(t, tc.patch, tc.key, tc.new)
			if err == nil || errors.Is(err, ErrNoOld) != tc.noOld {
				t.Errorf("Old = %q, %v; want an error (ErrNoOld: %v)", got, err, tc.noOld)
			}
		})
	}
}

// TestOldRandomEdits: random edits of a file, diffed with go-difflib,
// always give back the old text.
func TestOldRandomEdits(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 8))
	for i := 0; i < 300; i++ {
		var old []string
		for j := r.IntN(40); j >= 0; j-- {
			old = append(old, fmt.Sprintf("line %d\n", r.IntN(6)))
		}
		var nu []string
		for _, l := range old {
			switch r.IntN(6) {
			case 0: // removed
			case 1:
				nu = append(nu, l, fmt.Sprintf("new %d\n", r.IntN(6)))
			case 2:
				nu = append(nu, fmt.Sprintf("changed %d\n", r.IntN(6)))
			default:
				nu = append(nu, l)
			}
		}
		oldText, newText := strings.Join(old, ""), strings.Join(nu, "")
		hunks, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: old, B: nu, FromFile: "a/f.ts", ToFile: "b/f.ts", Context: 3})
		if err != nil {
			t.Fatal(err)
		}
		if hunks == "" {
			continue
		}
		patch := fmt.Sprintf("diff --git a/f.ts b/f.ts\nindex %s..1111111 100644\n%s", BlobSHA([]byte(oldText))[:9], hunks)
		got, err := oldOf(t, patch, "f.ts", newText)
		if err != nil || string(got) != oldText {
			t.Fatalf("case %d: Old = %q, %v; want %q\npatch:\n%s", i, got, err, oldText, patch)
		}
	}
}
