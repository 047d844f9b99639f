package model

import (
	"context"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// prismaSchema is what the snapshot's Prisma schemas say about relations:
// for each model (by its client name) the relation fields, and the models
// whose fields hold contact data or a credential (privateField).
type prismaSchema struct {
	rels    map[string]map[string]prismaRel
	contact map[string]bool
}

// prismaRel is a relation field: the model it points at and the foreign
// keys of this side (`@relation(fields: [authorId], ...)`), none on the
// side that lists the other model's rows.
type prismaRel struct {
	target string
	fks    []string
}

var relationFields = regexp.MustCompile(`fields:\s*\[([^\]]*)\]`)

// prismaRelations reads the snapshot's Prisma schemas once.
func (m *Model) prismaRelations(ctx context.Context) prismaSchema {
	out, _ := m.prismaRels.get(func() (prismaSchema, error) {
		models := map[string]bool{}
		m.prismaFields(ctx, func(model string, _ []string, _ string) { models[model] = true })
		ps := prismaSchema{rels: map[string]map[string]prismaRel{}, contact: map[string]bool{}}
		m.prismaFields(ctx, func(model string, f []string, line string) {
			if len(f) < 2 || strings.HasPrefix(f[0], "@@") || strings.HasPrefix(f[0], "//") {
				return
			}
			typ := strings.TrimRight(f[1], "?[]")
			if typ == "" {
				return
			}
			target := strings.ToLower(typ[:1]) + typ[1:]
			if !models[target] {
				if privateField(f[0]) {
					ps.contact[model] = true
				}
				return
			}
			rel := prismaRel{target: target}
			if mm := relationFields.FindStringSubmatch(line); mm != nil {
				for _, k := range strings.Split(mm[1], ",") {
					if k = strings.TrimSpace(k); k != "" {
						rel.fks = append(rel.fks, k)
					}
				}
			}
			if ps.rels[model] == nil {
				ps.rels[model] = map[string]prismaRel{}
			}
			ps.rels[model][f[0]] = rel
		})
		return ps, nil
	})
	return out
}

// includedContact returns the relation a Prisma read of the caller's own
// rows (its filter compares a key with the caller's identity) includes
// whole (`include: { creator: true }`, or an include object without a
// `select`) whose model holds contact data, unless that relation's foreign
// key is the one compared with the identity (the caller's own user
// record). "" when there is none or the schema says nothing.
func (a *analyzer) includedContact(call *jsast.Node, record string) string {
	args := jsast.Args(call)
	if record == "" || len(args) == 0 {
		return ""
	}
	inc := jsast.Unwrap(a.f.ObjectProp(args[0], "include"))
	if inc == nil || inc.Type != "object" {
		return ""
	}
	ps := a.m.prismaRelations(a.ctx)
	rels := ps.rels[record]
	if rels == nil {
		return ""
	}
	own := identityOnly(a.identityProps(a.f.ObjectProp(args[0], "where")))
	if len(own) == 0 {
		// Rows not selected as the caller's own (a public listing, a
		// team's records): whose contact data a member may see is the
		// route and role rules' question, not this one.
		return ""
	}
	for _, k := range a.f.ObjectKeys(inc) {
		rel, ok := rels[k]
		if !ok || !ps.contact[rel.target] || !wholeInclude(a.f, a.f.ObjectProp(inc, k)) {
			continue
		}
		mine := false
		for _, fk := range rel.fks {
			_, is := own[fk]
			mine = mine || is
		}
		if !mine {
			return k
		}
	}
	return ""
}

// wholeInclude reports an include value that returns the related rows
// with every field: `true`, or an object with no `select`.
func wholeInclude(f *jsast.File, v *jsast.Node) bool {
	v = jsast.Unwrap(v)
	switch {
	case v == nil:
		return false
	case v.Type == "true":
		return true
	case v.Type == "object":
		return f.ObjectProp(v, "select") == nil
	}
	return false
}
