package rbac

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// RBAC004 flags queries scoped by a tenant or owner id taken from the
// request while the caller's own id is at hand, and optional-chained
// identities that drop the filter when the caller is signed out.
var RBAC004 = &rules.Rule{
	ID:         "CLK-RBAC-004",
	Name:       "idor-request-scoped-query",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{"where", "organizationId", ".find", ".create(", ".save(", "insertOne(", ".values("},
	Doc: rules.Doc{
		Title: "query or new record scoped by an organization or user id from the request",
		Text: "A handler that calls `auth()` knows who the caller is and which organization is active. When its " +
			"database or Clerk query is scoped by an `orgId`/`userId`/`ownerId` taken from `params`, `searchParams`, " +
			"the body or form data instead, and nothing compares that id with the caller's, any signed-in user can " +
			"read or change another tenant's records by editing the URL (IDOR). The same holds for a record created with an " +
			"owner field from the request (`db.note.create({ data: { ownerId: body.ownerId } })`, " +
			"`new Weight({ userId: formData.get('userId') })`): any caller can write in another user's name. A related mistake: an optional-chained " +
			"identity such as `user?.id` in a Prisma `where` becomes `undefined` for a signed-out caller, and Prisma " +
			"treats `undefined` as \"no filter\", so every row matches.",
		Bad: `const { userId } = await auth.protect()
const orgId = req.nextUrl.searchParams.get('orgId')
return db.invoice.findMany({ where: { orgId } })

const user = await currentUser()
return prisma.doc.findMany({ where: { ownerId: user?.id } })`,
		Good: `const { orgId } = await auth.protect()
return db.invoice.findMany({ where: { orgId } })

const { userId } = await auth.protect()
return prisma.doc.findMany({ where: { ownerId: userId } })`,
	},
	Fix: rules.ConstFix("Scope queries with `orgId`/`userId` from `auth()`, never from the request. If the target organization must come " +
		"from the URL, verify the caller belongs to it first (make it the Active Organization with `organizationSyncOptions` and " +
		"check `has({ permission })`, or look up the membership with `organizations.getOrganizationMembershipList`). Make sure " +
		"the identity is non-null (`await auth.protect()`) before it reaches a `where`."),
	Run: runRBAC004,
}

// tenantKey matches fields that scope a record to a tenant or an owner.
var tenantKey = regexp.MustCompile(`(?i)^(org|organization|tenant|team|workspace|user|owner|author|account|creator|member|customer)_?id$|^created_?by(_?id)?$`)

// dbMethods are ORM methods whose first argument is a filter.
var dbMethods = map[string]bool{"findMany": true, "findFirst": true, "findUnique": true, "findFirstOrThrow": true,
	"findUniqueOrThrow": true, "update": true, "updateMany": true, "delete": true, "deleteMany": true, "upsert": true,
	"count": true, "aggregate": true, "groupBy": true, "find": true, "findOne": true, "findOneAndUpdate": true,
	"findOneAndDelete": true, "countDocuments": true, "findBy": true, "findOneBy": true, "findAll": true, "destroy": true}

// mongooseFilter are methods taking the filter itself as first argument.
var mongooseFilter = map[string]bool{"find": true, "findOne": true, "findOneAndUpdate": true, "findOneAndDelete": true,
	"countDocuments": true, "updateMany": true, "deleteMany": true, "updateOne": true, "deleteOne": true, "findBy": true, "findOneBy": true}

// filterField is one field of a query filter.
type filterField struct {
	call  *jsast.Node // the query call
	key   string
	value *jsast.Node
	where *jsast.Node // the filter object or where() argument
	write bool        // a field of a created record, not of a filter
}

// createMethods take the new record (Prisma: its `data`) as first argument.
var createMethods = map[string]bool{"create": true, "createMany": true, "insertOne": true, "insertMany": true, "values": true}

