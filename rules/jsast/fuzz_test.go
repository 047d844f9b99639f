package jsast

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// FuzzParse parses arbitrary text as TypeScript, TSX and Vue under a node
// and depth limit: the parse either is refused with a limit error or
// yields a tree within the limits whose nodes nest inside their parents
// and inside the source. A cached parse of the same content at another
// path shares the tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"export async function GET() { return Response.json({ ok: true }) }\n",
		"import { clerkMiddleware } from '@clerk/nextjs/server'\nexport default clerkMiddleware()\nexport const config = { matcher: ['/((?!_next).*)'] }\n",
		"const a = <div className={x}>{items.map((i) => <Item key={i} />)}</div>\n",
		"<script setup lang=\"ts\">\nconst { userId } = useAuth()\n</script>\n<template><p>{{ userId }}</p></template>\n",
		strings.Repeat("[", 300) + strings.Repeat("]", 300),
		strings.Repeat("a + ", 400) + "a",
		"`${`${`${x}`}`}` /[(]/ // (((\n/* [[[ */",
		"\xff\xfe(",
	} {
		f.Add(s)
	}
	lim := Limits{MaxNodes: 20_000, MaxDepth: 200}
	f.Fuzz(func(t *testing.T, src string) {
		ctx := context.Background()
		p := NewParser(ParserOptions{Limits: lim, Keep: 100_000})
		for _, name := range []string{"a.ts", "b.tsx", "c.vue"} {
			file := source.NewFile(name, []byte(src))
			pf, err := p.Parse(ctx, file)
			if err != nil {
				if file.Binary || errors.Is(err, ErrLimit) {
					continue
				}
				t.Fatalf("%s: unexpected error %v", name, err)
			}
			nodes := checkTree(t, pf, lim)
			if nodes > lim.MaxNodes {
				t.Fatalf("%s: %d nodes over the limit %d", name, nodes, lim.MaxNodes)
			}
			again, err := p.Parse(ctx, source.NewFile("copy/"+name, []byte(src)))
			if err != nil || again.Root != pf.Root {
				t.Fatalf("%s: the same content at another path was not shared (%v)", name, err)
			}
		}
	})
}

// checkTree walks the tree iteratively and checks its shape; it returns
// the node count.
func checkTree(t *testing.T, f *File, lim Limits) int {
	t.Helper()
	type item struct {
		n     *Node
		depth int
	}
	stack := []item{{f.Root, 1}}
	count := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		count++
		if it.depth > lim.MaxDepth {
			t.Fatalf("depth %d over the limit %d", it.depth, lim.MaxDepth)
		}
		if n.Start < 0 || n.Start > n.End || n.End > len(f.Src) || n.Line < 1 || n.EndLine < n.Line {
			t.Fatalf("%s at bytes %d..%d, lines %d..%d of %d bytes", n.Type, n.Start, n.End, n.Line, n.EndLine, len(f.Src))
		}
		for _, c := range n.Children {
			if c.Parent != n || c.Start < n.Start || c.End > n.End {
				t.Fatalf("%s at %d..%d is not inside its parent %s at %d..%d", c.Type, c.Start, c.End, n.Type, n.Start, n.End)
			}
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	return count
}
