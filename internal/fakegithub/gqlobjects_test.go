package fakegithub_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestGraphQLGitObjects: the App's blob reads, Repository.object by oid
// and by "<rev>:<path>" expression, many aliases in one query, the Blob
// type condition, GitHub's text truncation and null text for binaries, and
// null (not an error) for a missing blob. Trees and commits are not served.
func TestGraphQLGitObjects(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	big := strings.Repeat("a", fakegithub.MaxBlobText+10)
	head := headFiles()
	head["big.txt"] = []byte(big)
	head["latin1.ts"] = []byte("export const n = '\xe9'\n")
	if err := e.fake.AddPR(owner, repoN, fakegithub.PR{Number: 8, BaseFiles: baseFiles, HeadFiles: head, Kinds: kinds}); err != nil {
		t.Fatal(err)
	}
	sha, _ := e.fake.HeadSHA(owner, repoN, 8)
	tree, _, err := e.client.Git.GetTree(e.ctx, owner, repoN, sha, true)
	if err != nil {
		t.Fatal(err)
	}
	oid := map[string]string{}
	for _, en := range tree.Entries {
		oid[en.GetPath()] = en.GetSHA()
	}
	const blob = `{...on Blob{byteSize isBinary isTruncated text}}`
	q := `query($owner:String!,$name:String!,$cfg:String!){repository(owner:$owner,name:$name){` +
		`b0:object(oid:"` + oid["README.md"] + `")` + blob +
		`b1:object(oid:"` + oid["img/logo.png"] + `")` + blob +
		`b2:object(oid:"` + oid["big.txt"] + `")` + blob +
		`b3:object(oid:"` + oid["latin1.ts"] + `")` + blob +
		`b4:object(oid:"0000000000000000000000000000000000000001")` + blob +
		`route:object(expression:"` + sha + `:src/app/api/b/route.ts"){...on Blob{text isTruncated}}` +
		`config:object(expression:$cfg){...on Blob{text isTruncated}}}}`
	tok, _ := e.fake.MintInstallationToken(instID)
	out := graphql(t, e.fake, tok, q, map[string]any{"owner": owner, "name": repoN, "cfg": "main:.github/clerkguard.yml"})
	if out["errors"] != nil {
		t.Fatalf("errors: %v", out["errors"])
	}
	r := out["data"].(map[string]any)["repository"].(map[string]any)
	obj := func(k string) map[string]any { m, _ := r[k].(map[string]any); return m }
	if o := obj("b0"); o["text"] != "# web\n" || o["byteSize"] != float64(6) || o["isBinary"] != false {
		t.Errorf("readme = %v", o)
	}
	if o := obj("b1"); o["isBinary"] != true || o["text"] != nil {
		t.Errorf("png = %v, want binary with null text", o)
	}
	if o := obj("b2"); o["isTruncated"] != true || len(o["text"].(string)) != fakegithub.MaxBlobText || o["byteSize"] != float64(len(big)) {
		t.Errorf("big: truncated=%v len=%d size=%v", o["isTruncated"], len(o["text"].(string)), o["byteSize"])
	}
	if o := obj("b3"); o["text"] != "export const n = '\uFFFD'\n" {
		t.Errorf("latin1 text = %q, want the invalid byte replaced", o["text"])
	}
	if o := obj("route"); !strings.HasPrefix(o["text"].(string), "export async function GET()") || o["isTruncated"] != false {
		t.Errorf("route = %v", o)
	}
	if r["b4"] != nil || r["config"] != nil {
		t.Errorf("missing objects = %v, %v; want null", r["b4"], r["config"])
	}
	noViolations(t, e.fake)

	// What the App never asks is a violation, not a guess: a tree, a
	// commit, a named fragment, a field the App does not read.
	for _, bad := range []string{
		`{repository(owner:"acme",name:"web"){object(expression:"` + sha + `:src"){...on Blob{text}}}}`,
		`{repository(owner:"acme",name:"web"){object(expression:"` + sha + `"){...on Blob{text}}}}`,
		`{repository(owner:"acme",name:"web"){object(oid:"` + oid["README.md"] + `"){...b}}} fragment b on Blob{text}`,
		`{repository(owner:"acme",name:"web"){object(oid:"` + oid["README.md"] + `"){...on Blob{oid}}}}`,
	} {
		before := len(e.fake.Violations())
		if out := graphql(t, e.fake, tok, bad, nil); out["errors"] == nil || len(e.fake.Violations()) != before+1 {
			t.Errorf("%s: %v, %d violations", bad, out, len(e.fake.Violations())-before)
		}
	}
}
