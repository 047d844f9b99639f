package model

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// maxSchemaDirs bounds how many parent directories of a Convex function
// file are searched for the deployment's schema.
const maxSchemaDirs = 4

// maxTableSteps bounds the chained steps of a table definition
// (defineTable(fields).index(...).searchIndex(...)) that are followed.
const maxTableSteps = 64

// contactTable reports whether the app's schema for a table declares a
// field holding contact data or a credential (privateField: email, phone,
// push token): the Convex schema (`schema.ts` next to, or above, the
// function file: defineSchema({ users: defineTable({ email: v.string() }) })).
// A schema that cannot be read or does not name the table answers false.
func (m *Model) contactTable(ctx context.Context, file, table string) bool {
	return slices.ContainsFunc(m.convexTableFields(ctx, file, table), privateField)
}

// personalTable reports whether the app's schema for a table declares
// both a field naming the one user a record belongs to (an owner key
// that is not an organization's: userId, ownerId, createdBy) and a field
// holding contact data or a credential (privateField): a profile of that
// person. A schema that cannot be read or does not name the table
// answers false.
func (m *Model) personalTable(ctx context.Context, file, table string) bool {
	fields := m.convexTableFields(ctx, file, table)
	return slices.ContainsFunc(fields, privateField) &&
		slices.ContainsFunc(fields, func(f string) bool { return ownerKey.MatchString(f) && !orgish(f) && !tenantish(f) })
}

// tenantish reports an owner key naming a group rather than a person
// (tenantId, teamId, workspaceId).
func tenantish(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "tenant") || strings.HasPrefix(l, "team") || strings.HasPrefix(l, "workspace") || strings.HasPrefix(l, "organization")
}

// convexTableFields returns the fields the Convex schema nearest to file
// declares for table, nil when unknown.
func (m *Model) convexTableFields(ctx context.Context, file, table string) []string {
	f, tables := m.convexSchema(ctx, file)
	if def := defineTableArg(f, schemaTable(f, tables, table, 0)); def != nil {
		return m.schemaFields(ctx, f, def, 0)
	}
	return nil
}

// convexFieldTable names the table whose document ids a field holds, as
// the Convex schema nearest to file declares it (`authorId:
// v.id('users')`) in every table that has the field: a handler's
// ctx.db.get(article.authorId) reads the users table. It answers "" when
// the schema cannot be read, declares the field nowhere as an id, or
// gives it different tables.
func (m *Model) convexFieldTable(ctx context.Context, file, field string) string {
	f, tables := m.convexSchema(ctx, file)
	if tables == nil {
		return ""
	}
	out := ""
	for _, name := range f.ObjectKeys(tables) {
		fields := jsast.Unwrap(defineTableArg(f, schemaTable(f, tables, name, 0)))
		if fields != nil && fields.Type == "identifier" {
			fields = jsast.Unwrap(f.LocalValue(f.Text(fields)))
		}
		if fields == nil || fields.Type != "object" {
			continue
		}
		val := jsast.Unwrap(f.ObjectProp(fields, field))
		if val == nil {
			continue
		}
		t := convexValidatorTable(f, val)
		if t == "" || out != "" && out != t {
			return ""
		}
		out = t
	}
	return out
}

// convexSchema returns the Convex schema file nearest to file (`schema.ts`
// next to, or above, it) and the object of tables its `defineSchema(...)`
// call declares, or nil when none can be read.
func (m *Model) convexSchema(ctx context.Context, file string) (*jsast.File, *jsast.Node) {
	dir := path.Dir(file)
	for i := 0; i < maxSchemaDirs; i++ {
		for _, name := range []string{"schema.ts", "schema.js"} {
			f, err := m.parse(ctx, path.Join(dir, name))
			if err != nil {
				continue // no schema here: look further up
			}
			for _, c := range jsast.Find(f.Root, "call_expression") {
				if jsast.LastSegment(f.CalleeName(c)) != "defineSchema" {
					continue
				}
				if args := jsast.Args(c); len(args) > 0 {
					return f, jsast.Unwrap(args[0])
				}
			}
			return f, nil
		}
		if dir == "." || dir == "/" {
			break
		}
		dir = path.Dir(dir)
	}
	return nil, nil
}

// defineTableArg returns the fields argument of a table definition
// (`defineTable(fields).index(...).searchIndex(...)`), or nil.
func defineTableArg(f *jsast.File, def *jsast.Node) *jsast.Node {
	for i := 0; i < maxTableSteps && def != nil && def.Type == "call_expression"; i++ {
		callee := jsast.Unwrap(def.ChildByField("function"))
		if callee == nil {
			return nil
		}
		if callee.Type != "member_expression" {
			if jsast.LastSegment(f.Text(callee)) != "defineTable" {
				return nil
			}
			if a := jsast.Args(def); len(a) > 0 {
				return a[0]
			}
			return nil
		}
		def = jsast.Unwrap(callee.ChildByField("object"))
	}
	return nil
}

// schemaTable returns the definition of table in a defineSchema object,
// also when the object spreads a local object of tables
// (defineSchema({ ...appTables, ...authTables })), or nil.
func schemaTable(f *jsast.File, obj *jsast.Node, table string, depth int) *jsast.Node {
	if obj == nil || obj.Type != "object" || depth > 3 {
		return nil
	}
	if def := jsast.Unwrap(f.ObjectProp(obj, table)); def != nil {
		return def
	}
	for _, c := range obj.NamedChildren() {
		if c.Type != "spread_element" || len(c.NamedChildren()) == 0 {
			continue
		}
		if id := jsast.Unwrap(c.NamedChildren()[0]); id != nil && id.Type == "identifier" {
			if def := schemaTable(f, jsast.Unwrap(f.LocalValue(f.Text(id))), table, depth+1); def != nil {
				return def
			}
		}
	}
	return nil
}

// countsChain reports whether a later step of a query chain starting at
// call returns a number, not records (ctx.db.query('users').count()).
func countsChain(f *jsast.File, call *jsast.Node) bool {
	for n := call; n.Parent != nil && n.Parent.Type == "member_expression" && n.Field == "object"; {
		if countOnly(f.Text(n.Parent.ChildByField("property"))) {
			return true
		}
		if n = n.Parent; n.Parent == nil || n.Parent.Type != "call_expression" || n.Field != "function" {
			return false
		}
		n = n.Parent
	}
	return false
}
