package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// buildBranch walks an if statement whose condition the production build
// replaces with a constant (`if (import.meta.env.PROD) return 403`,
// knowledge.ProductionConstant): only the branch the build keeps runs, for
// every caller, so the other is not walked, and when the kept branch exits
// the rest of the enclosing block is dead (state.dead). It reports whether
// the condition was such a constant.
func (a *analyzer) buildBranch(n *jsast.Node, st *state) bool {
	c, ok := a.buildCond(n.ChildByField("condition"))
	if !ok {
		return false
	}
	kept := n.ChildByField("consequence")
	if c == isFalse {
		kept = n.ChildByField("alternative")
		if kept != nil && kept.Type == "else_clause" {
			if b := kept.NamedChildren(); len(b) > 0 {
				kept = b[0]
			}
		}
	}
	if kept == nil {
		return true
	}
	a.stmt(kept, st)
	if a.exits(kept) {
		st.reach, st.dead = no, true
	}
	return true
}

// buildCond evaluates a condition made of a production-build constant,
// negations and parentheses.
func (a *analyzer) buildCond(n *jsast.Node) (cond, bool) {
	n = jsast.Unwrap(n)
	if n == nil {
		return either, false
	}
	switch n.Type {
	case "parenthesized_expression":
		if c := n.NamedChildren(); len(c) == 1 {
			return a.buildCond(c[0])
		}
	case "unary_expression":
		if op := n.ChildByField("operator"); op != nil && a.f.Text(op) == "!" {
			c, ok := a.buildCond(n.ChildByField("argument"))
			return c.not(), ok
		}
	case "member_expression":
		switch lit, ok := knowledge.ProductionConstant(a.f.Text(n)); {
		case !ok:
		case lit == "true":
			return isTrue, true
		case lit == "false":
			return isFalse, true
		}
	}
	return either, false
}
