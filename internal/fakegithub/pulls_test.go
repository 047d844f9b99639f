package fakegithub_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	"github.com/sourcegraph/go-diff/diff"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func TestPullDiffAndFiles(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head := headFiles()
	head["link-to-readme"] = []byte("docs/README.md")
	k := map[string]fakegithub.FileKind{"vendor/clerk": fakegithub.KindSubmodule, "link-to-readme": fakegithub.KindSymlink, "bin/run.sh": fakegithub.KindExecutable}
	// PR 8: head differs also in modes (bin/run.sh becomes executable)
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 8, BaseFiles: baseFiles, HeadFiles: head, Kinds: map[string]fakegithub.FileKind{
		"vendor/clerk": fakegithub.KindSubmodule, "link-to-readme": fakegithub.KindSymlink}}); err != nil {
		t.Fatal(err)
	}
	// change the kinds on the head side by pushing with a per-PR kind map: re-add PR 9
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 9, BaseFiles: map[string][]byte{"bin/run.sh": baseFiles["bin/run.sh"]},
		HeadFiles: map[string][]byte{"bin/run.sh": baseFiles["bin/run.sh"]}, Kinds: k}); err != nil {
		t.Fatal(err)
	}

	text, _, err := e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 7, github.RawOptions{Type: github.Diff})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex b023018..0000000\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n",
		"diff --git a/old/name.ts b/new/name.ts\nsimilarity index 100%\nrename from old/name.ts\nrename to new/name.ts\n",
		"Binary files a/img/logo.png and b/img/logo.png differ\n",
		"new file mode 100644\nindex 0000000..",
		"+}\n\\ No newline at end of file\n",
		"index 1111111..2222222 160000\n",
		"+Subproject commit 2222222222222222222222222222222222222222\n",
		"@@ -14,5 +14,6 @@\n // filler 6\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q\n%s", want, text)
		}
	}
	parsed, err := diff.ParseMultiFileDiff([]byte(text))
	if err != nil {
		t.Fatalf("go-diff cannot parse the diff: %v", err)
	}
	if len(parsed) != 6 {
		t.Fatalf("go-diff saw %d files", len(parsed))
	}
	// the .v3.diff media type, raw
	req, _ := http.NewRequest("GET", e.fake.URL()+"repos/acme/web/pulls/7", nil)
	tok, _ := e.fake.MintInstallationToken(instID)
	req.Header.Set("Authorization", "token "+tok)
	req.Header.Set("Accept", "application/vnd.github.v3.diff")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != text || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.github.diff") {
		t.Fatalf("v3.diff differs / content type %q", resp.Header.Get("Content-Type"))
	}

	files, _, err := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*github.CommitFile{}
	for _, f := range files {
		byName[f.GetFilename()] = f
	}
	if f := byName["new/name.ts"]; f.GetStatus() != "renamed" || f.GetPreviousFilename() != "old/name.ts" {
		t.Errorf("rename: %+v", f)
	}
	if f := byName["img/logo.png"]; f.Patch != nil {
		t.Errorf("binary file has a patch")
	}
	if f := byName["src/app/api/a/route.ts"]; f.GetAdditions() != 1 || !strings.HasPrefix(f.GetPatch(), "@@ -14,5 +14,6 @@") {
		t.Errorf("modified: %+v", f)
	}
	if f := byName["gone.txt"]; f.GetStatus() != "removed" || f.GetDeletions() != 1 {
		t.Errorf("removed: %+v", f)
	}

	// mode change only and symlink retarget
	text9, _, err := e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 9, github.RawOptions{Type: github.Diff})
	if err != nil {
		t.Fatal(err)
	}
	if text9 != "" {
		t.Errorf("kinds apply to both sides, so PR 9 has no diff; got %q", text9)
	}
	text8, _, err := e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 8, github.RawOptions{Type: github.Diff})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text8, "diff --git a/link-to-readme b/link-to-readme\nindex ") || !strings.Contains(text8, " 120000\n") ||
		!strings.Contains(text8, "+docs/README.md\n\\ No newline at end of file") {
		t.Errorf("symlink diff:\n%s", text8)
	}

	// omit patch on request
	if err := e.fake.SetPROptions(owner, repoN, 7, false, []string{"src/app/api/a/route.ts"}); err != nil {
		t.Fatal(err)
	}
	files, _, _ = e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 7, nil)
	for _, f := range files {
		if f.GetFilename() == "src/app/api/a/route.ts" && f.Patch != nil {
			t.Error("OmitPatch ignored")
		}
	}
	noViolations(t, e.fake)
}

