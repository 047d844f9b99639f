package diffindex

import (
	"reflect"
	"sort"
	"testing"
)

const sample = `diff --git a/app/api/x/route.ts b/app/api/x/route.ts
index 1111111..2222222 100644
--- a/app/api/x/route.ts
+++ b/app/api/x/route.ts
@@ -1,6 +1,6 @@
 import { auth } from '@clerk/nextjs/server'
 export async function GET() {
-  await auth.protect()
   const rows = await db.x.findMany()
+  console.log(rows.length)
   return Response.json(rows)
 }
diff --git a/old.ts b/new.ts
similarity index 90%
rename from old.ts
rename to new.ts
index 3333333..4444444 100644
--- a/old.ts
+++ b/new.ts
@@ -10,2 +10,3 @@ export const a = 1
 const b = 2
+const c = 3
 const d = 4
diff --git a/gone.ts b/gone.ts
deleted file mode 100644
index 5555555..0000000
--- a/gone.ts
+++ /dev/null
@@ -1,2 +0,0 @@
-export const x = 1
-export const y = 2
diff --git a/added.env b/added.env
new file mode 100644
index 0000000..6666666
--- /dev/null
+++ b/added.env
@@ -0,0 +1,2 @@
+A=1
+B=2
diff --git a/logo.png b/logo.png
index 7777777..8888888 100644
Binary files a/logo.png and b/logo.png differ
`

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func TestParse(t *testing.T) {
	idx, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	r := idx.File("app/api/x/route.ts")
	if r == nil {
		t.Fatal("route.ts missing")
	}
	// The deleted `await auth.protect()` marks the lines around it as changed.
	if got, want := keys(r.Changed), []int{2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("changed = %v, want %v", got, want)
	}
	if got, want := keys(r.Commentable), []int{1, 2, 3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("commentable = %v, want %v", got, want)
	}
	n := idx.File("new.ts")
	if n == nil || n.OldPath != "old.ts" || !n.Changed[11] || n.Changed[10] || !n.Commentable[12] {
		t.Errorf("rename: %+v", n)
	}
	if g := idx.File("gone.ts"); g == nil || !g.Deleted || g.Path != "" {
		t.Errorf("deletion: %+v", g)
	}
	if a := idx.File("added.env"); a == nil || !a.Added || !a.Changed[1] || !a.Changed[2] {
		t.Errorf("addition: %+v", a)
	}
	if b := idx.File("logo.png"); b == nil || !b.Binary {
		t.Errorf("binary: %+v", b)
	}
	if !idx.Commentable("new.ts", 10) || idx.Commentable("new.ts", 9) || idx.Commentable("nope.ts", 1) {
		t.Error("Commentable answers wrong")
	}
	if l, ok := idx.FirstChanged("app/api/x/route.ts", 1, 6); !ok || l != 2 {
		t.Errorf("FirstChanged = %d %v", l, ok)
	}
}

func TestParseBadInput(t *testing.T) {
	for _, in := range []string{"", "not a diff at all", "--- a\n+++ b\n@@ -x +y @@\n", "diff --git a/x b/x\n@@ -1,1 +1,1 @@\n"} {
		if _, err := Parse([]byte(in)); err != nil && in == "" {
			t.Errorf("Parse(%q) = %v, want no error for empty input", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"))
	f.Add([]byte("--- /dev/null\n+++ b/y\n@@ -0,0 +1,3 @@\n+1\n+2\n+3\n\\ No newline at end of file\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := Parse(data)
		if err != nil {
			return
		}
		for p, fd := range idx.Files {
			for l := range fd.Changed {
				if l < 1 {
					t.Fatalf("%s: changed line %d < 1", p, l)
				}
			}
			for l := range fd.Commentable {
				if l < 1 {
					t.Fatalf("%s: commentable line %d < 1", p, l)
				}
			}
		}
	})
}

// TestSymlinkChangesEveryLine: an added or retargeted symbolic link
// changes every line of the file it stands for, though only the target
// line of its diff can anchor a comment; a deleted link changes nothing.
func TestSymlinkChangesEveryLine(t *testing.T) {
	patch := `diff --git a/app/api/admin/route.ts b/app/api/admin/route.ts
new file mode 120000
index 0000000..1a2b3c4
--- /dev/null
+++ b/app/api/admin/route.ts
@@ -0,0 +1 @@
+../../../lib/admin-handler.ts
\ No newline at end of file
diff --git a/app/x/route.ts b/app/x/route.ts
index 1a2b3c4..5d6e7f8 120000
--- a/app/x/route.ts
+++ b/app/x/route.ts
@@ -1 +1 @@
-../lib/a.ts
\ No newline at end of file
+../lib/b.ts
\ No newline at end of file
diff --git a/old-link.ts b/old-link.ts
deleted file mode 120000
index 1a2b3c4..0000000
--- a/old-link.ts
+++ /dev/null
@@ -1 +0,0 @@
-lib/a.ts
\ No newline at end of file
diff --git a/plain.ts b/plain.ts
index 1a2b3c4..5d6e7f8 100644
--- a/plain.ts
+++ b/plain.ts
@@ -1 +1 @@
-a
+b
`
	idx, err := Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		line int
		want bool
	}{
		{"app/api/admin/route.ts", 3, true},
		{"app/x/route.ts", 40, true},
		{"old-link.ts", 1, false},
		{"plain.ts", 1, true},
		{"plain.ts", 2, false},
	} {
		if got := idx.Changed(c.path, c.line, c.line); got != c.want {
			t.Errorf("Changed(%s, %d) = %v, want %v", c.path, c.line, got, c.want)
		}
	}
	if idx.Commentable("app/api/admin/route.ts", 3) || !idx.Commentable("app/api/admin/route.ts", 1) {
		t.Error("only the link's own diff line is commentable")
	}
	if l, ok := idx.FirstChanged("app/x/route.ts", 5, 9); !ok || l != 5 {
		t.Errorf("FirstChanged = %d, %v", l, ok)
	}
}

func TestNewLine(t *testing.T) {
	patch := `diff --git a/m.ts b/m.ts
--- a/m.ts
+++ b/m.ts
@@ -1,6 +1,3 @@
-import {
-  a,
-} from 'x'
+import { a } from 'x'
 
-const b = 1
 const c = 2
@@ -10,3 +7,4 @@ const c = 2
 ten
+new
 eleven
 twelve
`
	idx, err := Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	f := idx.File("m.ts")
	for old, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 3, 8: 5, 10: 7, 11: 9, 12: 10, 20: 18} {
		if got := f.NewLine(old); got != want {
			t.Errorf("NewLine(%d) = %d, want %d", old, got, want)
		}
	}
}
