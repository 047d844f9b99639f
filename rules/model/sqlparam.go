package model

import "github.com/clerkguard/clerkguard/rules/jsast"

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
