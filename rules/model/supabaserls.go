package model

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// rowSecurity is what the project's committed SQL says about the row
// security of each table of the schema the data API serves: whether it
// is enabled and the permissive policies on it.
type rowSecurity struct {
	dialect knowledge.RowSecurityDialect
	enabled map[string]bool
	// policies by table; a table whose statements could not be read is
	// in unknown.
	policies map[string][]rlsPolicy
	unknown  map[string]bool
}

// rlsPolicy is one permissive CREATE POLICY.
type rlsPolicy struct {
	ops   []string // select, insert, update, delete, all
	roles []string // the TO clause ("" = public: every role)
	conds []string // USING and WITH CHECK expressions
}

// AnonDenied reports whether the committed row security of table keeps
// a request that carries no user token (the anonymous role holding the
// public key) from every row for an access with effect fx: row security
// is enabled on the table and every permissive policy that applies to
// the access is granted only to signed-in roles or has conditions that
// read the caller's token. It is false when the SQL does not say (no SQL,
// a table it never enables, a policy it cannot read): the query is then
// taken as reaching rows.
func (m *Model) AnonDenied(ctx context.Context, table string, fx knowledge.Effect) bool {
	rs, err := m.rls.get(func() (*rowSecurity, error) { return m.readRowSecurity(ctx) })
	if err != nil || rs == nil {
		return false
	}
	t := strings.ToLower(table)
	if !rs.enabled[t] || rs.unknown[t] {
		return false
	}
	for _, p := range rs.policies[t] {
		if !p.applies(fx) {
			continue
		}
		if p.signedInOnly(rs.dialect) {
			continue
		}
		if len(p.conds) == 0 {
			return false
		}
		for _, c := range p.conds {
			if !rs.dialect.ReadsIdentity(c) {
				return false
			}
		}
	}
	return true
}

func (p rlsPolicy) applies(fx knowledge.Effect) bool {
	for _, op := range p.ops {
		switch {
		case op == "all":
			return true
		case op == "select" && fx&knowledge.Read != 0:
			return true
		case op != "select" && fx&knowledge.Write != 0:
			return true
		}
	}
	return false
}

func (p rlsPolicy) signedInOnly(d knowledge.RowSecurityDialect) bool {
	if len(p.roles) == 0 {
		return false
	}
	for _, r := range p.roles {
		if !slices.Contains(d.SignedInRoles, r) {
			return false
		}
	}
	return true
}

var (
	rlsToggle     = regexp.MustCompile(`^alter table (?:if exists )?(?:only )?([\w."]+) (enable|disable) row level security`)
	rlsPolicyHead = regexp.MustCompile(`^create policy (?:"[^"]*"|[\w]+) on ([\w."]+)(.*)$`)
	rlsFor        = regexp.MustCompile(`^ for (all|select|insert|update|delete)\b`)
	rlsTo         = regexp.MustCompile(`^ to ([\w" ,]+?)(?: using| with check|$)`)
	rlsAs         = regexp.MustCompile(`^ as (permissive|restrictive)\b`)
)

// readRowSecurity reads every SQL file of the snapshot in path order
// (migrations are named to sort in the order they apply).
func (m *Model) readRowSecurity(ctx context.Context) (*rowSecurity, error) {
	var rs *rowSecurity
	paths := slices.Clone(m.fs.Paths())
	slices.Sort(paths)
	for _, p := range paths {
		d, ok := knowledge.RowSecurityDialectOf(p)
		if !ok || strings.Contains(p, "node_modules/") {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, nil // an unreadable migration: the SQL does not say
		}
		if rs == nil {
			rs = &rowSecurity{dialect: d, enabled: map[string]bool{}, policies: map[string][]rlsPolicy{}, unknown: map[string]bool{}}
		}
		for _, st := range sqlStatements(string(sf.Content)) {
			rs.add(st)
		}
	}
	return rs, nil
}

