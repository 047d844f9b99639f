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
// contact data or a credential (privateField), and each model's relation
// fields with the model they point to.
type prismaSchema struct {
	contact   map[string]bool
	relations map[string]map[string]string
}

// prismaContactSchema reads the Prisma schema once per snapshot
// (knowledge.PrismaSchemaForms). A schema that cannot be read adds
// nothing.
func (m *Model) prismaContactSchema(ctx context.Context) prismaSchema {
	out, _ := m.prismaContact.get(func() (prismaSchema, error) {
		s := prismaSchema{contact: map[string]bool{}, relations: map[string]map[string]string{}}
		models := map[string]bool{}
		m.prismaFields(ctx, func(model string, _ []string, _ string) { models[model] = true })
		m.prismaFields(ctx, func(model string, f []string, _ string) {
			if len(f) < 2 || strings.HasPrefix(f[0], "@@") || strings.HasPrefix(f[0], "//") {
				return
			}
			t := strings.TrimRight(f[1], "?[]")
			if t != "" {
				t = strings.ToLower(t[:1]) + t[1:]
			}
			switch {
			case models[t]:
				if s.relations[model] == nil {
					s.relations[model] = map[string]string{}
				}
				s.relations[model][f[0]] = t
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

// relationContact returns the model holding contact data whose rows a
// Prisma read of record (db.certificate.findUnique(args)) returns through
// a relation it includes or selects (`include: { user: true }`, `select:
// { author: { select: { email: true } } }`), followed through nested
// includes; "" when every included relation is narrowed to fields without
// contact data, or the schema does not say.
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
	return a.includedContact(s, jsast.Unwrap(args[0]), record, 0)
}

// includedContact walks the include and select objects of a query's
// arguments obj on model.
func (a *analyzer) includedContact(s prismaSchema, obj *jsast.Node, model string, depth int) string {
	if obj == nil || obj.Type != "object" || depth > maxIncludeDepth {
		return ""
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
			target := s.relations[model][strings.Trim(a.f.Text(c.ChildByField("key")), `"'`)]
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
					return target // the related row, whole
				}
			case v.Type == "object":
				if t := a.includedContact(s, v, target, depth+1); t != "" {
					return t
				}
				if s.contact[target] && a.wholeRelation(v) {
					return target
				}
			}
		}
	}
	return ""
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
