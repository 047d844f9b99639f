package model

import (
	"fmt"
	"go/ast"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// goOwnerParam is, inside a helper's summary, the user column of an
// INSERT whose value is the helper's parameter (param is 1-based) or, for
// a parameters struct (sqlc's CreateShareParams), its field: which value
// the column takes is known at each call (Effect.ownerParam).
type goOwnerParam struct {
	param  int
	field  string
	column string
}

// sqlInsertHead matches the start of an INSERT's column list:
// `INSERT INTO shares (owner_id, ...`.
var sqlInsertHead = regexp.MustCompile("(?is)^\\s*insert\\s+into\\s+[a-z0-9_.\"`]+\\s*\\(")

// sqlInsertColumns maps each placeholder of an INSERT's first VALUES row
// to the column it fills (lower case), keyed by the placeholder's
// ordinal: $N is N, the k-th ? is k. A value that is not a bare
// placeholder (an expression, a literal, DEFAULT) fills no entry.
func sqlInsertColumns(q string) map[int]string {
	q = blankSQLStrings(q)
	for strings.HasPrefix(strings.TrimSpace(q), "--") {
		// sqlc's `-- name: CreateShare :exec` line
		i := strings.IndexByte(q, '\n')
		if i < 0 {
			return nil
		}
		q = q[i+1:]
	}
	head := sqlInsertHead.FindStringIndex(q)
	if head == nil {
		return nil
	}
	rest := q[head[1]:]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return nil
	}
	var cols []string
	for _, c := range strings.Split(rest[:end], ",") {
		cols = append(cols, strings.ToLower(strings.Trim(strings.TrimSpace(c), "\"`")))
	}
	rest = rest[end+1:]
	v := strings.Index(strings.ToLower(rest), "values")
	if v < 0 {
		return nil
	}
	rest = strings.TrimSpace(rest[v+len("values"):])
	vals, ok := sqlRow(rest)
	if !ok {
		return nil
	}
	out := map[int]string{}
	qmarks := 0
	for i, val := range vals {
		val = strings.TrimSpace(val)
		if i >= len(cols) {
			break
		}
		switch {
		case val == "?":
			qmarks++
			out[qmarks] = cols[i]
		case strings.HasPrefix(val, "$"):
			if n, err := strconv.Atoi(val[1:]); err == nil && n > 0 {
				out[n] = cols[i]
			}
		default:
			qmarks += strings.Count(val, "?")
		}
	}
	return out
}

// goUserColumn reports a column of a new row that names the one user it
// belongs to: an owner or author column (user_id, owner_id, created_by,
// author) or a column named as a reference to a user in some role
// (passer_user_id, sender_user_id). A bare user or username column is
// not one: in a row it is as often an account name on another site or a
// grantee, and the JavaScript walk counts it only with more evidence.
func goUserColumn(col string) bool {
	if tenantKey.MatchString(col) {
		return false
	}
	return ownerKey.MatchString(col) || bylineKey.MatchString(col) || strings.HasSuffix(col, "_user_id")
}

// sqlOwner reads an INSERT (e, a write that selects no rows) for the
// fact the JavaScript walk reads from a new record's owner field
// (Effect.OwnerFromRequest): a user column whose value is request input.
// A row that holds the caller's identity in any column (the sender of a
// message to the user the body names) is the caller's own; inside a
// helper, a column filled from the helper's parameter waits for the call
// (Effect.ownerParam, bindSQLOwner). q is the statement, at the index of
// its argument in c.Args.
func (w *goWalker) sqlOwner(e *Effect, c *ast.CallExpr, q string, at int) {
	if at < 0 || c.Ellipsis.IsValid() || e.Kind != WritesData || e.Selects || e.OwnerScoped {
		return
	}
	cols := sqlInsertColumns(q)
	for _, n := range slices.Sorted(maps.Keys(cols)) {
		col, i := cols[n], at+n
		if i >= len(c.Args) || !goUserColumn(col) {
			continue
		}
		if w.ownerValue(e, c.Args[i], col, "") {
			return
		}
	}
}

