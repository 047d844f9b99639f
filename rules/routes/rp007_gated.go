package routes

import (
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
)

// gatesNothing reports whether the always-true test at n (of the value
// named name), inside an entry the model knows, gates a branch that reaches
// no effect the model sees (no data read or write, no privileged call) and
// reads the identity only with its own null fallback (`auth?.userId ?? ”`):
// then the test passing for signed-out callers changes nothing they get,
// e.g. a lookup by the caller's own, possibly null, id. A branch that uses
// the identity as if it were set (`signed in as ${req.auth.userId}`) still
// answers a signed-out caller as a signed-in one, and is reported. Outside
// an entry, or when the entry's effects were not fully followed, it answers
// false: the finding stands.
func gatesNothing(pass *rules.Pass, f *jsast.File, n *jsast.Node, name string) bool {
	if pass.Model == nil {
		return false
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return false
	}
	var entry *model.Entry
	for _, e := range es {
		if e.Fn != nil && e.FnFile != nil && e.FnFile.Path == f.Path && e.Fn.Start <= n.Start && n.End <= e.Fn.End {
			if entry == nil || e.Fn.Start >= entry.Fn.Start && e.Fn.End <= entry.Fn.End {
				entry = e // the innermost entry holding the test
			}
		}
	}
	if entry == nil {
		return false
	}
	effs := pass.Model.Effects(pass.Ctx, entry)
	if effs.Incomplete {
		return false
	}
	region := gatedRegion(n)
	if region == nil {
		return false
	}
	scope := jsast.EnclosingFunction(n)
	if scope == nil {
		scope = f.Root
	}
	var calls []*jsast.Node // calls in the region
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "call_expression" && region.holds(x.Start, x.End) {
			calls = append(calls, x)
		}
		return true
	})
	inRegion := region.holdsLine
	if identityUsedAsSet(f, scope, region, name) {
		return false
	}
	for _, e := range effs.List {
		if len(e.Via) == 0 {
			if e.File == f.Path && inRegion(e.Line) {
				return false
			}
			continue
		}
		path, line, ok := viaLocation(e.Via[0])
		if !ok {
			return false
		}
		for _, c := range calls {
			ce := pass.Model.Callee(pass.Ctx, f, c)
			if ce.Kind == model.CalleeUnknown {
				return false
			}
			if ce.File != nil && ce.Fn != nil && ce.File.Path == path && ce.Fn.Line == line {
				return false
			}
		}
	}
	return true
}

// identityUsedAsSet reports whether the region reads a field of the value
// named name (`auth.userId`, `locals.auth().userId`) without a null
// fallback: no optional chaining on the read and not the left side of
// `??` or `||`.
func identityUsedAsSet(f *jsast.File, scope *jsast.Node, region spans, name string) bool {
	used := false
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if used || x.Type != "member_expression" || !region.holds(x.Start, x.End) {
			return !used
		}
		obj := x.ChildByField("object")
		if obj == nil || strings.TrimSuffix(f.Text(obj), "()") != name && strings.TrimSuffix(f.Text(obj), "?.()") != name {
			return true
		}
		if x.HasChild("?.") {
			return true
		}
		if p := x.Parent; p != nil && p.Type == "binary_expression" && p.ChildByField("left") == x && (p.HasChild("??") || p.HasChild("||")) {
			return true
		}
		used = true
		return false
	})
	return used
}

// viaLocation parses the "(path:line)" of an Effect.Via step.
func viaLocation(via string) (string, int, bool) {
	i := strings.LastIndex(via, " (")
	if i < 0 || !strings.HasSuffix(via, ")") {
		return "", 0, false
	}
	loc := via[i+2 : len(via)-1]
	j := strings.LastIndex(loc, ":")
	if j < 0 {
		return "", 0, false
	}
	line, err := strconv.Atoi(loc[j+1:])
	return loc[:j], line, err == nil
}

// span is a stretch of source: bytes and lines.
type span struct{ start, end, line, endLine int }

type spans []span

func (ss spans) holds(start, end int) bool {
	for _, s := range ss {
		if s.start <= start && end <= s.end {
			return true
		}
	}
	return false
}

func (ss spans) holdsLine(line int) bool {
	for _, s := range ss {
		if s.line <= line && line <= s.endLine {
			return true
		}
	}
	return false
}

func spanOf(ns ...*jsast.Node) spans {
	var out spans
	for _, x := range ns {
		if x != nil {
			out = append(out, span{x.Start, x.End, x.Line, x.EndLine})
		}
	}
	return out
}

// gatedRegion returns the code an always-true test at n lets run: the
// consequence of `if (auth)` / `auth ? a : b` / `auth && a`, and for a
// negated test (`if (!auth) return`) the alternative and everything after
// the if statement in the enclosing function. nil when the shape is not
// one of these.
func gatedRegion(n *jsast.Node) spans {
	negated := false
	cur := n
	for p := cur.Parent; p != nil; cur, p = p, p.Parent {
		switch p.Type {
		case "parenthesized_expression":
			continue
		case "unary_expression":
			negated = !negated
			continue
		case "binary_expression":
			if p.Parent != nil && p.Parent.Type == "expression_statement" && p.ChildByField("left") == cur {
				if p.HasChild("&&") != negated {
					return spanOf(p.ChildByField("right"))
				}
				return nil
			}
			continue
		case "ternary_expression":
			if negated {
				return spanOf(p.ChildByField("alternative"))
			}
			return spanOf(p.ChildByField("consequence"))
		case "if_statement", "while_statement":
			if !negated {
				return spanOf(p.ChildByField("consequence"), p.ChildByField("body"))
			}
			out := spanOf(p.ChildByField("alternative"))
			scope := jsast.EnclosingFunction(p)
			if scope == nil {
				scope = p
				for scope.Parent != nil {
					scope = scope.Parent
				}
			}
			if p.End < scope.End {
				out = append(out, span{p.End, scope.End, p.EndLine + 1, scope.EndLine})
			}
			return out
		default:
			return nil
		}
	}
	return nil
}
