package model

import (
	"context"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// maxIncludeDepth bounds how deep nested relation includes of a Prisma
// read are followed.
const maxIncludeDepth = 4

// prismaSchema is what the application's Prisma schema says about
// contact data: the models (by client name) that declare a field holding
// contact data or a credential (schemaContactField), and each model's
// relation fields.
type prismaSchema struct {
	contact   map[string]bool
	relations map[string]map[string]prismaRel
}

// prismaRel is a relation field: the model it points at and the foreign
// keys of this side (`@relation(fields: [authorId], ...)`), none on the
// side that lists the other model's rows.
type prismaRel struct {
	target string
	fks    []string
}

var relationFields = regexp.MustCompile(`fields:\s*\[([^\]]*)\]`)

// prismaContactSchema reads the Prisma schema once per snapshot
// (knowledge.PrismaSchemaForms). A schema that cannot be read adds
// nothing.
func (m *Model) prismaContactSchema(ctx context.Context) prismaSchema {
	out, _ := m.prismaContact.get(func() (prismaSchema, error) {
		s := prismaSchema{contact: map[string]bool{}, relations: map[string]map[string]prismaRel{}}
		models := map[string]bool{}
		m.prismaFields(ctx, func(model string, _ []string, _ string) { models[model] = true })
		m.prismaFields(ctx, func(model string, f []string, line string) {
			if len(f) < 2 || strings.HasPrefix(f[0], "@@") || strings.HasPrefix(f[0], "//") {
				return
			}
			t := strings.TrimRight(f[1], "?[]")
			if t != "" {
				t = strings.ToLower(t[:1]) + t[1:]
			}
			switch {
			case models[t]:
				rel := prismaRel{target: t}
				if mm := relationFields.FindStringSubmatch(line); mm != nil {
					for _, k := range strings.Split(mm[1], ",") {
						if k = strings.TrimSpace(k); k != "" {
							rel.fks = append(rel.fks, k)
						}
					}
				}
				if s.relations[model] == nil {
					s.relations[model] = map[string]prismaRel{}
				}
				s.relations[model][f[0]] = rel
			case schemaContactField(f[0]):
				s.contact[model] = true
			}
		})
		return s, nil
	})
	return out
}

// contactSuffix matches a column name (lower-cased, separators removed)
// that holds someone's contact data or a credential: email, authorEmail,
// email_address, phoneNumber, pushToken, passwordHash. Columns about
// mail rather than an address (emailTemplate, emailVerified) do not match.
var contactSuffix = regexp.MustCompile(`(email|emailaddress|emailaddresses|phone|phonenumber|mobile|token|password|passwordhash|secret)$`)

// schemaContactField reports whether a schema column holds contact data
// or a credential (contactSuffix, or a Clerk User contact field).
func schemaContactField(name string) bool {
	return knowledge.UserContactField(name) || contactSuffix.MatchString(strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name)))
}

// relationContact returns the relation (as the read names it) through
// which a Prisma read of record (db.certificate.findUnique(args)) returns
// rows of a model holding contact data: a relation it includes or selects
// whole (`include: { user: true }`) or with a contact field (`select:
// { author: { select: { email: true } } }`), followed through nested
// includes, whose rows reach the result (relationLeaves). "" when every
// included relation is narrowed to fields without contact data, when the
// relation is the caller's own user record (its foreign key is the one the
// filter compares with the caller's identity: where: { userId }, include:
// { user: true }; or the filter matches the relation itself by the
// identity: where: { user: { clerkId: userId } }), or when the schema does
// not say.
func (a *analyzer) relationContact(call *jsast.Node, record string) string {
	if record == "" {
		return ""
	}
	s := a.m.prismaContactSchema(a.ctx)
	if len(s.contact) == 0 {
		return ""
	}
	args := jsast.Args(call)
	if len(args) == 0 {
		return ""
	}
	target, key := a.includedContact(s, jsast.Unwrap(args[0]), record, 0)
	if target == "" || !a.relationLeaves(call, key) {
		return ""
	}
	if a.policyChecked(call) || a.filterNarrowedByRole(call, args[0]) {
		return ""
	}
	where := a.f.ObjectProp(args[0], "where")
	if len(identityOnly(a.identityProps(a.f.ObjectProp(where, key)))) > 0 {
		return "" // where: { author: { clerkId: userId } }: the caller's own user
	}
	own := identityOnly(a.identityProps(where))
	for _, fk := range s.relations[record][key].fks {
		if _, mine := own[fk]; mine {
			return ""
		}
	}
	return key
}

