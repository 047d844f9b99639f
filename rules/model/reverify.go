package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// reverifyDepth bounds how far Reverifies follows helpers.
const reverifyDepth = 3

// Reverifies reports whether an entry asks for a recent verification on
// the server before it runs: its handler, a wrapper around it or a
// helper either calls (followed through the module graph) calls one of
// knowledge's reverification checks (knowledge.ReverificationCheckOf:
// has({ reverification }), reverificationError...) or passes Clerk's
// authorization params with knowledge.ReverificationParam
// (auth.protect({ reverification })). A helper the model cannot read
// counts as a check: an unknown is never reported as missing.
func (m *Model) Reverifies(ctx context.Context, e *Entry) bool {
	if e.Fn != nil && e.FnFile != nil && m.reverifiesIn(ctx, e.FnFile, e.Fn, reverifyDepth, map[*jsast.Node]bool{}) {
		return true
	}
	for _, w := range e.Wrappers {
		if w.call != nil && w.callFile != nil {
			for _, a := range jsast.Args(w.call) {
				if hasReverificationParam(w.callFile, a) {
					return true
				}
			}
		}
		if w.fn != nil && w.fnFile != nil && m.reverifiesIn(ctx, w.fnFile, w.fn, reverifyDepth, map[*jsast.Node]bool{}) {
			return true
		}
	}
	return false
}

func (m *Model) reverifiesIn(ctx context.Context, f *jsast.File, fn *jsast.Node, depth int, seen map[*jsast.Node]bool) bool {
	if seen[fn] || ctx.Err() != nil {
		return false
	}
	seen[fn] = true
	for _, c := range f.Calls(fn, func(string) bool { return true }) {
		name := jsast.LastSegment(strings.ReplaceAll(f.CalleeName(c), "()", ""))
		args := jsast.Args(c)
		if chk, ok := knowledge.ReverificationCheckOf(name); ok && (chk.Option == "" || len(args) > 0 && f.ObjectProp(args[0], chk.Option) != nil) {
			return true
		}
		for _, a := range args {
			if hasReverificationParam(f, a) {
				return true
			}
		}
		if depth == 0 {
			continue
		}
		switch ce := m.Callee(ctx, f, c); ce.Kind {
		case CalleeUnknown:
			return true
		case CalleeFunction:
			if ce.Fn != nil && ce.File != nil && m.reverifiesIn(ctx, ce.File, ce.Fn, depth-1, seen) {
				return true
			}
		}
	}
	return false
}

// hasReverificationParam reports whether n is an object literal with
// Clerk's reverification authorization param.
func hasReverificationParam(f *jsast.File, n *jsast.Node) bool {
	return f.ObjectProp(n, knowledge.ReverificationParam) != nil
}
