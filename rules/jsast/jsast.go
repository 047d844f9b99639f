// Package jsast parses JavaScript, TypeScript, JSX and TSX with tree-sitter
// and converts the result into an immutable Go tree. The Go tree is safe for
// concurrent readers (tree-sitter's own Tree is not) and cheap to walk, and
// the C tree is freed as soon as the conversion is done.
package jsast

import (
	"context"
	"fmt"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/javascript"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Node is one syntax node. Line and Col are 1-based.
type Node struct {
	Type     string
	Field    string // the field name under which the parent holds this node
	Named    bool
	Start    int // byte offsets into File.Src
	End      int
	Line     int
	Col      int
	EndLine  int
	Parent   *Node
	Children []*Node
}

// File is a parsed source file.
type File struct {
	Path string
	Src  []byte
	Root *Node
	// Errors counts ERROR and MISSING nodes; rules treat a file with errors
	// with care but still analyse the parts that parsed.
	Errors int
}

// Parse returns the syntax tree of f within DefaultLimits, parsing at most
// once per file. Astro files are parsed from their frontmatter; Vue and
// Svelte files from their <script> blocks. Other languages return an error.
// The engine parses through a Parser instead, which shares trees between
// files of identical content and does not pin them to the file.
func Parse(ctx context.Context, f *source.File) (*File, error) {
	type result struct {
		f   *File
		err error
	}
	r := f.Memo("jsast", func() any {
		t, err := parseTree(ctx, f, DefaultLimits())
		if err != nil {
			return result{nil, err}
		}
		return result{t.file(f), nil}
	}).(result)
	return r.f, r.err
}

// tree is a converted syntax tree, independent of the path it was read at.
type tree struct {
	root   *Node
	errors int
	nodes  int
}

func (t *tree) file(f *source.File) *File {
	return &File{Path: f.Path, Src: f.Content, Root: t.root, Errors: t.errors}
}

// language returns the tree-sitter grammar f is parsed with.
func language(f *source.File) (*sitter.Language, error) {
	if f.Binary {
		return nil, fmt.Errorf("parse %s: binary or non-UTF-8 content", f.Path)
	}
	switch f.Lang {
	case source.LangTS, source.LangAstro, source.LangVue, source.LangSvelte:
		return typescript.GetLanguage(), nil
	case source.LangTSX:
		return tsx.GetLanguage(), nil
	case source.LangJS:
		return javascript.GetLanguage(), nil
	}
	return nil, fmt.Errorf("parse %s: not JavaScript or TypeScript", f.Path)
}

// script returns the text of f that is parsed: the frontmatter of an Astro
// file, the <script> blocks of a Vue or Svelte file, else the whole file.
func script(f *source.File) []byte {
	switch f.Lang {
	case source.LangAstro:
		return astroFrontmatter(f.Content)
	case source.LangVue, source.LangSvelte:
		return scriptBlocks(f.Content)
	}
	return f.Content
}

// parseTree parses f within lim.
func parseTree(ctx context.Context, f *source.File, lim Limits) (*tree, error) {
	lang, err := language(f)
	if err != nil {
		return nil, err
	}
	t, err := parseSource(ctx, lang, script(f), lim)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", f.Path, err)
	}
	return t, nil
}

// parseSource parses src within lim. A source whose estimated size or
// nesting is over lim is refused before tree-sitter sees it, so
// tree-sitter's own memory stays proportional to lim.MaxNodes; the
// conversion then enforces both limits exactly.
func parseSource(ctx context.Context, lang *sitter.Language, src []byte, lim Limits) (*tree, error) {
	lim = lim.orDefault()
	if err := Prescan(src, lim); err != nil {
		return nil, err
	}
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(lang)
	st, err := p.ParseCtx(ctx, nil, src)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return convert(st.RootNode(), lim)
}

// slabSize is how many nodes are allocated at once.
const slabSize = 512

