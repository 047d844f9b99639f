package rbac

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC003 flags role and permission checks written by hand against the
// wrong role format, with substring matches, or with System Permissions
// that the session token does not carry.
var RBAC003 = &rules.Rule{
	ID:         "CLK-RBAC-003",
	Name:       "hand-rolled-role-check",
	Pack:       rules.PackRBAC,
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	Checklist:  7,
	Keywords:   []string{"orgRole", "org_role", ".rol", "membership", "org:sys_"},
	Doc: rules.Doc{
		Title: "organization role or permission checked by hand or in the wrong format",
		References: []string{
			"clerk/javascript packages/shared/src/authorization.ts",
			"https://clerk.com/docs/guides/sessions/session-tokens",
			"clerk/javascript packages/shared/src/jwtPayloadParser.ts",
			"https://clerk.com/docs/guides/secure/authorization-checks",
		},
		Text: "Clerk Organization roles have the form `org:<key>`: `auth().orgRole`, the v1 session claim " +
			"`org_role` and `OrganizationMembership.role` hold `org:admin`, while the compact v2 session token " +
			"claim `o.rol` holds `admin` without the prefix. A hand-written comparison in the wrong format never " +
			"matches: `orgRole !== 'admin'` denies everyone (fail-closed), `o.rol === 'org:admin'` grants nobody. " +
			"Substring checks (`orgRole?.includes('admin')`, `startsWith('org:admin')`) are fail-open: they also " +
			"accept `org:admin_readonly` or `org:not_admin`. On the server, `has({ permission: 'org:sys_…' })` is " +
			"always false, because System Permissions are not in the session token. `has()` normalises the role " +
			"format and is the supported check.",
		Bad: `const { orgRole } = await auth()
if (orgRole !== 'admin') return new Response('Forbidden', { status: 403 })
if (orgRole?.includes('admin')) await deleteProject(id)`,
		Good: `const { has } = await auth()
if (!has({ role: 'org:admin' })) return new Response('Forbidden', { status: 403 })
// better: a Custom Permission
if (!has({ permission: 'org:projects:delete' })) return new Response('Forbidden', { status: 403 })`,
	},
	Fix: fixRBAC003,
	Run: runRBAC003,
}

func fixRBAC003(p *project.Model, path string) string {
	fix := "Use `has()` for authorization: `has({ role: 'org:admin' })` (it accepts the role with or without the `org:` prefix), " +
		"or better a Custom Permission `has({ permission: 'org:posts:edit' })`. Server-side `has()` only sees Custom " +
		"Permissions (System Permissions are not in the session token): check those through the role. " +
		"Role and permission checks need an Active Organization."
	if v, ok := p.Version(path, "@clerk/express"); ok && v != nil {
		fix += " In Express: `getAuth(req).has({ role: 'org:admin' })`."
	}
	return fix
}

// roleFormat says whether a role expression holds `org:admin` or `admin`.
type roleFormat int

const (
	notRole      roleFormat = iota
	prefixedRole            // auth().orgRole, org_role, membership.role: "org:admin"
	bareRole                // v2 session claim o.rol: "admin"
)

// Where a role comes from is asked of the knowledge tables: the identity
// sources that yield Clerk's Auth object or session claims
// (knowledge.IdentityReturnsNamed, knowledge.TokenCallOf), the fields of
// Clerk's hooks (knowledge.ClerkHookField) and the APIs and types of an
// OrganizationMembership (knowledge.MembershipSourceCall, MembershipType).

func runRBAC003(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	clerk := f.ImportsFrom(jsast.IsClerkModule)
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "binary_expression":
			rbac003Compare(pass, f, n, clerk)
		case "switch_statement":
			rbac003Switch(pass, f, n, clerk)
		case "call_expression":
			rbac003Call(pass, f, n, clerk)
		}
		return true
	})
	return nil
}

// roleOf classifies e as a role expression.
func roleOf(f *jsast.File, e *jsast.Node, clerk bool) roleFormat {
	return roleOfDepth(f, e, clerk, 0)
}

