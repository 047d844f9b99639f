package jsast

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/clerkguard/clerkguard/rules/source"
)

// deepArray is the blob of the report: `[[[…]]]` nested depth times.
func deepArray(depth int) []byte {
	return []byte("export const x = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + ";\n")
}

// TestParseDeepNestingIsRefused: the 2 KB-gzipped blob of nesting depth
// 950,000 that cost 1.56 GB to parse and convert is refused with a limit
// error before tree-sitter sees it, and costs almost nothing.
func TestParseDeepNestingIsRefused(t *testing.T) {
	f := source.NewFile("app/deep.ts", deepArray(950_000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse(context.Background(), f)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Parse of a 950,000-deep array: err = %v, want a limit error", err)
	}
	if !strings.Contains(err.Error(), "app/deep.ts") {
		t.Errorf("error %q does not name the file", err)
	}
	// The source is 1.9 MB; the unbounded parse allocated 881 MB of Go heap.
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("refusing the file allocated %d MB", got>>20)
	}
}

// TestConvertEnforcesLimits: trees that the cheap prescan admits but that
// are over a limit are stopped by the conversion itself: depth without any
// bracket (a long chain of `+`), and more nodes than tokens.
func TestConvertEnforcesLimits(t *testing.T) {
	ctx := context.Background()
	chain := "export const s = " + strings.Repeat("a + ", 3000) + "a;\n"
	if err := Prescan([]byte(chain), DefaultLimits()); err != nil {
		t.Fatalf("prescan refused the chain: %v", err)
	}
	_, err := parseTree(ctx, source.NewFile("chain.ts", []byte(chain)), DefaultLimits())
	var le *LimitError
	if !errors.As(err, &le) || le.What != "levels of nesting" {
		t.Fatalf("3000-term chain: err = %v, want the nesting limit from the conversion", err)
	}

	stmts := []byte(strings.Repeat("x;\n", 20)) // 40 tokens, 61 nodes
	lim := Limits{MaxNodes: 50, MaxDepth: 100}
	if err := Prescan(stmts, lim); err != nil {
		t.Fatalf("prescan refused 40 tokens: %v", err)
	}
	_, err = parseTree(ctx, source.NewFile("s.ts", stmts), lim)
	if !errors.As(err, &le) || le.What != "syntax nodes" {
		t.Fatalf("61 nodes with MaxNodes 50: err = %v, want the node limit", err)
	}
	if _, err := parseTree(ctx, source.NewFile("s.ts", stmts), Limits{MaxNodes: 61, MaxDepth: 100}); err != nil {
		t.Fatalf("61 nodes with MaxNodes 61: %v", err)
	}
}

func TestPrescan(t *testing.T) {
	lim := Limits{MaxNodes: 10, MaxDepth: 3}
	for _, c := range []struct {
		src  string
		want string // "" for admitted
	}{
		{"a.b(c)", ""},
		{"f(g(h(x)))", ""},
		{"f((((x))))", "levels of nesting"},
		{"())))))(((", ""}, // unbalanced closers do not go negative
		{"one two three four five six seven eight nine ten", ""},
		{"one two three four five six seven eight nine ten eleven", "tokens"},
		{"'(((((' ", "levels of nesting"}, // strings count: no lexing mistake can hide depth
		{"ünïcödé wörds", ""},
	} {
		err := Prescan([]byte(c.src), lim)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Prescan(%q) = %v, want admitted", c.src, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrLimit)):
			t.Errorf("Prescan(%q) = %v, want a limit error about %s", c.src, err, c.want)
		}
	}
}