// convert copies the tree with a cursor, which costs one cgo call per
// step. It is iterative: an explicit stack holds the path from the root,
// so a deep tree costs no goroutine stack, and it stops as soon as the
// tree has more than lim.MaxNodes nodes or lim.MaxDepth levels.
func convert(root *sitter.Node, lim Limits) (*tree, error) {
	c := sitter.NewTreeCursor(root)
	defer c.Close()
	t := &tree{}
	names := map[sitter.Symbol]string{}
	fields := map[string]string{}
	var slab []Node
	node := func(parent *Node) (*Node, error) {
		if t.nodes >= lim.MaxNodes {
			return nil, &LimitError{What: "syntax nodes", Limit: int64(lim.MaxNodes)}
		}
		t.nodes++
		if len(slab) == cap(slab) {
			slab = make([]Node, 0, slabSize)
		}
		slab = slab[:len(slab)+1]
		n := &slab[len(slab)-1]
		sn := c.CurrentNode()
		sym := sn.Symbol()
		typ, ok := names[sym]
		if !ok {
			typ = sn.Type()
			names[sym] = typ
		}
		field := ""
		if parent != nil {
			if fn := c.CurrentFieldName(); fn != "" {
				if field, ok = fields[fn]; !ok {
					field, fields[fn] = fn, fn
				}
			}
		}
		sp, ep := sn.StartPoint(), sn.EndPoint()
		*n = Node{
			Type: typ, Field: field, Named: sn.IsNamed(),
			Start: int(sn.StartByte()), End: int(sn.EndByte()),
			Line: int(sp.Row) + 1, Col: int(sp.Column) + 1, EndLine: int(ep.Row) + 1,
			Parent: parent,
		}
		if cc := sn.ChildCount(); cc > 0 {
			n.Children = make([]*Node, 0, cc)
		}
		if sn.IsError() || sn.IsMissing() {
			t.errors++
		}
		if parent != nil {
			parent.Children = append(parent.Children, n)
		}
		return n, nil
	}
	var err error
	if t.root, err = node(nil); err != nil {
		return nil, err
	}
	// path[i] is the node at depth i+1 on the cursor's path.
	path := []*Node{t.root}
	for {
		if c.GoToFirstChild() {
			if len(path) >= lim.MaxDepth {
				return nil, &LimitError{What: "levels of nesting", Limit: int64(lim.MaxDepth)}
			}
			n, err := node(path[len(path)-1])
			if err != nil {
				return nil, err
			}
			path = append(path, n)
			continue
		}
		for !c.GoToNextSibling() {
			if !c.GoToParent() {
				return t, nil
			}
			path = path[:len(path)-1]
		}
		path = path[:len(path)-1]
		n, err := node(path[len(path)-1])
		if err != nil {
			return nil, err
		}
		path = append(path, n)
	}
}

// blank replaces every byte outside [keep] ranges with a space, keeping
// newlines, so line numbers of embedded scripts stay those of the file.
func blank(src []byte, keep [][2]int) []byte {
	out := make([]byte, len(src))
	for i, b := range src {
		if b == '\n' {
			out[i] = '\n'
		} else {
			out[i] = ' '
		}
	}
	for _, r := range keep {
		copy(out[r[0]:r[1]], src[r[0]:r[1]])
	}
	return out
}

func astroFrontmatter(src []byte) []byte {
	s := string(src)
	trim := strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(trim, "---") {
		return blank(src, nil)
	}
	start := len(s) - len(trim) + 3
	end := strings.Index(s[start:], "\n---")
	if end < 0 {
		return blank(src, nil)
	}
	return blank(src, [][2]int{{start, start + end}})
}

func scriptBlocks(src []byte) []byte {
	s := string(src)
	var keep [][2]int
	for off := 0; ; {
		i := strings.Index(s[off:], "<script")
		if i < 0 {
			break
		}
		open := off + i
		gt := strings.IndexByte(s[open:], '>')
		if gt < 0 {
			break
		}
		body := open + gt + 1
		end := strings.Index(s[body:], "</script>")
		if end < 0 {
			break
		}
		keep = append(keep, [2]int{body, body + end})
		off = body + end
	}
	return blank(src, keep)
}