func roleOfDepth(f *jsast.File, e *jsast.Node, clerk bool, depth int) roleFormat {
	e = jsast.Unwrap(e)
	if e == nil || depth > 2 {
		return notRole
	}
	switch e.Type {
	case "member_expression", "subscript_expression":
		name := f.Name(e)
		if name == "" {
			return notRole
		}
		last := jsast.LastSegment(name)
		switch {
		case last == "org_role":
			return prefixedRole
		case last == "orgRole" && e.Type == "member_expression":
			if clerkValue(f, e.ChildByField("object"), knowledge.AuthObject, 0) {
				return prefixedRole // auth().orgRole, req.auth.orgRole, const a = getAuth(req); a.orgRole
			}
		case last == "rol" && strings.HasSuffix(name, ".o.rol") && e.Type == "member_expression":
			if o := jsast.Unwrap(e.ChildByField("object")); o != nil && o.Type == "member_expression" &&
				clerkValue(f, o.ChildByField("object"), knowledge.SessionClaims, 0) {
				return bareRole
			}
		case last == "role" && e.Type == "member_expression":
			if clerk && membershipValue(f, e.ChildByField("object"), 0) {
				return prefixedRole
			}
		}
	case "identifier":
		name := f.Text(e)
		if v := declValue(f, name, e); v != nil {
			return roleOfDepth(f, v, clerk, depth+1)
		}
		if name == "orgRole" {
			if src := destructuredSource(f, name, e); src != nil && !clerkValue(f, src, knowledge.AuthObject, 0) {
				return notRole // const { orgRole } = await db.member.findFirst(...)
			}
			return prefixedRole
		}
		if renamedOrgRole(f, name, e) {
			return prefixedRole
		}
	}
	return notRole
}

// clerkValue reports whether e holds what a Clerk identity source yields
// (want: the Auth object or verified session claims): a call or a
// property of an identity source (auth(), getAuth(req), req.auth,
// locals.auth()), useAuth() for the Auth object, the sessionClaims of an
// Auth object or a token library's verified or decoded claims for session
// claims, or a const holding one of those.
func clerkValue(f *jsast.File, e *jsast.Node, want knowledge.Returns, depth int) bool {
	e = jsast.Unwrap(e)
	if e == nil || depth > 3 {
		return false
	}
	switch e.Type {
	case "call_expression":
		callee := f.CalleeName(e)
		last := jsast.LastSegment(callee)
		if r, ok := knowledge.IdentityReturnsNamed(last); ok && r == want {
			return true
		}
		switch want {
		case knowledge.AuthObject:
			_, ok := knowledge.ClerkHookField(hookName(f, callee), "orgRole")
			return ok
		case knowledge.SessionClaims:
			return tokenClaims(f, callee)
		}
	case "member_expression":
		prop := f.Text(e.ChildByField("property"))
		if r, ok := knowledge.IdentityReturnsNamed(prop); ok && r == want {
			return true // req.auth
		}
		if af, ok := knowledge.AuthFieldOf(prop); ok && af.OnAuthObject && want == knowledge.SessionClaims && prop == "sessionClaims" {
			return clerkValue(f, e.ChildByField("object"), knowledge.AuthObject, depth+1)
		}
	case "identifier":
		name := f.Text(e)
		if v := declValue(f, name, e); v != nil {
			return clerkValue(f, v, want, depth+1)
		}
		if want == knowledge.SessionClaims && name == "sessionClaims" {
			// const { sessionClaims } = await auth()
			if src := destructuredSource(f, name, e); src != nil {
				return clerkValue(f, src, knowledge.AuthObject, depth+1)
			}
		}
	}
	return false
}

// tokenClaims reports whether a call (its callee text) is a token
// library's verify or decode function, which returns the token's claims.
func tokenClaims(f *jsast.File, callee string) bool {
	root, _, _ := strings.Cut(callee, ".")
	im, ok := f.ImportOf(root)
	if !ok {
		return false
	}
	name := im.Imported
	if name == "default" || name == "*" {
		if root != callee {
			name = jsast.LastSegment(callee)
		}
	} else if root != callee {
		return false
	}
	tc, ok := knowledge.TokenCallOf(im.Source, name)
	return ok && (tc.Use == knowledge.Decodes || tc.Use == knowledge.Verifies)
}

// hookName returns the Clerk export a hook call's callee names (the
// import resolved), or the callee itself.
func hookName(f *jsast.File, callee string) string {
	if h := f.ResolveClerk(callee); h != "" {
		return h
	}
	return callee
}

