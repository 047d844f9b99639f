package model

import (
	"fmt"
	"go/ast"

	"github.com/clerkguard/clerkguard/rules/knowledge"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sqlPlaceholderRef matches a column compared with a positional
// placeholder in a SQL statement: `m.chat_id = $4` (PostgreSQL, pgx,
// lib/pq) or `chat_id = ?` (MySQL, SQLite, sqlx's default bindvar).
var sqlPlaceholderRef = regexp.MustCompile(`(?i)([a-z_][a-z0-9_.]*)\s*=\s*(\$[0-9]+|\?)`)

// sqlPlaceholderColumns maps each placeholder of a SQL statement that a
// column is compared with to that column (lower case, without its table
// alias), keyed by the placeholder's ordinal: $N is N, the k-th ? is k.
func sqlPlaceholderColumns(q string) map[int]string {
	q = blankSQLStrings(q)
	out := map[int]string{}
	qmarks := 0
	last := 0
	for _, m := range sqlPlaceholderRef.FindAllStringSubmatchIndex(q, -1) {
		col, ph := strings.ToLower(q[m[2]:m[3]]), q[m[4]:m[5]]
		if i := strings.LastIndexByte(col, '.'); i >= 0 {
			col = col[i+1:]
		}
		if ph == "?" {
			qmarks += strings.Count(q[last:m[4]], "?") + 1
			last = m[5]
			out[qmarks] = col
			continue
		}
		if n, err := strconv.Atoi(ph[1:]); err == nil && n > 0 {
			out[n] = col
		}
	}
	return out
}

// blankSQLStrings replaces the characters of a statement's quoted
// string literals by spaces, so a '?' inside one is no placeholder.
func blankSQLStrings(q string) string {
	b := []byte(q)
	in := false
	for i, c := range b {
		switch {
		case c == '\'':
			in = !in
		case in:
			b[i] = ' '
		}
	}
	return string(b)
}

// goParamRef is a SQL filter column that refers to another record by a
// helper's parameter (param is 1-based; 0 when there is none).
type goParamRef struct {
	param  int
	column string
}

// sqlReference reads the filter of a Go SQL call for the facts the
// JavaScript walk reads from a filter object's keys: a column that holds
// a shared secret (knowledge.CapabilityKey: `WHERE invite_code = $1`)
// compared with request input means the request presents the secret the
// record's owner handed out (Authz owner), and otherwise a column that
// refers to another record by an id the request chooses (`WHERE chat_id
// = $1` with a path parameter) is the Effect.Reference. Owner and tenant
// columns are neither. Inside a helper, a column compared with the
// helper's parameter waits for the call (Effect.refParam,
// bindSQLReference). q is the statement, at the index of its argument in
// c.Args.
func (w *goWalker) sqlReference(e *Effect, c *ast.CallExpr, q string, at int) {
	if at < 0 || c.Ellipsis.IsValid() {
		return // args... : which value a placeholder takes is not told
	}
	cols := sqlPlaceholderColumns(q)
	var found []goParamRef
	for _, n := range slices.Sorted(maps.Keys(cols)) {
		col, i := cols[n], at+n
		if i >= len(c.Args) || ownerKey.MatchString(col) || !refKey.MatchString(col) && !knowledge.CapabilityKey(col) {
			continue
		}
		if p, ok := w.refSource(c.Args[i]); ok {
			found = append(found, goParamRef{param: p, column: col})
		}
	}
	// A secret in the filter decides first: the row is the one it names.
	for i, r := range found {
		if i == 0 || knowledge.CapabilityKey(r.column) {
			e.refParam = r
			if knowledge.CapabilityKey(r.column) {
				break
			}
		}
	}
	if len(found) > 0 {
		resolveSQLRef(e, e.refParam.param)
	}
}

// resolveSQLRef settles e.refParam once its value is known to be request
// input (p is 0) or passes it on to the caller's parameter p (1-based).
func resolveSQLRef(e *Effect, p int) {
	r := e.refParam
	if p > 0 {
		e.refParam.param = p
		return
	}
	e.refParam = goParamRef{}
	if knowledge.CapabilityKey(r.column) {
		e.Authz |= AuthzOwner // the request presents the secret the record's owner handed out
		return
	}
	if e.Reference == "" {
		e.Reference = r.column
	}
}

// refSource reports whether x is request input that picks records (p is
// 0) or a parameter of the function walked (p is its 1-based index).
func (w *goWalker) refSource(x ast.Expr) (p int, ok bool) {
	for _, s := range w.sourcesOf(x) {
		if IsSelector(s) {
			return 0, true
		}
	}
	for _, s := range w.sourcesOf(x) {
		var i int
		if _, err := fmt.Sscanf(string(s), "param:%d", &i); err == nil {
			return i + 1, true
		}
	}
	return 0, false
}

// bindSQLReference resolves a helper effect's refParam against the
// caller's argument: request input settles it (resolveSQLRef), the
// caller's own parameter passes the question on, anything else drops it.
func (w *goWalker) bindSQLReference(c *ast.CallExpr, e *Effect) {
	r := e.refParam
	if r.param == 0 {
		return
	}
	if r.param > len(c.Args) || c.Ellipsis.IsValid() {
		e.refParam = goParamRef{}
		return
	}
	p, ok := w.refSource(c.Args[r.param-1])
	if !ok {
		e.refParam = goParamRef{}
		return
	}
	resolveSQLRef(e, p)
}