func TestModeChangeDiff(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	sha, err := e.fake.Push(owner, repoN, 7, "", headFiles())
	if err != nil || len(sha) != 40 {
		t.Fatal(sha, err)
	}
	f := e.fake
	f.AddRepo(owner, "modes", instID, "main")
	// base regular, head executable: express with two commits and a PR whose kinds differ
	if err := f.AddPR(owner, "modes", fakegithub.PR{Number: 1,
		BaseFiles: map[string][]byte{"run.sh": []byte("echo\n")},
		HeadFiles: map[string][]byte{"run2.sh": []byte("echo\n"), "empty.txt": nil},
		Kinds:     map[string]fakegithub.FileKind{"run2.sh": fakegithub.KindExecutable}}); err != nil {
		t.Fatal(err)
	}
	text, err := f.PRDiff(owner, "modes", 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "diff --git a/run.sh b/run2.sh\nold mode 100644\nnew mode 100755\nsimilarity index 100%\nrename from run.sh\nrename to run2.sh\n"
	if !strings.Contains(text, want) {
		t.Errorf("rename with mode change:\n%s", text)
	}
	if !strings.Contains(text, "diff --git a/empty.txt b/empty.txt\nnew file mode 100644\nindex 0000000..e69de29\n") || strings.Contains(text, "+++ b/empty.txt") {
		t.Errorf("empty new file:\n%s", text)
	}
}

func TestListFilesPaginationAndLimits(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head := map[string][]byte{}
	for i := 0; i < 250; i++ {
		head[fmt.Sprintf("f/%03d.ts", i)] = []byte(fmt.Sprintf("export const n = %d\n", i))
	}
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 20, BaseFiles: nil, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	var all []*github.CommitFile
	opt := &github.ListOptions{PerPage: 100}
	pages := 0
	for {
		fs, resp, err := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 20, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, fs...)
		if pages == 1 && (resp.LastPage != 3 || !strings.Contains(resp.Header.Get("Link"), `rel="next"`)) {
			t.Fatalf("Link: %q", resp.Header.Get("Link"))
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if pages != 3 || len(all) != 250 || all[249].GetFilename() != "f/249.ts" {
		t.Fatalf("pages=%d files=%d", pages, len(all))
	}
	// per_page is capped at 100
	fs, _, err := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 20, &github.ListOptions{PerPage: 500})
	if err != nil || len(fs) != 100 {
		t.Fatalf("per_page=500 gave %d (%v)", len(fs), err)
	}
	// default page size 30
	fs, _, _ = e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 20, nil)
	if len(fs) != 30 {
		t.Fatalf("default page %d", len(fs))
	}

	// > 300 files: diff is too large, files API still answers
	for i := 250; i < 301; i++ {
		head[fmt.Sprintf("f/%03d.ts", i)] = []byte("x\n")
	}
	if _, err := e.fake.Push(owner, repoN, 20, "", head); err != nil {
		t.Fatal(err)
	}
	_, resp, err := e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 20, github.RawOptions{Type: github.Diff})
	var er *github.ErrorResponse
	if status(resp) != 406 || !errors.As(err, &er) || len(er.Errors) != 1 || er.Errors[0].Code != "too_large" ||
		!strings.Contains(er.Message, "maximum number of files (300)") {
		t.Fatalf("406 expected: %d %v", status(resp), err)
	}
	// > 20000 lines
	big := strings.Repeat("line\n", 20001)
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 21, HeadFiles: map[string][]byte{"big.txt": []byte(big)}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 21, github.RawOptions{Type: github.Diff})
	if !errors.As(err, &er) || !strings.Contains(er.Message, "maximum number of lines (20000)") {
		t.Fatalf("lines limit: %v", err)
	}
	fs, _, _ = e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 21, nil)
	if len(fs) != 1 || fs[0].Patch != nil || fs[0].GetAdditions() != 20001 {
		t.Fatalf("huge file should be listed without patch: %+v", fs)
	}
	// forced 406
	if err := e.fake.SetPROptions(owner, repoN, 7, true, nil); err != nil {
		t.Fatal(err)
	}
	_, resp, _ = e.client.PullRequests.GetRaw(e.ctx, owner, repoN, 7, github.RawOptions{Type: github.Diff})
	if status(resp) != 406 {
		t.Fatalf("forced too_large: %d", status(resp))
	}
	// the JSON representation is unaffected
	if _, _, err := e.client.PullRequests.Get(e.ctx, owner, repoN, 7); err != nil {
		t.Fatal(err)
	}
	noViolations(t, e.fake)
}