// add records one statement (lower case, whitespace collapsed).
func (rs *rowSecurity) add(st string) {
	if mm := rlsToggle.FindStringSubmatch(st); mm != nil {
		if t, ok := rs.table(mm[1]); ok {
			rs.enabled[t] = mm[2] == "enable"
		}
		return
	}
	mm := rlsPolicyHead.FindStringSubmatch(st)
	if mm == nil {
		return
	}
	t, ok := rs.table(mm[1])
	if !ok {
		return
	}
	p, permissive, ok := parsePolicyTail(mm[2])
	if !ok {
		rs.unknown[t] = true
		return
	}
	if permissive {
		rs.policies[t] = append(rs.policies[t], p)
	}
}

// table returns the table name of a (possibly schema-qualified, quoted)
// reference when it is in the schema the data API serves.
func (rs *rowSecurity) table(ref string) (string, bool) {
	ref = strings.ReplaceAll(ref, `"`, "")
	if i := strings.LastIndex(ref, "."); i >= 0 {
		if ref[:i] != rs.dialect.Schema {
			return "", false
		}
		ref = ref[i+1:]
	}
	return ref, ref != ""
}

// parsePolicyTail reads the clauses after ON table: AS, FOR, TO, USING,
// WITH CHECK.
func parsePolicyTail(s string) (rlsPolicy, bool, bool) {
	p := rlsPolicy{ops: []string{"all"}}
	permissive := true
	if mm := rlsAs.FindStringSubmatch(s); mm != nil {
		permissive = mm[1] == "permissive"
		s = s[len(mm[0]):]
	}
	if mm := rlsFor.FindStringSubmatch(s); mm != nil {
		p.ops = []string{mm[1]}
		s = s[len(mm[0]):]
	}
	if mm := rlsTo.FindStringSubmatch(s); mm != nil {
		for _, r := range strings.Split(mm[1], ",") {
			r = strings.Trim(strings.TrimSpace(r), `"`)
			if r == "public" {
				p.roles = nil
				break
			}
			p.roles = append(p.roles, r)
		}
		s = s[len(" to ")+len(mm[1]):]
	}
	for s != "" {
		var kw string
		switch {
		case strings.HasPrefix(s, " using "):
			kw = " using "
		case strings.HasPrefix(s, " with check "):
			kw = " with check "
		default:
			return p, permissive, false
		}
		s = s[len(kw):]
		cond, rest, ok := parenthesized(s)
		if !ok {
			return p, permissive, false
		}
		p.conds = append(p.conds, cond)
		s = rest
	}
	return p, permissive, true
}

// parenthesized splits "(a (b)) rest" into "a (b)" and " rest".
func parenthesized(s string) (string, string, bool) {
	if !strings.HasPrefix(s, "(") {
		return "", "", false
	}
	depth, quoted := 0, false
	for i, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth == 0 {
				return s[1:i], s[i+1:], true
			}
		}
	}
	return "", "", false
}

// sqlStatements splits SQL text into statements, lower-cased with
// whitespace collapsed, skipping comments and not splitting inside quoted
// strings or dollar-quoted bodies.
func sqlStatements(src string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if st := strings.Join(strings.Fields(strings.ToLower(b.String())), " "); st != "" {
			out = append(out, st)
		}
		b.Reset()
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			b.WriteByte(' ')
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				i = len(src)
			} else {
				i += j + 3
			}
			b.WriteByte(' ')
		case c == '\'':
			j := strings.IndexByte(src[i+1:], '\'')
			if j < 0 {
				b.WriteString(src[i:])
				i = len(src)
			} else {
				b.WriteString(src[i : i+j+2])
				i += j + 1
			}
		case c == '$':
			tag := dollarTag(src[i:])
			if tag == "" {
				b.WriteByte(c)
				continue
			}
			j := strings.Index(src[i+len(tag):], tag)
			if j < 0 {
				i = len(src)
			} else {
				i += len(tag) + j + len(tag) - 1
			}
			b.WriteString(" $body$ ")
		case c == ';':
			flush()
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out
}

// dollarTag returns the dollar-quote opener at the start of s ("$$",
// "$fn$"), or "".
func dollarTag(s string) string {
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '$' {
			return s[:i+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 1) {
			return ""
		}
	}
	return ""
}
