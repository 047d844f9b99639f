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

// Parse returns the syntax tree of f, parsing at most once per file.
// Astro files are parsed from their frontmatter; Vue and Svelte files from
// their <script> blocks. Other languages return an error.
func Parse(ctx context.Context, f *source.File) (*File, error) {
	type result struct {
		f   *File
		err error
	}
	r := f.Memo("jsast", func() any {
		pf, err := parse(ctx, f)
		return result{pf, err}
	}).(result)
	return r.f, r.err
}

func parse(ctx context.Context, f *source.File) (*File, error) {
	if f.Binary {
		return nil, fmt.Errorf("parse %s: binary or non-UTF-8 content", f.Path)
	}
	src := f.Content
	var lang *sitter.Language
	switch f.Lang {
	case source.LangTS:
		lang = typescript.GetLanguage()
	case source.LangTSX:
		lang = tsx.GetLanguage()
	case source.LangJS:
		lang = javascript.GetLanguage()
	case source.LangAstro:
		lang, src = typescript.GetLanguage(), astroFrontmatter(src)
	case source.LangVue, source.LangSvelte:
		lang, src = typescript.GetLanguage(), scriptBlocks(src)
	default:
		return nil, fmt.Errorf("parse %s: not JavaScript or TypeScript", f.Path)
	}
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(lang)
	tree, err := p.ParseCtx(ctx, nil, src)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", f.Path, err)
	}
	defer tree.Close()
	out := &File{Path: f.Path, Src: f.Content}
	out.Root = convert(tree.RootNode(), out)
	return out, nil
}

// convert copies the tree with a cursor, which costs one cgo call per step.
func convert(root *sitter.Node, f *File) *Node {
	c := sitter.NewTreeCursor(root)
	defer c.Close()
	var build func(parent *Node, field string) *Node
	build = func(parent *Node, field string) *Node {
		sn := c.CurrentNode()
		sp, ep := sn.StartPoint(), sn.EndPoint()
		n := &Node{
			Type: sn.Type(), Field: field, Named: sn.IsNamed(),
			Start: int(sn.StartByte()), End: int(sn.EndByte()),
			Line: int(sp.Row) + 1, Col: int(sp.Column) + 1, EndLine: int(ep.Row) + 1,
			Parent: parent,
		}
		if sn.IsError() || sn.IsMissing() {
			f.Errors++
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
	return build(nil, "")
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