func TestMaxListFiles(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head := map[string][]byte{}
	for i := 0; i < 3005; i++ {
		head[fmt.Sprintf("g/%04d", i)] = []byte("y\n")
	}
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 30, HeadFiles: head}); err != nil {
		t.Fatal(err)
	}
	_, resp, err := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 30, &github.ListOptions{PerPage: 100})
	if err != nil || resp.LastPage != 30 {
		t.Fatalf("last page %d (%v)", resp.LastPage, err)
	}
	fs, _, _ := e.client.PullRequests.ListFiles(e.ctx, owner, repoN, 30, &github.ListOptions{PerPage: 100, Page: 31})
	if len(fs) != 0 {
		t.Fatalf("page 31 has %d files", len(fs))
	}
}

func TestTreesBlobsContents(t *testing.T) {
	e := setup(t, fakegithub.Options{MaxTreeEntries: 5})
	headSHA, _ := e.fake.HeadSHA(owner, repoN, 7)
	tree, _, err := e.client.Git.GetTree(e.ctx, owner, repoN, headSHA, true)
	if err != nil {
		t.Fatal(err)
	}
	if !tree.GetTruncated() || len(tree.Entries) != 5 {
		t.Fatalf("truncated=%v entries=%d", tree.GetTruncated(), len(tree.Entries))
	}
	e2 := setup(t, fakegithub.Options{})
	tree, _, err = e2.client.Git.GetTree(e2.ctx, owner, repoN, headSHA, true)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	var blobSHA string
	for _, en := range tree.Entries {
		types[en.GetPath()] = en.GetType() + " " + en.GetMode()
		if en.GetPath() == "src/app/api/b/route.ts" {
			blobSHA = en.GetSHA()
		}
	}
	if tree.GetTruncated() || types["src"] != "tree 040000" || types["src/app/api/b/route.ts"] != "blob 100644" ||
		types["vendor/clerk"] != "commit 160000" || types["link-to-readme"] != "blob 120000" || types["gone.txt"] != "" {
		t.Fatalf("tree: %v", types)
	}
	// by branch name and non-recursive
	top, _, err := e2.client.Git.GetTree(e2.ctx, owner, repoN, "main", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range top.Entries {
		if strings.Contains(en.GetPath(), "/") {
			t.Fatalf("non-recursive tree has %s", en.GetPath())
		}
	}
	blob, _, err := e2.client.Git.GetBlob(e2.ctx, owner, repoN, blobSHA)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(blob.GetContent(), "\n", ""))
	if string(raw) != string(headFiles()["src/app/api/b/route.ts"]) || blob.GetEncoding() != "base64" {
		t.Fatalf("blob %q", raw)
	}
	rawBlob, _, err := e2.client.Git.GetBlobRaw(e2.ctx, owner, repoN, blobSHA)
	if err != nil || string(rawBlob) != string(raw) {
		t.Fatalf("raw blob %q %v", rawBlob, err)
	}

	fc, _, _, err := e2.client.Repositories.GetContents(e2.ctx, owner, repoN, "src/middleware.ts", &github.RepositoryContentGetOptions{Ref: headSHA})
	if err != nil {
		t.Fatal(err)
	}
	content, err := fc.GetContent()
	if err != nil || content != string(baseFiles["src/middleware.ts"]) {
		t.Fatalf("contents %q %v", content, err)
	}
	_, dir, _, err := e2.client.Repositories.GetContents(e2.ctx, owner, repoN, "src/app/api", &github.RepositoryContentGetOptions{Ref: "feat"})
	if err != nil || len(dir) != 2 || dir[0].GetType() != "dir" {
		t.Fatalf("dir listing %v %v", dir, err)
	}
	// base branch lacks the new file
	_, _, resp, err := e2.client.Repositories.GetContents(e2.ctx, owner, repoN, "src/app/api/b/route.ts", &github.RepositoryContentGetOptions{Ref: "main"})
	if status(resp) != 404 {
		t.Fatalf("absent file: %d %v", status(resp), err)
	}
	// raw media type
	req, _ := http.NewRequest("GET", e2.fake.URL()+"repos/acme/web/contents/src/middleware.ts?ref=main", nil)
	tok, _ := e2.fake.MintInstallationToken(instID)
	req.Header.Set("Authorization", "token "+tok)
	req.Header.Set("Accept", "application/vnd.github.raw")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if string(b) != string(baseFiles["src/middleware.ts"]) {
		t.Fatalf("raw contents %q", b)
	}
	sl, _, _, err := e2.client.Repositories.GetContents(e2.ctx, owner, repoN, "link-to-readme", nil)
	if err != nil || sl.GetType() != "symlink" || sl.GetTarget() != "README.md" {
		t.Fatalf("symlink %+v %v", sl, err)
	}
	noViolations(t, e2.fake)
}
