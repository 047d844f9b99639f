package source

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// needGit skips without git, loudly, and fails under CI where git is a
// required dependency.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is required under CI")
		}
		t.Skip("SKIP: git not installed; the git snapshot tests did not run")
	}
}

func needUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("SKIP: symbolic links and FIFOs need a Unix file system")
	}
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, c := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(c), Mode: 0o644}
	}
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, dir, target, link string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, full); err != nil {
		t.Fatal(err)
	}
}

// withGuard runs fn and fails if it does not return: a hang guard only.
func withGuard(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not return (blocked)", what)
	}
}

const adminRoute = "export async function GET() {\n  return Response.json(await db.users.findMany())\n}\n"

// linkedTree builds a working tree with in-tree links to a file and to a
// directory, and the links and files that must never be opened.
func linkedTree(t *testing.T) (dir, outside string) {
	t.Helper()
	dir = t.TempDir()
	outside = t.TempDir()
	write(t, outside, map[string]string{"secret.ts": "export const x = 1\n"})
	write(t, dir, map[string]string{
		"lib/admin-route.ts":      adminRoute,
		"shared/reports/route.ts": adminRoute,
		"app/page.tsx":            "export default function Page() { return null }\n",
	})
	symlink(t, dir, "../../../lib/admin-route.ts", "app/api/admin/route.ts")
	symlink(t, dir, "../../shared", "app/api/shared")
	symlink(t, dir, "..", "app/loop")
	symlink(t, dir, filepath.Join(outside, "secret.ts"), "app/outside.ts")
	symlink(t, dir, "../nowhere.ts", "app/dangling.ts")
	if err := syscall.Mkfifo(filepath.Join(dir, "app", "pipe.ts"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, outside
}

// TestDirFollowsInTreeLinks: a route added as a symbolic link (to a file,
// or through a linked directory) is listed and read at the link's path;
// links out of the root, dangling links and loops are not followed, a FIFO
// is never opened, and each is named with its reason.
func TestDirFollowsInTreeLinks(t *testing.T) {
	needUnix(t)
	dir, _ := linkedTree(t)
	ctx := context.Background()
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	withGuard(t, "Files", func() { paths, err = d.Files(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"app/api/admin/route.ts", "app/api/shared/reports/route.ts", "app/page.tsx", "lib/admin-route.ts", "shared/reports/route.ts"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("Files = %v\nwant    %v", paths, want)
	}
	b, err := d.Read(ctx, "app/api/admin/route.ts")
	if err != nil || string(b) != adminRoute {
		t.Errorf("Read through the link: %q, %v", b, err)
	}
	if tgt, ok := d.Target("app/api/shared/reports/route.ts"); !ok || tgt != "shared/reports/route.ts" {
		t.Errorf("Target = %q, %v", tgt, ok)
	}
	if _, ok := d.Target("app/page.tsx"); ok {
		t.Error("a regular file has a link target")
	}
	skipped := map[string]string{}
	for _, s := range d.Skipped() {
		skipped[s.Path] = s.Reason
	}
	for p, reason := range map[string]string{
		"app/outside.ts":  "outside the repository",
		"app/dangling.ts": "does not resolve",
		"app/loop":        "a loop",
		"app/pipe.ts":     "a named pipe",
	} {
		if !strings.Contains(skipped[p], reason) {
			t.Errorf("%s: skipped %q, want %q (all: %v)", p, skipped[p], reason, skipped)
		}
	}
	for _, p := range []string{"app/pipe.ts", "app/outside.ts", "../" + filepath.Base(dir) + "/app/page.tsx/../../../etc/hostname"} {
		withGuard(t, "Read "+p, func() { _, err = d.Read(ctx, p) })
		if err == nil {
			t.Errorf("Read(%s) succeeded", p)
		}
	}
	withGuard(t, "Read FIFO", func() { _, err = d.Read(ctx, "app/pipe.ts") })
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read(FIFO) = %v, want ErrNotRegular", err)
	}
	if _, err = d.Read(ctx, "app/outside.ts"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read(link out of the root) = %v, want ErrNotRegular", err)
	}
}

func TestResolveLink(t *testing.T) {
	links := map[string]string{
		"app/r.ts":  "../lib/h.ts",
		"lib2":      "lib",
		"app/x.ts":  "../lib2/h.ts",
		"app/abs":   "/etc/passwd",
		"app/up":    "../../x",
		"a":         "b",
		"b":         "a",
		"dir/link":  "sub/../../lib/h.ts",
		"dir/sub":   "deep/er",
		"dir/dotty": "./../lib/./h.ts",
	}
	for p, want := range map[string]string{
		"app/r.ts": "lib/h.ts", "app/x.ts": "lib/h.ts", "lib2/h.ts": "lib/h.ts", "dir/dotty": "lib/h.ts",
		// ".." applies after the link is resolved, as the kernel does.
		// (dir/sub/.. is dir/deep/er/.., lexically it would be lib/h.ts).
		"dir/link": "dir/lib/h.ts",
		"app/abs":  "error", "app/up": "error", "a": "error",
	} {
		got, err := resolveLink(p, links)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("resolveLink(%s) = %q (%v), want %q", p, got, err, want)
		}
	}
}

// TestGitResolvesLinks: mode 120000 blobs of a commit are resolved to
// their target in the same tree, never outside it.
func TestGitResolvesLinks(t *testing.T) {
	needGit(t)
	needUnix(t)
	dir, _ := linkedTree(t)
	if err := os.Remove(filepath.Join(dir, "app", "pipe.ts")); err != nil { // git cannot commit a FIFO
		t.Fatal(err)
	}
	symlink(t, dir, "b-link", "a-link")
	symlink(t, dir, "a-link", "b-link")
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-qm", "links"}} {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	ctx := context.Background()
	g, err := NewGit(ctx, dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	paths, _ := g.Files(ctx)
	for _, p := range []string{"app/api/admin/route.ts", "app/api/shared/reports/route.ts"} {
		if !slices.Contains(paths, p) {
			t.Errorf("%s is not listed: %v", p, paths)
		}
		b, err := g.Read(ctx, p)
		if err != nil || string(b) != adminRoute {
			t.Errorf("Read(%s) = %q, %v", p, b, err)
		}
	}
	for _, p := range []string{"app/outside.ts", "app/dangling.ts", "app/loop", "a-link"} {
		if slices.Contains(paths, p) {
			t.Errorf("%s is listed", p)
		}
	}
	skipped := map[string]string{}
	for _, s := range g.Skipped() {
		skipped[s.Path] = s.Reason
	}
	for p, reason := range map[string]string{"app/outside.ts": "outside the repository", "app/dangling.ts": "does not resolve",
		"app/loop": "a loop", "a-link": "a loop"} {
		if !strings.Contains(skipped[p], reason) {
			t.Errorf("%s: skipped %q, want %q", p, skipped[p], reason)
		}
	}
	if tgt, ok := g.Target("app/api/admin/route.ts"); !ok || tgt != "lib/admin-route.ts" {
		t.Errorf("Target = %q, %v", tgt, ok)
	}
}

// TestRangeDoesNotOpenFIFOs: an untracked FIFO in the working tree does
// not block a local review: the untracked files are read through the
// snapshot, which never opens a FIFO.
func TestRangeDoesNotOpenFIFOs(t *testing.T) {
	needGit(t)
	needUnix(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.ts": "export const a = 1\n"})
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-qm", "base"}} {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.ts"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{"b.ts": "export const b = 2\n"})
	var r *Range
	var err error
	withGuard(t, "NewRange", func() { r, err = NewRange(context.Background(), dir, "HEAD", "") })
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.Contains(string(r.Patch), "b/b.ts") || strings.Contains(string(r.Patch), "pipe.ts") {
		t.Errorf("patch:\n%s", r.Patch)
	}
}