// relationLeaves reports whether the rows of relation key of a read may
// reach the result whole: the read is not bound to a variable, or the
// variable is used whole (returned, passed, spread: `{ certificate }`) or
// its relation is (`certificate.user` passed on). A variable used only
// for public fields (certificate.user.name into a PDF) sends no contact
// data; a method called on it (rows.map(...)) may pass the rows on.
func (a *analyzer) relationLeaves(call *jsast.Node, key string) bool {
	name, fn := boundResult(call)
	if name == nil {
		return true
	}
	v, whole := a.f.Text(name), false
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		switch {
		case whole:
		case x.Type == "shorthand_property_identifier" && a.f.Text(x) == v:
			whole = true
		case x.Type == "identifier" && x != name && a.f.Text(x) == v:
			p := x.Parent
			for p != nil && p.Type == "non_null_expression" {
				p = p.Parent
			}
			if p == nil || p.Type != "member_expression" {
				whole = p == nil || p.Type != "unary_expression" && p.Type != "if_statement" && p.Type != "binary_expression"
				break
			}
			// v.map(...) passes the rows on; v.user alone is the
			// relation's rows, v.user.email its contact field, v.user.name
			// one public field.
			if p.Parent != nil && p.Parent.Type == "call_expression" && p.Field == "function" {
				whole = true
				break
			}
			if a.f.Text(p.ChildByField("property")) == key {
				q := p.Parent
				whole = q == nil || q.Type != "member_expression" || p.Field != "object" || schemaContactField(a.f.Text(q.ChildByField("property")))
			}
		}
		return !whole
	})
	return whole
}

// includedContact walks the include and select objects of a query's
// arguments obj on model.
func (a *analyzer) includedContact(s prismaSchema, obj *jsast.Node, model string, depth int) (target, key string) {
	if obj == nil || obj.Type != "object" || depth > maxIncludeDepth {
		return "", ""
	}
	brings, _ := knowledge.RelationArgs("prisma")
	for _, key := range brings {
		sel := jsast.Unwrap(a.f.ObjectProp(obj, key))
		if sel == nil || sel.Type != "object" {
			continue
		}
		for _, c := range sel.NamedChildren() {
			if c.Type != "pair" {
				continue
			}
			k := strings.Trim(a.f.Text(c.ChildByField("key")), `"'`)
			target := s.relations[model][k].target
			if target == "" {
				continue // a scalar field, or _count
			}
			v := jsast.Unwrap(c.ChildByField("value"))
			if v == nil {
				continue
			}
			switch {
			case v.Type == "true":
				if s.contact[target] {
					return target, k // the related row, whole
				}
			case v.Type == "object":
				if t, _ := a.includedContact(s, v, target, depth+1); t != "" {
					return t, k
				}
				if s.contact[target] && a.wholeRelation(v) {
					return target, k
				}
			}
		}
	}
	return "", ""
}

