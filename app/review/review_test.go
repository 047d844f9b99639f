package review

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/app/publish"
	"github.com/clerkguard/clerkguard/rules/source"
)

// memTree builds a complete tree: files map path -> content; paths in
// links are symlinks whose content is the target.
func memTree(files map[string]string, links ...string) (*gitTree, func(context.Context, string, blobEntry) (string, error)) {
	t := &gitTree{root: "root", blobs: map[string]blobEntry{}, dirs: map[string]string{"": "root"}, subs: map[string]bool{}}
	isLink := map[string]bool{}
	for _, l := range links {
		isLink[l] = true
	}
	for p, c := range files {
		mode := "100644"
		if isLink[p] {
			mode = modeSymlink
		}
		t.blobs[p] = blobEntry{SHA: fmt.Sprintf("%040x", len(c)), Mode: mode, Size: len(c)}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			t.dirs[d] = "tree-" + d
		}
	}
	target := func(_ context.Context, p string, _ blobEntry) (string, error) { return files[p], nil }
	return t, target
}

func TestResolveSymlinks(t *testing.T) {
	files := map[string]string{
		"lib/handlers/admin.ts":  "export async function GET() {}",
		"app/api/admin/route.ts": "../../../lib/handlers/admin.ts", // file link
		"app/api/dir":            "../../lib/handlers",             // directory link
		"app/api/chain.ts":       "admin/route.ts",                 // link to a link
		"app/api/up.ts":          "dir/../handlers/admin.ts",       // ".." after a linked directory: physical
		"app/api/out.ts":         "../../../../etc/passwd",
		"app/api/abs.ts":         "/etc/passwd",
		"app/api/gone.ts":        "missing.ts",
		"app/api/a.ts":           "b.ts",
		"app/api/b.ts":           "a.ts",
		"app/api/self":           ".",
		"app/api/notdir.ts":      "../../lib/handlers/admin.ts/x",
	}
	tree, target := memTree(files, "app/api/admin/route.ts", "app/api/dir", "app/api/chain.ts", "app/api/up.ts",
		"app/api/out.ts", "app/api/abs.ts", "app/api/gone.ts", "app/api/a.ts", "app/api/b.ts", "app/api/self", "app/api/notdir.ts")
	r := &resolver{tree: tree, target: target}
	for _, tc := range []struct {
		path, want string
		links      int
		err        error
	}{
		{"lib/handlers/admin.ts", "lib/handlers/admin.ts", 0, nil},
		{"app/api/admin/route.ts", "lib/handlers/admin.ts", 1, nil},
		{"app/api/dir/admin.ts", "lib/handlers/admin.ts", 1, nil},
		{"app/api/chain.ts", "lib/handlers/admin.ts", 2, nil},
		{"app/api/up.ts", "lib/handlers/admin.ts", 2, nil},
		{"app/api/dir", "lib/handlers", 1, source.ErrLinkDir},
		{"app/api/self/admin/route.ts", "lib/handlers/admin.ts", 2, nil},
		{"app/api/out.ts", "", 0, source.ErrLinkOutside},
		{"app/api/abs.ts", "", 0, source.ErrLinkOutside},
		{"app/api/gone.ts", "", 0, source.ErrLinkDangling},
		{"app/api/a.ts", "", 0, source.ErrLinkLoop},
		{"app/api/notdir.ts", "", 0, source.ErrLinkDangling},
	} {
		res, err := r.resolve(context.Background(), tc.path)
		if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("%s: err %v, want %v", tc.path, err, tc.err)
			continue
		}
		if tc.want != "" && (res.Path != tc.want || len(res.Links) != tc.links) {
			t.Errorf("%s -> %s via %v, want %s via %d links", tc.path, res.Path, res.Links, tc.want, tc.links)
		}
	}
}

func TestChooseIsSecurityFirstAndDeterministic(t *testing.T) {
	paths := []string{
		"README.md", "_pad/a.ts", "_pad/b.ts", "src/components/Button.tsx", "src/lib/db.ts", ".env.production",
		"package.json", "app/(admin)/users/page.tsx", "app/api/admin/route.ts", "middleware.ts", "src/app/actions.ts",
		".github/workflows/deploy.yml", "server/api/users.ts", "src/hooks.server.ts",
	}
	want := []string{
		"middleware.ts", "src/hooks.server.ts", // middleware / proxy / hooks
		"app/(admin)/users/page.tsx", "app/api/admin/route.ts", "server/api/users.ts", "src/app/actions.ts", // routes, actions
		".env.production", ".github/workflows/deploy.yml", "package.json", // env, CI, manifests
		"src/lib/db.ts", // server code
	}
	for round := 0; round < 5; round++ {
		var cands []candidate
		for _, p := range paths {
			cands = append(cands, candidate{Path: p, SHA: p, Size: 10})
		}
		rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		used := Budget{}
		sel := choose(cands, Budget{Files: len(want), Bytes: 1 << 20}, &used)
		var got []string
		for _, c := range sel.chosen {
			got = append(got, c.Path)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("round %d: chose %v, want %v", round, got, want)
		}
		if len(sel.dropped) != len(paths)-len(want) || sel.dropped[0].Path != "_pad/a.ts" {
			t.Fatalf("dropped %v", sel.dropped)
		}
	}
	// Bytes: a file that does not fit is dropped, later smaller ones still fit;
	// a file above the engine's limit costs nothing and is left to the engine.
	used := Budget{}
	sel := choose([]candidate{{Path: "app/api/a/route.ts", Size: 900}, {Path: "app/api/b/route.ts", Size: 200},
		{Path: "app/api/c/route.ts", Size: 50}, {Path: "app/api/huge/route.ts", Size: source.MaxFileSize + 1}}, Budget{Files: 10, Bytes: 1000}, &used)
	if len(sel.chosen) != 2 || sel.chosen[1].Path != "app/api/c/route.ts" || len(sel.dropped) != 1 || len(sel.tooBig) != 1 || used.Bytes != 950 {
		t.Errorf("selection %+v used %+v", sel, used)
	}
}