// membershipValue reports whether e holds a Clerk OrganizationMembership:
// useOrganization()'s membership, a parameter typed OrganizationMembership,
// or a value built from a Clerk call that yields memberships
// (getOrganizationMembershipList, organizationMemberships).
func membershipValue(f *jsast.File, e *jsast.Node, depth int) bool {
	e = jsast.Unwrap(e)
	if e == nil || depth > 2 {
		return false
	}
	switch e.Type {
	case "identifier":
		name := f.Text(e)
		for fn := jsast.EnclosingFunction(e); fn != nil; fn = jsast.EnclosingFunction(fn) {
			if ps := fn.ChildByField("parameters"); ps != nil && bindsName(f, ps, name) {
				return typedMembership(f, ps)
			}
		}
		if v := declValue(f, name, e); v != nil {
			return membershipValue(f, v, depth+1)
		}
		// const { membership } = useOrganization()
		if src := jsast.Unwrap(destructuredSource(f, name, e)); src != nil && src.Type == "call_expression" {
			h, ok := knowledge.ClerkHookField(hookName(f, f.CalleeName(src)), name)
			return ok && h.State == knowledge.MembershipState
		}
		return false
	case "member_expression":
		// useOrganization().membership
		if o := jsast.Unwrap(e.ChildByField("object")); o != nil && o.Type == "call_expression" {
			if h, ok := knowledge.ClerkHookField(hookName(f, f.CalleeName(o)), f.Text(e.ChildByField("property"))); ok {
				return h.State == knowledge.MembershipState
			}
		}
	}
	found := false
	jsast.Walk(e, func(n *jsast.Node) bool {
		switch {
		case found:
		case n.Type == "call_expression" && knowledge.MembershipSourceCall(f.CalleeName(n)):
			found = true
		case n.Type == "member_expression" && knowledge.MembershipListProperty(f.Text(n.ChildByField("property"))):
			found = true
		case n.Type == "identifier" && n != e && membershipValue(f, n, depth+1):
			found = true
		}
		return !found
	})
	return found
}

// typedMembership reports whether a parameter list declares a Clerk
// OrganizationMembership type.
func typedMembership(f *jsast.File, ps *jsast.Node) bool {
	found := false
	jsast.Walk(ps, func(n *jsast.Node) bool {
		if n.Type == "type_identifier" && knowledge.MembershipType(f.Text(n)) {
			found = true
		}
		return !found
	})
	return found
}

// declValue returns the initial value of a plain `const name = value`
// visible at at, or nil.
func declValue(f *jsast.File, name string, at *jsast.Node) *jsast.Node {
	var found *jsast.Node
	scope := jsast.EnclosingFunction(at)
	root := f.Root
	if scope != nil {
		root = jsast.FunctionBody(scope)
	}
	jsast.Walk(root, func(n *jsast.Node) bool {
		if found != nil || n.Start > at.Start {
			return false
		}
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
				found = n.ChildByField("value")
			}
		}
		return true
	})
	if found == nil && scope != nil {
		if v := f.LocalValue(name); v != nil && !jsast.IsFunction(v) {
			return v
		}
	}
	return found
}

// destructuredSource returns the value of the object pattern that binds
// name before at, or nil.
func destructuredSource(f *jsast.File, name string, at *jsast.Node) *jsast.Node {
	var v *jsast.Node
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Start > at.Start {
			return false
		}
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "object_pattern" && bindsName(f, id, name) {
				v = n.ChildByField("value")
			}
		}
		return true
	})
	return v
}

// renamedOrgRole reports whether name is bound as `{ orgRole: name }`.
func renamedOrgRole(f *jsast.File, name string, at *jsast.Node) bool {
	found := false
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if found || n.Start > at.Start {
			return false
		}
		if n.Type == "pair_pattern" && f.Text(n.ChildByField("key")) == "orgRole" {
			if v := n.ChildByField("value"); v != nil && f.Text(v) == name {
				found = true
			}
		}
		return true
	})
	return found
}

// wrongFormat reports whether the literal role s can never equal a role
// of format rf.
func wrongFormat(rf roleFormat, s string) bool {
	if s == "" || strings.ContainsAny(s, " /") {
		return false
	}
	switch rf {
	case prefixedRole:
		return !strings.Contains(s, ":")
	case bareRole:
		return strings.HasPrefix(s, "org:")
	}
	return false
}

func formatNote(rf roleFormat, s string) string {
	if rf == prefixedRole {
		return "Clerk roles have the form " + rules.Code("org:"+s)
	}
	return "the v2 session claim `o.rol` holds the role without the `org:` prefix (" + rules.Code(strings.TrimPrefix(s, "org:")) + ")"
}

func rbac003Compare(pass *rules.Pass, f *jsast.File, n *jsast.Node, clerk bool) {
	op := n.ChildByField("operator")
	if op == nil {
		return
	}
	opText := f.Text(op)
	if opText != "===" && opText != "!==" && opText != "==" && opText != "!=" {
		return
	}
	left, right := n.ChildByField("left"), n.ChildByField("right")
	for _, side := range [][2]*jsast.Node{{left, right}, {right, left}} {
		rf := roleOf(f, side[0], clerk)
		if rf == notRole {
			continue
		}
		s, ok := f.StringValue(side[1])
		if !ok || !wrongFormat(rf, s) {
			return
		}
		expr := shortText(f, side[0])
		d := rules.Diagnostic{Line: n.Line, Column: n.Col}
		if opText == "!==" || opText == "!=" {
			d.Severity = rules.Low
			d.Message = rules.Code(expr+" "+opText+" '"+s+"'") + " is always true: " + formatNote(rf, s) + ", so this check denies every member, admins included"
		} else {
			d.Message = rules.Code(expr+" "+opText+" '"+s+"'") + " is never true: " + formatNote(rf, s) + ", so this role check never matches"
		}
		pass.Report(d)
		return
	}
}

