package model

import (
	"bytes"
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// hiddenRecords returns the records (Effect.Record) whose schema declares
// a publish flag that is false for new rows, with the flag's name: a
// Prisma model's `published Boolean @default(false)`, or a Drizzle
// table's `published: boolean('published').default(false)` (by the
// variable the table is bound to, as queries name it). The application
// itself says such rows are not for everyone until it sets the flag. A
// schema file that cannot be read adds nothing. Read once per snapshot.
func (m *Model) hiddenRecords(ctx context.Context) map[string]string {
	out, _ := m.hidden.get(func() (map[string]string, error) {
		out := map[string]string{}
		m.prismaHidden(ctx, out)
		for _, p := range m.fs.Paths() {
			if ctx.Err() != nil {
				break
			}
			if modules.IsModule(p) && schemaPath(p) {
				m.drizzleHidden(ctx, p, out)
			}
		}
		return out, nil
	})
	return out
}

// schemaPath reports whether a module's path is where Drizzle schemas are
// kept by convention (schema.ts, schema/*.ts, db/*.ts).
func schemaPath(p string) bool {
	l := strings.ToLower("/" + p)
	return !strings.Contains(l, "/node_modules/") && (strings.Contains(l, "schema") || strings.Contains(l, "/db/"))
}

// hiddenFlag reports whether a field is a publish flag (publishFlags,
// but not an account's `active`).
func hiddenFlag(field string) bool {
	l := strings.ToLower(field)
	return publishFlags[l] && l != "active" && l != "isactive"
}

// prismaHidden reads `published Boolean @default(false)`.
func (m *Model) prismaHidden(ctx context.Context, out map[string]string) {
	m.prismaFields(ctx, func(model string, f []string, line string) {
		if len(f) >= 3 && f[1] == "Boolean" && hiddenFlag(f[0]) && strings.Contains(line, "@default(false)") {
			out[model] = f[0]
		}
	})
}

// drizzleHidden reads `export const posts = pgTable('posts', { published:
// boolean('published').default(false) })` (mysqlTable, sqliteTable too).
func (m *Model) drizzleHidden(ctx context.Context, p string, out map[string]string) {
	sf, err := m.fs.Get(ctx, p)
	if err != nil || !bytes.Contains(sf.Content, []byte("drizzle-orm")) || !bytes.Contains(sf.Content, []byte(".default(false)")) {
		return
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		m.notes.add(Note{Where: p, What: err.Error()})
		return
	}
	for _, d := range jsast.Find(f.Root, "variable_declarator") {
		v := jsast.Unwrap(d.ChildByField("value"))
		if v == nil || v.Type != "call_expression" {
			continue
		}
		switch jsast.LastSegment(f.CalleeName(v)) {
		case "pgTable", "mysqlTable", "sqliteTable":
		default:
			continue
		}
		args := jsast.Args(v)
		if len(args) < 2 || jsast.Unwrap(args[1]) == nil || jsast.Unwrap(args[1]).Type != "object" {
			continue
		}
		for _, pr := range pairs(jsast.Unwrap(args[1])) {
			if k := propKey(f, pr); hiddenFlag(k) && strings.Contains(f.Text(propValue(pr)), ".default(false)") {
				out[f.Text(d.ChildByField("name"))] = k
			}
		}
	}
}

// recordShared reports whether n reads a loaded record's own publish flag
// (chat.isPublic, post.published: hiddenFlag), negated when shared is
// false (!chat.isPublic). A record its owner published is served to
// everyone by design, so a test that lets the caller past an owner
// comparison only for such a record admits no signed-out caller to the
// others.
func (a *analyzer) recordShared(n *jsast.Node, shared bool) bool {
	n = jsast.Unwrap(n)
	if n != nil && !shared {
		if n.Type != "unary_expression" || a.f.Text(n.ChildByField("operator")) != "!" {
			return false
		}
		n = jsast.Unwrap(n.ChildByField("argument"))
	}
	if n == nil || n.Type != "member_expression" || !hiddenFlag(a.f.Text(n.ChildByField("property"))) {
		return false
	}
	// A row read from a data store (ctx.db.query(...).first() keeps the
	// kind of the client it was read with).
	k := a.classify(n.ChildByField("object")).kind
	return k == vRow || k == vClient
}
