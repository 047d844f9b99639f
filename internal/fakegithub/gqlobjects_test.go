package fakegithub_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestGraphQLGitObjects: Repository.object by oid and by expression, many aliases in
// one query, type conditions that apply only to matching types, GitHub's text
// truncation and null text for binaries, and null (not an error) for a missing object.
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
	q := `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
  readme: object(oid: "` + oid["README.md"] + `") { __typename ... on Blob { oid byteSize isBinary isTruncated text } }
  route: object(expression: "` + sha + `:src/app/api/b/route.ts") { ...blob }
  png: object(expression: "` + sha + `:img/logo.png") { ... on Blob { isBinary text } }
  big: object(expression: "` + sha + `:big.txt") { ... on Blob { byteSize isTruncated text } }
  latin: object(expression: "` + sha + `:latin1.ts") { ... on Blob { byteSize text } }
  dir: object(expression: "` + sha + `:src") { __typename ... on Blob { text } ... on Tree { entries { name type mode } } }
  missing: object(expression: "` + sha + `:nope.ts") { ... on Blob { text } }
  gone: object(oid: "0000000000000000000000000000000000000001") { ... on Blob { text } }
} }
fragment blob on Blob { text isTruncated }`
	tok, _ := e.fake.MintInstallationToken(instID)
	out := graphql(t, e.fake, tok, q, map[string]any{"owner": owner, "name": repoN})
	if out["errors"] != nil {
		t.Fatalf("errors: %v", out["errors"])
	}
	r := out["data"].(map[string]any)["repository"].(map[string]any)
	obj := func(k string) map[string]any { m, _ := r[k].(map[string]any); return m }
	if o := obj("readme"); o["__typename"] != "Blob" || o["text"] != "# web\n" || o["byteSize"] != float64(6) || o["isBinary"] != false || o["oid"] != oid["README.md"] {
		t.Errorf("readme = %v", o)
	}
	if o := obj("route"); !strings.HasPrefix(o["text"].(string), "export async function GET()") || o["isTruncated"] != false {
		t.Errorf("route = %v", o)
	}
	if o := obj("png"); o["isBinary"] != true || o["text"] != nil {
		t.Errorf("png = %v, want binary with null text", o)
	}
	if o := obj("big"); o["isTruncated"] != true || len(o["text"].(string)) != fakegithub.MaxBlobText || o["byteSize"] != float64(len(big)) {
		t.Errorf("big: truncated=%v len=%d size=%v", o["isTruncated"], len(o["text"].(string)), o["byteSize"])
	}
	if o := obj("latin"); o["text"] != "export const n = '\uFFFD'\n" {
		t.Errorf("latin1 text = %q, want the invalid byte replaced", o["text"])
	}
	dir := obj("dir")
	if dir["__typename"] != "Tree" || dir["text"] != nil {
		t.Errorf("dir = %v: a Blob condition must not apply to a Tree", dir)
	}
	if es, _ := dir["entries"].([]any); len(es) != 2 || es[0].(map[string]any)["name"] != "app" || es[0].(map[string]any)["type"] != "tree" {
		t.Errorf("dir entries = %v", dir["entries"])
	}
	if r["missing"] != nil || r["gone"] != nil {
		t.Errorf("missing objects = %v, %v; want null", r["missing"], r["gone"])
	}
	noViolations(t, e.fake)
}