// wholeRelation reports whether a relation's query object
// ({ where, orderBy, include }) returns its rows with every scalar field:
// it has no narrowing key (select, omit), or a `select` that names a
// contact field. A narrowing built elsewhere is not whole: precision
// first.
func (a *analyzer) wholeRelation(obj *jsast.Node) bool {
	_, narrows := knowledge.RelationArgs("prisma")
	for _, key := range narrows {
		sel := jsast.Unwrap(a.f.ObjectProp(obj, key))
		if sel == nil {
			continue
		}
		if key != "select" || sel.Type != "object" {
			return false
		}
		for _, c := range sel.NamedChildren() {
			if c.Type == "pair" && schemaContactField(strings.Trim(a.f.Text(c.ChildByField("key")), `"'`)) {
				if v := jsast.Unwrap(c.ChildByField("value")); v != nil && v.Type != "false" {
					return true
				}
			}
		}
		return false
	}
	return true
}

// boundResult returns the variable a read's result is bound to
// (const rows = await db.post.findMany(...)) and the function declaring
// it; nil when the result is not bound to a plain name.
func boundResult(call *jsast.Node) (name, fn *jsast.Node) {
	n := call
	for n.Parent != nil && (n.Parent.Type == "await_expression" || n.Parent.Type == "parenthesized_expression" ||
		n.Parent.Type == "as_expression" || n.Parent.Type == "non_null_expression") {
		n = n.Parent
	}
	decl := n.Parent
	if decl == nil || decl.Type != "variable_declarator" || n.Field != "value" {
		return nil, nil
	}
	name, fn = decl.ChildByField("name"), jsast.EnclosingFunction(decl)
	if name == nil || name.Type != "identifier" || fn == nil {
		return nil, nil
	}
	return name, fn
}

// policyChecked reports whether the rows a read binds are handed to a
// check whose failure ends the function (if (!new HackathonPolicy(h)
// .canOrganizerAccess(user)) return null; if (!canView(board, userId))
// throw ...): who sees the related rows is that policy's decision, made
// on the rows themselves, not a sign-in check alone.
func (a *analyzer) policyChecked(call *jsast.Node) bool {
	name, fn := boundResult(call)
	if name == nil {
		return false
	}
	v := a.f.Text(name)
	checked := false
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		if checked || x.Type != "if_statement" || x.Line < call.EndLine {
			return !checked
		}
		cons := x.ChildByField("consequence")
		if cons == nil || len(jsast.Find(cons, "return_statement", "throw_statement")) == 0 {
			return true
		}
		for _, c := range jsast.Find(x.ChildByField("condition"), "call_expression", "new_expression") {
			for _, arg := range jsast.Args(c) {
				if id := jsast.Unwrap(arg); id != nil && id.Type == "identifier" && a.f.Text(id) == v {
					checked = true
				}
			}
		}
		return !checked
	})
	return checked
}

// filterNarrowedByRole reports whether a read's filter is a variable the
// function narrows under a test of the caller's role (const where = {
// orgId }; if (role === 'REQUESTOR') where.requesterId = user.id): which
// role sees which rows, and their related users, is the app's role
// policy, decided before the read.
func (a *analyzer) filterNarrowedByRole(call, arg *jsast.Node) bool {
	w := jsast.Unwrap(a.f.ObjectProp(arg, "where")) // where: filter, or { where }
	if w == nil || w.Type != "identifier" && w.Type != "shorthand_property_identifier" {
		return false
	}
	fn := jsast.EnclosingFunction(call)
	if fn == nil {
		return false
	}
	name, narrowed := a.f.Text(w), false
	for _, ifs := range jsast.Find(jsast.FunctionBody(fn), "if_statement") {
		if ifs.Line > call.Line {
			continue
		}
		role := false
		for _, id := range jsast.Find(ifs.ChildByField("condition"), "identifier", "property_identifier") {
			role = role || roleish(a.f.Text(id))
		}
		if !role {
			continue
		}
		for _, as := range jsast.Find(ifs.ChildByField("consequence"), "assignment_expression") {
			left := as.ChildByField("left")
			if left != nil && left.Type == "member_expression" && a.f.Text(left.ChildByField("object")) == name {
				narrowed = true
			}
		}
	}
	return narrowed
}