// TestConvertMatchesTree: the iterative conversion yields exactly the tree
// of the recursive conversion it replaced (types, fields, positions, order,
// error count), over the repository's fixtures and a file that is not JS.
func TestConvertMatchesTree(t *testing.T) {
	var files []string
	for _, pat := range []string{"../*/testdata/*/*.txtar", "../../fixtures/demo/*/*/*.ts", "../../fixtures/demo/*/*/*.js"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	files = append(files, "jsast.go") // a tree full of ERROR nodes
	if len(files) < 10 {
		t.Fatalf("only %d fixture files found", len(files))
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := source.NewFile("x.tsx", b)
		lang, _ := language(f)
		sp := sitter.NewParser()
		sp.SetLanguage(lang)
		st, err := sp.ParseCtx(context.Background(), nil, b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := convert(st.RootNode(), Limits{MaxNodes: 1 << 30, MaxDepth: 1 << 30})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		want, wantErrs := convertRecursive(st.RootNode())
		if n := compareNode(t, p, got.root, want); n != got.nodes {
			t.Errorf("%s: %d nodes, the conversion counted %d", p, n, got.nodes)
		}
		if wantErrs != got.errors {
			t.Errorf("%s: %d error nodes, the conversion counted %d", p, wantErrs, got.errors)
		}
		st.Close()
		sp.Close()
	}
}

// convertRecursive is the conversion as it was before budgets.
func convertRecursive(root *sitter.Node) (*Node, int) {
	c := sitter.NewTreeCursor(root)
	defer c.Close()
	errs := 0
	var build func(parent *Node, field string) *Node
	build = func(parent *Node, field string) *Node {
		sn := c.CurrentNode()
		sp, ep := sn.StartPoint(), sn.EndPoint()
		n := &Node{Type: sn.Type(), Field: field, Named: sn.IsNamed(), Start: int(sn.StartByte()), End: int(sn.EndByte()),
			Line: int(sp.Row) + 1, Col: int(sp.Column) + 1, EndLine: int(ep.Row) + 1, Parent: parent}
		if sn.IsError() || sn.IsMissing() {
			errs++
		}
		if c.GoToFirstChild() {
			for {
				n.Children = append(n.Children, build(n, c.CurrentFieldName()))
				if !c.GoToNextSibling() {
					break
				}
			}
			c.GoToParent()
		}
		return n
	}
	return build(nil, ""), errs
}

func compareNode(t *testing.T, file string, got, want *Node) int {
	t.Helper()
	if got.Type != want.Type || got.Field != want.Field || got.Named != want.Named || got.Start != want.Start || got.End != want.End ||
		got.Line != want.Line || got.Col != want.Col || got.EndLine != want.EndLine || len(got.Children) != len(want.Children) ||
		(got.Parent == nil) != (want.Parent == nil) || got.Parent != nil && got.Parent.Start != want.Parent.Start {
		t.Fatalf("%s: node %+v, want %+v", file, *got, *want)
	}
	count := 1
	for i := range got.Children {
		count += compareNode(t, file, got.Children[i], want.Children[i])
	}
	return count
}

// TestParserSharesIdenticalContent: the same blob at two paths is parsed
// once; each path gets its own File over the shared tree. The language is
// part of the key.
func TestParserSharesIdenticalContent(t *testing.T) {
	ctx := context.Background()
	src := []byte("export function GET() { return Response.json({ ok: true }) }\n")
	p := NewParser(ParserOptions{})
	a, err := p.Parse(ctx, source.NewFile("app/a/route.ts", src))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Parse(ctx, source.NewFile("app/b/route.ts", src))
	if err != nil {
		t.Fatal(err)
	}
	if p.Parses() != 1 {
		t.Errorf("two paths with one blob: %d parses, want 1", p.Parses())
	}
	if a.Path != "app/a/route.ts" || b.Path != "app/b/route.ts" || a.Root != b.Root {
		t.Errorf("files %q and %q: roots shared = %v", a.Path, b.Path, a.Root == b.Root)
	}
	if _, err := p.Parse(ctx, source.NewFile("app/c/route.tsx", src)); err != nil {
		t.Fatal(err)
	}
	if p.Parses() != 2 {
		t.Errorf("same content as TSX: %d parses, want 2", p.Parses())
	}

	// A refused blob is refused once, for every path.
	deep := deepArray(5000)
	for _, path := range []string{"x/deep.ts", "y/deep.ts"} {
		_, err := p.Parse(ctx, source.NewFile(path, deep))
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want a limit error naming the path", path, err)
		}
	}
	if p.Parses() != 3 {
		t.Errorf("a refused blob at two paths: %d parses in all, want 3", p.Parses())
	}
}

// TestParserBudget: once the review's node budget is spent, further
// distinct files are refused with a limit error; cached trees still serve.
func TestParserBudget(t *testing.T) {
	ctx := context.Background()
	p := NewParser(ParserOptions{Budget: 10})
	first := source.NewFile("a.ts", []byte("const a = 1; const b = 2;\n"))
	if _, err := p.Parse(ctx, first); err != nil {
		t.Fatal(err)
	}
	if p.Nodes() <= 10 {
		t.Fatalf("first file built %d nodes; the test needs more than the budget", p.Nodes())
	}
	_, err := p.Parse(ctx, source.NewFile("b.ts", []byte("const c = 3;\n")))
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "parsed in this review") {
		t.Fatalf("second file over the budget: err = %v", err)
	}
	if _, err := p.Parse(ctx, source.NewFile("copy.ts", first.Content)); err != nil {
		t.Errorf("a cached tree is refused after the budget: %v", err)
	}
}

