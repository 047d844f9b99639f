package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func needGitUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("SKIP: symbolic links and FIFOs need a Unix file system")
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is required under CI")
		}
		t.Skip("SKIP: git not installed; the local review tests did not run")
	}
}

// TestReviewFollowsSymlinkedRoute: an unguarded admin route added as a
// symbolic link to a helper file passed the review; it is now reviewed at
// the link's path, in the diff, from a commit and from the working tree.
func TestReviewFollowsSymlinkedRoute(t *testing.T) {
	needGitUnix(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFiles(t, dir, map[string]string{
		"package.json":         `{"dependencies": {"next": "15.2.3", "@clerk/nextjs": "6.39.3"}}`,
		"lib/admin-handler.ts": "// Admin API: lists every user.\n// (the findings sit below line 1, the only line of the link's diff)\nexport async function GET() {\n  return Response.json(await db.users.findMany())\n}\n",
	})
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "base")
	git(t, dir, "checkout", "-qb", "feature")
	if err := os.MkdirAll(filepath.Join(dir, "app", "api", "admin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../lib/admin-handler.ts", filepath.Join(dir, "app", "api", "admin", "route.ts")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "admin route as a link")

	for name, args := range map[string][]string{
		"commit":       {"review", "--format", "json", "--base", "main", "--head", "feature", dir},
		"working tree": {"review", "--format", "json", "--base", "main", dir},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (stderr %s)\n%s", name, code, stderr, out)
		}
		var rep struct {
			Findings []struct {
				Rule, Path string
				InDiff     bool `json:"in_diff"`
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || (f.Rule == "CLK-RP-003" && f.Path == "app/api/admin/route.ts" && f.InDiff)
		}
		if !found {
			t.Errorf("%s: the linked admin route is not reported:\n%s", name, out)
		}
	}
}

// TestScanDoesNotOpenFIFOs: a FIFO where the configuration file belongs
// blocked `clerkguard scan`; it is now never opened.
func TestScanDoesNotOpenFIFOs(t *testing.T) {
	needGitUnix(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"app/page.tsx": "export default function Page() { return null }\n"})
	if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".github/clerkguard.yml", "app/pipe.ts"} {
		if err := syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(p)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string)
	go func() {
		code, out, stderr := runCLI(t, "scan", "--format", "json", dir)
		done <- strings.Join([]string{string(rune('0' + code)), out, stderr}, "\n")
	}()
	select {
	case res := <-done:
		if !strings.HasPrefix(res, "0\n") || !strings.Contains(res, `"app/pipe.ts"`) {
			t.Errorf("scan with FIFOs: %s", res)
		}
	case <-time.After(2 * time.Minute): // hang guard only
		t.Fatal("scan blocked on a FIFO")
	}
}