func runRBAC004(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	entries := f.Entries()
	for _, ff := range filterFields(f) {
		fn := jsast.EnclosingFunction(ff.call)
		if fn == nil {
			continue
		}
		id := identityIn(f, fn)
		var ep *jsast.Entry
		if e, ok := jsast.EntryOf(entries, ff.call); ok {
			ep = &e
		}
		callee := f.CalleeName(ff.call)
		if m := optionalIdentity(f, id, ff.value); m != "" && !ff.write {
			if !nullChecked(f, fn, ff.call, strings.Split(m, ".")[0]) {
				pass.Report(rules.Diagnostic{Line: ff.value.Line, Column: ff.value.Col,
					Message: fmt.Sprintf("%s filters %s by %s, which is undefined for a signed-out caller, and an undefined filter matches every row", rules.Code(callee), rules.Code(ff.key), rules.Code(shortText(f, ff.value)))})
			}
			continue
		}
		if !tenantKey.MatchString(ff.key) || len(id.ids)+len(id.objs) == 0 {
			continue
		}
		fl := flow{f: f, entry: ep}
		src := fl.requestSource(ff.value)
		if src == "" || id.Is(ff.value) {
			continue
		}
		if scopedByIdentity(f, id, ff.where) || verified(f, id, fn, ff) {
			continue
		}
		if ff.write {
			if ff.call.Type == "new_expression" {
				callee = "new " + f.Text(ff.call.ChildByField("constructor"))
			}
			from := rules.Code(src)
			if v := shortText(f, ff.value); v != src {
				from = rules.Code(v) + " (from " + rules.Code(src) + ")"
			}
			pass.Report(rules.Diagnostic{Line: ff.value.Line, Column: ff.value.Col,
				Message: fmt.Sprintf("%s sets the owner field %s of the new record to %s, taken from the request while the caller's identity from auth() is in scope and never compared with it, so any caller can create records in another user's or tenant's name", rules.Code(callee), rules.Code(ff.key), from)})
			continue
		}
		pass.Report(rules.Diagnostic{Line: ff.value.Line, Column: ff.value.Col,
			Message: fmt.Sprintf("%s scopes %s by %s from the request while the caller's identity from auth() is in scope and never compared with it, so any caller can reach another tenant's records", rules.Code(callee), rules.Code(ff.key), rules.Code(src))})
	}
	return nil
}

// filterFields collects the fields of query filters: Prisma/TypeORM
// `where` objects, Mongoose filter objects, Drizzle `eq(col, v)` inside
// `.where()`, and Clerk `organizations.*({ organizationId })` calls.
func filterFields(f *jsast.File) []filterField {
	var out []filterField
	addObject := func(call, obj *jsast.Node) {
		jsast.Walk(obj, func(n *jsast.Node) bool {
			if n.Type == "pair" {
				k, ok := f.StringValue(n.ChildByField("key"))
				if !ok {
					k = f.Text(n.ChildByField("key"))
				}
				if v := n.ChildByField("value"); v != nil && jsast.Unwrap(v).Type != "object" && jsast.Unwrap(v).Type != "array" {
					out = append(out, filterField{call: call, key: k, value: v, where: obj})
				}
			}
			if n.Type == "shorthand_property_identifier" {
				out = append(out, filterField{call: call, key: f.Text(n), value: n, where: obj})
			}
			return !jsast.IsFunction(n)
		})
	}
	// addRecord collects the top-level fields of a record being created.
	addRecord := func(call, obj *jsast.Node) {
		obj = jsast.Unwrap(obj)
		if obj == nil || obj.Type != "object" {
			return
		}
		for _, c := range obj.NamedChildren() {
			switch c.Type {
			case "pair":
				k, ok := f.StringValue(c.ChildByField("key"))
				if !ok {
					k = f.Text(c.ChildByField("key"))
				}
				if v := c.ChildByField("value"); v != nil && jsast.Unwrap(v).Type != "object" && jsast.Unwrap(v).Type != "array" {
					out = append(out, filterField{call: call, key: k, value: v, where: obj, write: true})
				}
			case "shorthand_property_identifier":
				out = append(out, filterField{call: call, key: f.Text(c), value: c, where: obj, write: true})
			}
		}
	}
	// new Weight({ userId: fd.get('userId') }): a Mongoose-style document.
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "new_expression" {
			ctor := f.Text(n.ChildByField("constructor"))
			if a := n.ChildByField("arguments"); a != nil && ctor != "" && ctor[0] >= 'A' && ctor[0] <= 'Z' {
				if as := a.NamedChildren(); len(as) > 0 {
					addRecord(n, as[0])
				}
			}
		}
		return true
	})
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(call)
		last := jsast.LastSegment(name)
		args := jsast.Args(call)
		if createMethods[last] && strings.Contains(name, ".") && len(args) > 0 {
			if d := f.ObjectProp(args[0], "data"); d != nil && last != "values" && last != "insertOne" {
				addRecord(call, d) // Prisma: create({ data })
			} else {
				addRecord(call, args[0]) // Mongoose create(), Mongo insertOne(), Drizzle insert(t).values()
			}
			continue
		}
		switch {
		case last == "where" && len(args) > 0:
			for _, eq := range f.Calls(args[0], func(n string) bool { return n == "eq" }) {
				ea := jsast.Args(eq)
				if len(ea) == 2 {
					col := jsast.LastSegment(f.Name(ea[0]))
					out = append(out, filterField{call: call, key: col, value: ea[1], where: args[0]})
				}
			}
		case strings.Contains(name, "organizations.") && len(args) > 0:
			if v := f.ObjectProp(args[0], "organizationId"); v != nil {
				out = append(out, filterField{call: call, key: "organizationId", value: v, where: args[0]})
			}
		case dbMethods[last] && strings.Contains(name, ".") && len(args) > 0:
			if w := f.ObjectProp(args[0], "where"); w != nil {
				addObject(call, w)
			} else if mongooseFilter[last] && jsast.Unwrap(args[0]).Type == "object" {
				addObject(call, args[0]) // Mongoose-style filter as the first argument
			}
		}
	}
	return out
}