func rbac003Switch(pass *rules.Pass, f *jsast.File, n *jsast.Node, clerk bool) {
	rf := roleOf(f, n.ChildByField("value"), clerk)
	if rf == notRole {
		return
	}
	body := n.ChildByField("body")
	if body == nil {
		return
	}
	for _, c := range body.NamedChildren() {
		if c.Type != "switch_case" {
			continue
		}
		s, ok := f.StringValue(c.ChildByField("value"))
		if ok && wrongFormat(rf, s) {
			pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col,
				Message: rules.Code("case '"+s+"'") + " never matches " + rules.Code(shortText(f, jsast.Unwrap(n.ChildByField("value")))) + ": " + formatNote(rf, s)})
		}
	}
}

// substringMethods test part of a string.
var substringMethods = map[string]bool{"includes": true, "startsWith": true, "endsWith": true, "indexOf": true, "match": true, "search": true}

func rbac003Call(pass *rules.Pass, f *jsast.File, call *jsast.Node, clerk bool) {
	fn := call.ChildByField("function")
	if fn == nil {
		return
	}
	args := jsast.Args(call)
	if fn.Type == "member_expression" {
		method := f.Text(fn.ChildByField("property"))
		obj := fn.ChildByField("object")
		// orgRole?.includes('admin')
		if substringMethods[method] && len(args) == 1 {
			if rf := roleOf(f, obj, clerk); rf != notRole {
				s, _ := f.StringValue(args[0])
				if s == "org:" || s == "org" {
					return // a format check, not an authorization decision
				}
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.High,
					Message: rules.Code(shortText(f, call)) + " matches part of the role, so it also accepts roles such as `org:admin_readonly` or `org:not_admin`: compare the whole role or use `has({ role })`"})
				return
			}
		}
		// ['admin', 'owner'].includes(orgRole)
		if method == "includes" && len(args) == 1 {
			if rf := roleOf(f, args[0], clerk); rf != notRole {
				vals, _, ok := f.StringList(obj)
				if !ok || len(vals) == 0 {
					return
				}
				for _, v := range vals {
					if !wrongFormat(rf, v) {
						return
					}
				}
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
					Message: rules.Code(shortText(f, call)) + " is never true: " + formatNote(rf, vals[0]) + ", and none of the listed roles has that form"})
				return
			}
		}
	}
	// has({ permission: 'org:sys_...' }) / auth.protect({ permission: ... })
	name := f.CalleeName(call)
	last := jsast.LastSegment(name)
	if (last != "has" && last != "protect") || len(args) != 1 || !clerk {
		return
	}
	perm := f.ObjectProp(args[0], "permission")
	s, ok := f.StringValue(perm)
	if !ok || !strings.HasPrefix(s, "org:sys_") || clientHas(f, call, name) {
		return
	}
	pass.Report(rules.Diagnostic{Line: perm.Line, Column: perm.Col,
		Message: rules.Code(name+"({ permission: '"+s+"' })") + " is always false on the server: System Permissions are not in the session token; check the role that grants it, or define a Custom Permission"})
}

// clientHas reports whether a has() call runs in the browser, where
// System Permissions are available: a 'use client' module, or has bound
// from a React hook.
func clientHas(f *jsast.File, call *jsast.Node, name string) bool {
	if f.Directive() == "use client" {
		return true
	}
	root := strings.Split(name, ".")[0]
	if hook, ok := strings.CutSuffix(root, "()"); ok {
		return hookHas(f, hook) // useAuth().has(...)
	}
	src := declValue(f, root, call)
	if src == nil {
		src = destructuredSource(f, root, call) // const { has } = useAuth()
	}
	if src = jsast.Unwrap(src); src != nil && src.Type == "call_expression" {
		return hookHas(f, f.CalleeName(src))
	}
	return false
}

// hookHas reports whether a hook call (its callee text) is one of
// Clerk's hooks that returns has().
func hookHas(f *jsast.File, callee string) bool {
	_, ok := knowledge.ClerkHookField(hookName(f, callee), "has")
	return ok
}