func TestDiffTreesInMemory(t *testing.T) {
	base, _ := memTree(map[string]string{"a.ts": "1", "b.ts": "22", "c/d.ts": "333", "link": "a.ts"}, "link")
	head, _ := memTree(map[string]string{"a.ts": "1", "b.ts": "2X", "c/e.ts": "4444", "link": "b.ts"}, "link")
	head.blobs["b.ts"] = blobEntry{SHA: "other", Mode: "100644", Size: 2}
	head.blobs["link"] = blobEntry{SHA: "linkhead", Mode: modeSymlink, Size: 4}
	cs, err := diffTrees(context.Background(), nil, base, head)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(cs)
	if got != "[{b.ts b.ts} { c/d.ts} {c/e.ts } {link link}]" {
		t.Errorf("changes %s", got)
	}
}

func TestLocalHunksOfHugeFilesMarkEveryLine(t *testing.T) {
	old := strings.Repeat("x\n", maxLocalDiffLines+1)
	f := indexHunks(localHunks([]byte(old), []byte(old+"y\n")))
	if len(f.Changed) != maxLocalDiffLines+2 {
		t.Errorf("%d changed lines, want every line of a file too large to diff", len(f.Changed))
	}
	f = indexHunks(localHunks([]byte("a\nb\nc\n"), []byte("a\nB\nc\n")))
	if !f.Changed[2] || f.Changed[1] || f.Changed[3] || !f.Commentable[1] {
		t.Errorf("small diff: changed %v commentable %v", f.Changed, f.Commentable)
	}
}

// FuzzResolveSymlinks: whatever the tree and the link targets, resolution
// ends, passes at most maxLinkHops links, and leads to a file of the tree
// (never outside it) or to an error.
func FuzzResolveSymlinks(f *testing.F) {
	f.Add("a/b/c.ts", "x", "a/l", "../b", "l2", "a/l/c.ts")
	f.Add("app/route.ts", "x", "app/link.ts", "../../../etc/passwd", "app/l2.ts", "link.ts")
	f.Add("d/f", "x", "d/a", "b", "d/b", "a")
	f.Add("f", "x", "l", ".", "m", "l/l/l/l/l/l/l/l/l/f")
	f.Add("..0", "0", "0", "0", "1", "0") // a file named "..0" is not a parent reference
	f.Fuzz(func(t *testing.T, file, content, link1, target1, link2, target2 string) {
		files := map[string]string{}
		var links []string
		for _, kv := range [][2]string{{file, content}, {link1, target1}, {link2, target2}} {
			p := strings.Trim(kv[0], "/")
			if p == "" || strings.Contains(p, "//") || strings.Contains("/"+p+"/", "/../") || strings.Contains("/"+p+"/", "/./") {
				return // not a tree path
			}
			if _, dup := files[p]; dup {
				return
			}
			files[p] = kv[1]
			if kv[0] != file {
				links = append(links, p)
			}
		}
		tree, target := memTree(files, links...)
		for p := range tree.dirs {
			if _, clash := tree.blobs[p]; clash {
				return // a path is both a file and a directory
			}
		}
		r := &resolver{tree: tree, target: target}
		for _, start := range []string{file, link1, link2, link1 + "/" + path.Base(file)} {
			res, err := r.resolve(context.Background(), strings.Trim(start, "/"))
			if len(res.Links) > maxLinkHops {
				t.Fatalf("%s: %d links followed", start, len(res.Links))
			}
			if err != nil {
				continue
			}
			e, ok := tree.blobs[res.Path]
			if !ok || e.symlink() || res.Path == ".." || strings.HasPrefix(res.Path, "../") || strings.HasPrefix(res.Path, "/") {
				t.Fatalf("%s resolved to %q, not a file of the tree", start, res.Path)
			}
		}
	})
}

// TestFailurePolicyPrecedence: the repository's on_error wins over the
// server's CLERKGUARD_ON_ERROR, which wins over the default (neutral); the
// failed review's output says which policy concluded it.
func TestFailurePolicyPrecedence(t *testing.T) {
	for _, tc := range []struct{ server, repo, want string }{
		{"", "", publish.Neutral},
		{"failure", "", publish.Failure},
		{"", "failure", publish.Failure},
		{"failure", "neutral", publish.Neutral},
		{"neutral", "failure", publish.Failure},
	} {
		rv := &Reviewer{OnError: tc.server}
		got := rv.onError(tc.repo)
		if got != tc.want {
			t.Errorf("server %q, repo %q: %q, want %q", tc.server, tc.repo, got, tc.want)
		}
		out := failedOutput(Request{HeadSHA: "0123456789abcdef"}, errors.New("GitHub answered 502"), got)
		if out.Conclusion != tc.want || !strings.Contains(out.Summary, "failure policy: "+tc.want) || !strings.Contains(out.Summary, "GitHub answered 502") {
			t.Errorf("output %+v", out)
		}
	}
}
