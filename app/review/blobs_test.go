package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// fakeInstallation starts a fake GitHub with one repository holding files
// at commit "head" and returns the review's go-github view of it.
func fakeInstallation(t *testing.T, files map[string][]byte, kinds map[string]fakegithub.FileKind) (*fakegithub.Server, GitHub, string) {
	t.Helper()
	gh := apptest.Fake(t, fakegithub.Options{})
	gh.AddInstallation(1, "acme")
	repoID := gh.AddRepo("acme", "web", 1, "main")
	sha, err := gh.AddCommit("acme", "web", "", files, kinds)
	if err != nil {
		t.Fatal(err)
	}
	cr, gc := apptest.Installation(t, gh, 1, repoID)
	return gh, overInstallation(cr, gc, "acme", "web"), sha
}

func requests(gh *fakegithub.Server, op string) int {
	n := 0
	for _, r := range gh.Requests() {
		if r.OperationID == op {
			n++
		}
	}
	return n
}

// TestBlobsAreReadInBatches: text blobs come 50 to a GraphQL request;
// binaries and blobs above GitHub's 512,000-byte text limit are read raw,
// at most maxRawReads; a missing blob is recorded, not fatal.
func TestBlobsAreReadInBatches(t *testing.T) {
	files := map[string][]byte{"big.ts": []byte(strings.Repeat("x", maxGraphQLText+1)), "logo.bin": {0, 1, 2}}
	for i := 0; i < 120; i++ {
		files[fmt.Sprintf("src/f%03d.ts", i)] = []byte(fmt.Sprintf("export const f = %d\n", i))
	}
	gh, gc, sha := fakeInstallation(t, files, nil)
	l := newTreeLister(gc)
	tree, err := l.list(context.Background(), sha)
	if err != nil {
		t.Fatal(err)
	}
	f := newBlobFetcher(gc, NewBlobCache(1<<20))
	want := map[string]int{"0000000000000000000000000000000000000bad": 3}
	for _, e := range tree.blobs {
		want[e.SHA] = e.Size
	}
	gh.ResetLogs()
	if err := f.fetch(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if q := requests(gh, "graphql"); q != 3 {
		t.Errorf("%d GraphQL requests for 122 small blobs, want 3", q)
	}
	if r := requests(gh, "git/get-blob"); r != 2 {
		t.Errorf("%d raw reads, want 2 (the binary and the blob above the text limit)", r)
	}
	for p, e := range tree.blobs {
		b, err, ok := f.get(e.SHA)
		if !ok || err != nil || string(b) != string(files[p]) {
			t.Errorf("%s: read %d bytes, err %v", p, len(b), err)
		}
	}
	if _, err, ok := f.get("0000000000000000000000000000000000000bad"); !ok || err == nil {
		t.Error("a missing blob is not recorded as unreadable")
	}
	// The cache serves a second review without requests.
	gh.ResetLogs()
	f2 := newBlobFetcher(gc, f.cache)
	if err := f2.fetch(context.Background(), map[string]int{tree.blobs["src/f001.ts"].SHA: 20}); err != nil || len(gh.Requests()) != 0 {
		t.Errorf("cached blob: err %v, %d requests", err, len(gh.Requests()))
	}
}

// TestMissReadsABatch: when a rule reads a file the review did not select,
// the snapshot reads it with the unread files of its class that follow it,
// so a rule walking every page costs a few requests, and stops at
// maxOnDemand, recording what it could not read.
func TestMissReadsABatch(t *testing.T) {
	files := map[string][]byte{}
	for i := 0; i < 600; i++ {
		files[fmt.Sprintf("app/p%03d/page.tsx", i)] = []byte(fmt.Sprintf("export default function P() { return %d }\n", i))
	}
	gh, gc, sha := fakeInstallation(t, files, nil)
	rv := &Reviewer{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Cache: NewBlobCache(1 << 20)}
	g, err := rv.gather(context.Background(), gc, Request{Owner: "acme", Repo: "web", HeadSHA: sha, BaseSHA: sha}, sha, nil, rv.Log)
	if err != nil {
		t.Fatal(err)
	}
	gh.ResetLogs()
	read := 0
	for _, p := range g.snap.paths {
		if _, err := g.snap.Read(context.Background(), p); err == nil {
			read++
		} else if !errors.Is(err, errNotRead) {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if q := requests(gh, "graphql"); q != maxOnDemand || read != maxOnDemand*blobsPerQuery {
		t.Errorf("%d GraphQL requests read %d pages, want %d reading %d", q, read, maxOnDemand, maxOnDemand*blobsPerQuery)
	}
	skipped := g.skippedAfter(nil)
	if len(skipped) != 600-read || skipped[0].Path != fmt.Sprintf("app/p%03d/page.tsx", read) || !strings.Contains(skipped[0].Reason, "budget") {
		t.Errorf("%d skipped, first %+v", len(skipped), skipped[0])
	}
}
