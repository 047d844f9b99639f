package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// statementParam returns 1 + the index of the parameter of the analyzed
// function that the SQL call n takes as its statement
// (`client.execute(query, params)` inside `executeQuery(query, params)`),
// or 0.
func (a *analyzer) statementParam(n *jsast.Node) int {
	args := jsast.Args(n)
	if len(args) == 0 {
		return 0
	}
	q := jsast.Unwrap(args[0])
	if q == nil || q.Type != "identifier" {
		return 0
	}
	if v, ok := a.vars[a.f.Text(q)]; ok && v.kind == vParam {
		return v.param + 1
	}
	return 0
}

// sqlByArg names what a helper's SQL call does by the statement the
// caller passes for it (effect.sqlParam): a literal or a const of the
// calling function (`const query = 'INSERT INTO messages ...'` before
// executeQuery(query, params)) decides the effect's kind, whether it
// changes existing rows, and its table, as sqlOf does for a call that
// shows its statement; a parameter of the caller passes the question on
// to its own caller. It reports false when the statement reads no stored
// data (SELECT NOW()): the effect is dropped. A statement it cannot read
// leaves the effect as it was (a read and write).
func (a *analyzer) sqlByArg(ne *effect, sqlParam int, args []*jsast.Node) bool {
	ne.sqlParam = 0
	i := sqlParam - 1
	if i < 0 || i >= len(args) {
		return true
	}
	arg := args[i]
	q := leadingLiteral(a.f, arg)
	if q == "" {
		q = leadingLiteral(a.f, constIn(a.f, jsast.Ancestor(arg, functionTypes...), arg))
	}
	st := sqlStatementOf(q)
	if !st.known {
		if id := jsast.Unwrap(arg); id != nil && id.Type == "identifier" {
			if v, ok := a.vars[a.f.Text(id)]; ok && v.kind == vParam {
				ne.sqlParam = v.param + 1
			}
		}
		return true
	}
	if st.kind == "" {
		return false
	}
	ne.Kind, ne.Selects = st.kind, st.selects
	if st.table != "" {
		ne.Table = st.table
	}
	return true
}

// statementOption returns the statement of a query given as an options
// object (libSQL's client.execute({ sql, args }), mysql2's
// query({ sql, values })): the value of its sql property; arg itself
// otherwise.
//
// Sources: the libSQL TypeScript SDK reference
// (https://docs.turso.tech/sdk/ts/reference: execute({ sql, args }));
// mysql2 (https://sidorares.github.io/node-mysql2/docs: query options
// { sql, values }, as in mysql's connection.query(options)).
func statementOption(f *jsast.File, arg *jsast.Node) *jsast.Node {
	o := jsast.Unwrap(arg)
	if o == nil || o.Type != "object" {
		return arg
	}
	for _, p := range o.NamedChildren() {
		if p.Type == "pair" && propertyKey(f, p.ChildByField("key")) == "sql" {
			return p.ChildByField("value")
		}
	}
	return arg
}

// sqlSelectors returns the bound values of a SQL read that select its
// rows (ok false when the call shows no literal statement with a literal
// list of values): libSQL's execute({ sql, args: [...] }), mysql2's
// query({ sql, values }) and query(sql, [...]), pg's query(text, [...]).
// A value bound in LIMIT / OFFSET pages through the rows, and one bound
// inside a subquery of the select list (`EXISTS (SELECT 1 FROM likes
// WHERE user_id = ?) AS liked`) computes a column: neither selects whose
// rows are returned.
func (a *analyzer) sqlSelectors(n *jsast.Node) ([]*jsast.Node, bool) {
	args := jsast.Args(n)
	if len(args) == 0 {
		return nil, false
	}
	stmt := statementOption(a.f, args[0])
	var list *jsast.Node
	if stmt != args[0] {
		list = a.f.ObjectProp(args[0], "args")
		if list == nil {
			list = a.f.ObjectProp(args[0], "values")
		}
	} else if len(args) > 1 {
		list = args[1]
	}
	list = jsast.Unwrap(list)
	if list == nil || list.Type != "array" {
		return nil, false
	}
	q := leadingLiteral(a.f, stmt)
	if st := sqlStatementOf(q); !st.known || st.kind != ReadsData {
		return nil, false
	}
	roles, ok := placeholderRoles(q)
	elems := list.NamedChildren()
	if !ok || len(roles) != len(elems) {
		return nil, false
	}
	out := []*jsast.Node{}
	for i, e := range elems {
		if roles[i] {
			out = append(out, e)
		}
	}
	return out, true
}

// placeholderRoles reads the `?` placeholders of a SELECT statement, in
// order, and says of each whether it selects rows (false: bound in the
// LIMIT / OFFSET clause, or in a parenthesised expression of the select
// list, before the statement's own FROM). ok is false for numbered
// placeholders ($1) and for a statement it cannot follow.
func placeholderRoles(q string) ([]bool, bool) {
	var out []bool
	depth, from, paging := 0, false, false
	upper := strings.ToUpper(q)
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"' || c == '`':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				return nil, false
			}
			i += j + 1
		case c == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			return nil, false
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '?':
			out = append(out, !paging && (from || depth == 0))
		case depth == 0 && wordAt(upper, i, "FROM"):
			from = true
		case depth == 0 && (wordAt(upper, i, "LIMIT") || wordAt(upper, i, "OFFSET")):
			paging = true
		}
	}
	return out, true
}

// wordAt reports whether the upper-cased text s holds the keyword w at
// i, as a whole word.
func wordAt(s string, i int, w string) bool {
	if !strings.HasPrefix(s[i:], w) {
		return false
	}
	word := func(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' }
	return (i == 0 || !word(s[i-1])) && (i+len(w) == len(s) || !word(s[i+len(w)]))
}

// topLevel blanks the parenthesised parts of a SQL statement (subqueries,
// function arguments), leaving the words of the statement itself.
func topLevel(q string) string {
	b := []byte(q)
	depth := 0
	for i, c := range b {
		switch c {
		case '(':
			depth++
			b[i] = ' '
		case ')':
			if depth > 0 {
				depth--
			}
			b[i] = ' '
		default:
			if depth > 0 {
				b[i] = ' '
			}
		}
	}
	return string(b)
}
