package rbac

import (
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
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

var (
	claimsName      = regexp.MustCompile(`(?i)(claims|payload|token|decoded|jwt|session)[^.]*$`)
	clerkAuthSource = regexp.MustCompile(`(?i)auth|session|claims|useOrganization|locals|context`)
	hookCall        = regexp.MustCompile(`\buse[A-Z]\w*\(`)
	membershipName  = regexp.MustCompile(`(?i)membership$`)
	// clerkMembership matches the sources of a Clerk OrganizationMembership.
	clerkMembership = regexp.MustCompile(`useOrganization|getOrganizationMembershipList|organizationMemberships|getOrganizationMemberships|OrganizationMembership\b|clerkClient|createClerkClient`)
)

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
		case last == "orgRole":
			obj := strings.TrimSuffix(name, ".orgRole")
			if clerkAuthSource.MatchString(obj) {
				return prefixedRole // auth().orgRole, req.auth.orgRole, getAuth(req).orgRole
			}
			root := strings.TrimSuffix(strings.Split(obj, ".")[0], "()")
			if v := declValue(f, root, e); v != nil && clerkAuthSource.MatchString(f.Text(v)) {
				return prefixedRole // const a = getAuth(req); a.orgRole
			}
		case last == "rol" && strings.HasSuffix(name, ".o.rol") && claimsName.MatchString(strings.TrimSuffix(name, ".o.rol")):
			return bareRole
		case last == "role":
			obj := strings.TrimSuffix(name, ".role")
			root := jsast.LastSegment(obj)
			if membershipName.MatchString(root) && clerk && membershipFromClerk(f, e, strings.Split(obj, ".")[0]) {
				return prefixedRole
			}
		}
	case "identifier":
		name := f.Text(e)
		if v := declValue(f, name, e); v != nil {
			return roleOfDepth(f, v, clerk, depth+1)
		}
		if name == "orgRole" {
			if src := destructuredSource(f, name, e); src != nil && !clerkAuthSource.MatchString(f.Text(src)) {
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

// membershipFromClerk reports whether the membership variable root comes
// from a Clerk API (useOrganization, getOrganizationMembershipList, a
// parameter typed OrganizationMembership).
func membershipFromClerk(f *jsast.File, at *jsast.Node, root string) bool {
	for fn := jsast.EnclosingFunction(at); fn != nil; fn = jsast.EnclosingFunction(fn) {
		if ps := fn.ChildByField("parameters"); ps != nil && bindsName(f, ps, root) {
			return clerkMembership.MatchString(f.Text(ps))
		}
	}
	v := declValue(f, root, at)
	if v == nil {
		// destructured: const { membership } = useOrganization()
		return declaredFrom(f, root, at, clerkMembership)
	}
	return clerkMembership.MatchString(f.Text(v))
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

// declaredFrom reports whether name is bound by a destructuring pattern
// whose value text matches re.
func declaredFrom(f *jsast.File, name string, at *jsast.Node, re *regexp.Regexp) bool {
	found := false
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if found || n.Start > at.Start {
			return false
		}
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "object_pattern" && bindsName(f, id, name) {
				found = re.MatchString(f.Text(n.ChildByField("value")))
			}
		}
		return true
	})
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
	if strings.Contains(name, "use") && strings.Contains(name, "()") {
		return true // useAuth().has(...)
	}
	root := strings.Split(name, ".")[0]
	if v := declValue(f, root, call); v != nil {
		return hookCall.MatchString(f.Text(v))
	}
	return declaredFrom(f, root, call, hookCall)
}