// TestParserDropsTrees: the cache keeps at most Keep nodes; older trees
// are dropped and parsed again when asked for.
func TestParserDropsTrees(t *testing.T) {
	ctx := context.Background()
	p := NewParser(ParserOptions{Keep: 1})
	a := source.NewFile("a.ts", []byte("const a = 1;\n"))
	b := source.NewFile("b.ts", []byte("const b = 2;\n"))
	for _, f := range []*source.File{a, a, b, b, a} {
		if _, err := p.Parse(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if p.Parses() != 3 {
		t.Errorf("a, a, b, b, a with room for one tree: %d parses, want 3", p.Parses())
	}
	if v := a.Memo("jsast", func() any { return "unset" }); v != "unset" {
		t.Error("the Parser memoised a tree on the source.File")
	}
}

func TestParamPatternsAndFirstSegment(t *testing.T) {
	f, err := Parse(context.Background(), source.NewFile("a.ts", []byte(
		"function h(req: Request, { params }: Ctx, next = () => {}, ...rest) {}\nconst g = x => x")))
	if err != nil {
		t.Fatal(err)
	}
	fns := Find(f.Root, FunctionTypes...)
	var got []string
	for _, p := range ParamPatterns(fns[0]) {
		got = append(got, p.Type+":"+f.Text(p))
	}
	want := "identifier:req object_pattern:{ params } identifier:next rest_pattern:...rest"
	if strings.Join(got, " ") != want {
		t.Errorf("ParamPatterns = %q, want %q", strings.Join(got, " "), want)
	}
	if ps := ParamPatterns(fns[len(fns)-1]); len(ps) != 1 || f.Text(ps[0]) != "x" {
		t.Errorf("arrow parameter: %v", ps)
	}
	for in, want := range map[string]string{"db.user.findMany": "db", "clerkClient().users": "clerkClient", "auth": "auth"} {
		if got := FirstSegment(in); got != want {
			t.Errorf("FirstSegment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDynamicImportOf(t *testing.T) {
	f, err := Parse(context.Background(), source.NewFile("a.ts", []byte(`
export async function POST() {
  const { Webhook } = await import('svix')
  const { verify: check } = await import("./local")
  const ns = await import('jose')
  const { twice } = await import('a')
  const { twice: other } = await import('b')
  let twice2
}
const { twice } = await import('c')
async function one() { const { auth } = await import('@clerk/tanstack-react-start/server') }
async function two() { const { auth } = await import('@clerk/tanstack-react-start/server') }
`)))
	if err != nil {
		t.Fatal(err)
	}
	for local, want := range map[string]string{"Webhook": "svix Webhook", "check": "./local verify", "ns": "jose *",
		"auth": "@clerk/tanstack-react-start/server auth"} {
		im, ok := f.DynamicImportOf(local)
		if got := im.Source + " " + im.Imported; !ok || got != want {
			t.Errorf("DynamicImportOf(%s) = %q %v, want %q", local, got, ok, want)
		}
	}
	for _, local := range []string{"twice", "missing", "other2"} {
		if im, ok := f.DynamicImportOf(local); ok {
			t.Errorf("DynamicImportOf(%s) = %+v, want none (bound twice or not at all)", local, im)
		}
	}
}

// TestEnvNameImportMeta is a regression test: Name gave import.meta.env.X
// no name (the `import` keyword node), so EnvName missed Vite and Astro
// env reads its doc lists.
func TestEnvNameImportMeta(t *testing.T) {
	f, err := Parse(context.Background(), source.NewFile("a.ts", []byte(`
const a = import.meta.env.PUBLIC_TOKEN || 'x'
const b = process.env.SERVER_TOKEN ?? 'y'
const c = import.meta.url
`)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range Find(f.Root, "variable_declarator") {
		v := d.ChildByField("value")
		if v.Type == "binary_expression" {
			v = v.ChildByField("left")
		}
		got = append(got, f.EnvName(v)+"|"+f.Name(v))
	}
	want := []string{"PUBLIC_TOKEN|import.meta.env.PUBLIC_TOKEN", "SERVER_TOKEN|process.env.SERVER_TOKEN", "|import.meta.url"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDestructuredExports is a regression test: `export const { GET, POST }
// = factory(...)` (the Next.js form of a library handler that returns
// { GET, POST }) gave one export named after the whole pattern, so no GET
// or POST entry existed. Each top-level property bound to a name is an
// export now; nested and rest patterns are not.
func TestDestructuredExports(t *testing.T) {
	f, err := Parse(context.Background(), source.NewFile("route.ts", []byte(`
import { makeRoutes } from 'lib'
const table = { list: async () => 1, 'remove': del }
async function del() {}
export const { GET, POST } = makeRoutes({ router })
export const { list: PUT, remove: DELETE, missing: HEAD } = table
export const { a: { nested }, ...rest } = makeRoutes({})
export const plain = 1
`)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ex := range f.Exports() {
		v := "<nil>"
		if ex.Value != nil {
			v = ex.Value.Type
		}
		got = append(got, ex.Name+"="+ex.Prop+":"+v)
	}
	want := "GET=GET:call_expression POST=POST:call_expression PUT=list:arrow_function DELETE=remove:function_declaration plain=:number"
	if strings.Join(got, " ") != want {
		t.Errorf("Exports = %q\nwant      %q", strings.Join(got, " "), want)
	}
}