// ownerValue settles the user column col filled by x: request input sets
// e.OwnerFromRequest, the walked function's parameter (field names the
// parameter's field x reads) sets e.ownerParam. It reports whether it
// settled anything.
func (w *goWalker) ownerValue(e *Effect, x ast.Expr, col, field string) bool {
	if w.mentionsIdentity(x) {
		return false
	}
	src := w.sourcesOf(x)
	for _, s := range src {
		if IsSelector(s) {
			e.OwnerFromRequest = col
			return true
		}
	}
	for _, s := range src {
		var i int
		if _, err := fmt.Sscanf(string(s), "param:%d", &i); err != nil {
			continue
		}
		if sel, ok := x.(*ast.SelectorExpr); ok && field == "" {
			if _, ok := sel.X.(*ast.Ident); ok {
				field = sel.Sel.Name // arg.OwnerID of a parameters struct
			}
		}
		e.ownerParam = goOwnerParam{param: i + 1, field: field, column: col}
		return true
	}
	return false
}

// bindSQLOwner resolves a helper effect's ownerParam against the caller's
// argument: a parameters struct literal gives the field's value
// (CreateShareParams{OwnerID: b.OwnerID}); request input there sets
// OwnerFromRequest, the caller's own parameter passes the question on,
// and the caller's identity in the arguments that fill the row's columns
// made it owner-scoped (bindParams) before.
func (w *goWalker) bindSQLOwner(c *ast.CallExpr, e *Effect) {
	r := e.ownerParam
	e.ownerParam = goOwnerParam{}
	if r.param == 0 || r.param > len(c.Args) || c.Ellipsis.IsValid() || e.OwnerScoped {
		return
	}
	a, field := c.Args[r.param-1], r.field
	if u, ok := a.(*ast.UnaryExpr); ok {
		a = u.X // &CreateShareParams{...}
	}
	if lit, ok := a.(*ast.CompositeLit); ok && field != "" {
		v := goLitField(lit, field)
		if v == nil {
			return
		}
		a, field = v, ""
	}
	w.ownerValue(e, a, r.column, field)
}

// goLitField returns the value a keyed struct literal gives its field
// name, or nil.
func goLitField(lit *ast.CompositeLit, name string) ast.Expr {
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
			return kv.Value
		}
	}
	return nil
}

// sqlRow splits the parenthesised row that starts s into its values,
// commas inside a value's own parentheses (lower(?, 'x')) included in it;
// ok is false when s starts no complete row.
func sqlRow(s string) (vals []string, ok bool) {
	if !strings.HasPrefix(s, "(") {
		return nil, false
	}
	depth, start := 0, 1
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return append(vals, s[start:i]), true
			}
		case ',':
			if depth == 1 {
				vals = append(vals, s[start:i])
				start = i + 1
			}
		}
	}
	return nil, false
}

// sqlWhereRef matches a positional placeholder: $N, or ?.
var sqlWhereRef = regexp.MustCompile(`\$[0-9]+|\?`)

// sqlFilterOrdinals returns the ordinals of the placeholders of an UPDATE
// or DELETE that follow its WHERE ($N is N, the k-th ? is k): the values
// that pick the rows, not those a SET writes. ok is false for another
// statement or one without a WHERE.
func sqlFilterOrdinals(q string) (map[int]bool, bool) {
	q = strings.ToLower(blankSQLStrings(q))
	st := sqlStatementOf(q)
	if st.kind != WritesData || !st.selects {
		return nil, false
	}
	i := strings.Index(q, " where ")
	if i < 0 {
		i = strings.Index(q, "\nwhere ")
	}
	if i < 0 {
		return nil, false
	}
	out := map[int]bool{}
	qmarks := strings.Count(q[:i], "?")
	for _, ph := range sqlWhereRef.FindAllString(q[i:], -1) {
		if ph == "?" {
			qmarks++
			out[qmarks] = true
			continue
		}
		if n, err := strconv.Atoi(ph[1:]); err == nil {
			out[n] = true
		}
	}
	return out, true
}