// optionalIdentity returns the dotted name of an optional-chained identity
// (`user?.id`, `auth?.userId`, `session?.user?.id`), or "".
func optionalIdentity(f *jsast.File, id identity, v *jsast.Node) string {
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "member_expression" {
		return ""
	}
	optional := false
	jsast.Walk(v, func(n *jsast.Node) bool {
		if n.Type == "optional_chain" {
			optional = true
		}
		return !optional
	})
	if !optional {
		return ""
	}
	name := f.Name(v)
	root := strings.Split(name, ".")[0]
	last := jsast.LastSegment(name)
	if last != "id" && last != "userId" && last != "orgId" {
		return ""
	}
	if id.Has(root) || root == "user" || root == "auth" || root == "session" || strings.HasSuffix(strings.ToLower(root), "user") {
		return name
	}
	return ""
}

// nullChecked reports whether root is tested before call in fn, or the
// function ensured a signed-in caller with protect().
func nullChecked(f *jsast.File, fn, call *jsast.Node, root string) bool {
	found := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if found || n.Start >= call.Start {
			return false
		}
		switch n.Type {
		case "if_statement":
			cond := n.ChildByField("condition")
			jsast.Walk(cond, func(x *jsast.Node) bool {
				if x.Type == "identifier" && f.Text(x) == root {
					found = true
				}
				return !found
			})
		case "call_expression":
			if jsast.LastSegment(f.CalleeName(n)) == "protect" {
				found = true
			}
		}
		return !found
	})
	return found
}

// scopedByIdentity reports whether the filter also constrains by the
// caller's identity (`{ id: params.id, ownerId: userId }`).
func scopedByIdentity(f *jsast.File, id identity, where *jsast.Node) bool {
	found := false
	jsast.Walk(where, func(n *jsast.Node) bool {
		if id.Is(n) {
			found = true
		}
		return !found
	})
	return found
}

// verified reports whether fn checks the request-supplied id before the
// query: compares it with the caller's identity, calls has(), or passes it
// to a membership or authorization helper.
func verified(f *jsast.File, id identity, fn *jsast.Node, ff filterField) bool {
	val := jsast.Unwrap(ff.value)
	names := map[string]bool{}
	jsast.Walk(val, func(n *jsast.Node) bool {
		if n.Type == "identifier" || n.Type == "shorthand_property_identifier" {
			names[f.Text(n)] = true
		}
		return true
	})
	valText := f.Text(val)
	mentions := func(n *jsast.Node) bool {
		if f.Text(n) == valText {
			return true
		}
		m := false
		jsast.Walk(n, func(x *jsast.Node) bool {
			if (x.Type == "identifier" || x.Type == "shorthand_property_identifier") && names[f.Text(x)] {
				m = true
			}
			return !m
		})
		return m
	}
	found := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "binary_expression":
			if isComparison(f, n) {
				l, r := n.ChildByField("left"), n.ChildByField("right")
				if (mentions(l) && refersIdentity(id, r)) || (mentions(r) && refersIdentity(id, l)) {
					found = true
				}
			}
		case "call_expression":
			name := f.CalleeName(n)
			last := jsast.LastSegment(name)
			if last == "has" || last == "protect" && len(jsast.Args(n)) > 0 {
				found = true
				break
			}
			if n != ff.call && (strings.Contains(name, "Membership") || authzName.MatchString(last) ||
				strings.Contains(strings.ToLower(last), "member") || strings.Contains(strings.ToLower(last), "access")) {
				for _, a := range jsast.Args(n) {
					if mentions(a) {
						found = true
					}
				}
			}
		}
		return true
	})
	return found
}

func refersIdentity(id identity, n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if id.Is(x) {
			found = true
		}
		return !found
	})
	return found
}
