package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// RBAC009 reports an authorization decision made from the role (or
// permissions) of an arbitrary element of the user's organization
// membership list (`memberships.data[0].role`) instead of the active
// organization of the verified session or the membership of the
// organization being accessed. Which APIs list every membership and which
// membership fields carry the role are knowledge facts
// (knowledge.MembershipListCall, MembershipListProperty,
// MembershipRoleField).
var RBAC009 = &rules.Rule{
	ID:         "CLK-RBAC-009",
	Name:       "role-from-arbitrary-org-membership",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{"getOrganizationMembershipList", "organizationMemberships", "userMemberships"},
	Doc: rules.Doc{
		Title: "caller's role taken from an arbitrary organization membership",
		References: []string{
			"https://clerk.com/docs/reference/backend/user/get-organization-membership-list",
			"https://clerk.com/docs/reference/javascript/user",
			"https://clerk.com/docs/reference/backend/types/auth-object",
			"https://clerk.com/docs/guides/sessions/session-tokens",
			"https://clerk.com/docs/guides/organizations/roles-and-permissions",
		},
		Text: "A user's organization memberships (`clerkClient.users.getOrganizationMembershipList({ userId })`, " +
			"`user.organizationMemberships`, `useOrganizationList().userMemberships`) list every organization the user " +
			"belongs to, and any user can create an organization and be its `org:admin`. Taking the role or permissions " +
			"of the first (or any fixed) element of that list and comparing it with an admin role, or handing it to a " +
			"policy engine as the caller's role, makes an admin of ANY organization an admin everywhere. The role that " +
			"applies is the one in the active organization of the verified session (`auth().orgRole`, `has({ role })`, " +
			"the v2 session token claim `o.rol`), or the membership found for the organization being accessed. " +
			"A membership found by organization id, the active organization's role, and showing the first " +
			"organization's name are not reported.",
		Bad: `const memberships = await clerkClient.users.getOrganizationMembershipList({ userId })
if (memberships.data[0]?.role === 'org:admin') return adminData()`,
		Good: `const { has } = await auth()
if (has({ role: 'org:admin' })) return adminData()
// or: memberships.data.find((m) => m.organization.id === orgId)?.role`,
	},
	Fix: rules.ConstFix("The membership list holds every organization the user belongs to, in no meaningful order, and a user can " +
		"create an organization they administer. Decide from " + knowledge.ActiveOrgRoleSources + "; or, for an explicit " +
		"organization in the request, find the membership whose organization id matches it (and deny when there is none)."),
	Run: runRBAC009,
}

func runRBAC009(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	reported := map[*jsast.Node]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		el, reads := membershipPick(f, n)
		for _, r := range reads {
			if why := roleDecision(f, r); why != "" && !reported[el] {
				reported[el] = true
				pass.Report(rules.Diagnostic{Line: r.Line, Column: r.Col,
					Message: fmt.Sprintf("%s, the role of one element (%s) of the user's memberships of every organization, %s; "+
						"an admin of any organization, including one the user created, passes", rules.Code(shortText(f, r)), rules.Code(shortText(f, el)), why)})
			}
		}
		return true
	})
	return nil
}

// membershipPick returns the fixed element of a membership list that n
// picks (`list[0]`, `list.at(0)`, `const [first] = list`) and the reads
// of its role or permissions; nil when n picks none.
func membershipPick(f *jsast.File, n *jsast.Node) (*jsast.Node, []*jsast.Node) {
	if el := membershipElement(f, n); el != nil {
		return el, membershipRoleReads(f, el)
	}
	if n.Type != "variable_declarator" {
		return nil, nil
	}
	pat, v := n.ChildByField("name"), n.ChildByField("value")
	if pat == nil || pat.Type != "array_pattern" || !membershipListExpr(f, v, 2) {
		return nil, nil
	}
	var reads []*jsast.Node
	for _, c := range pat.NamedChildren() {
		reads = append(reads, boundRoleReads(f, n, c)...)
	}
	return v, reads
}

// membershipElement returns n when it picks a fixed element of a list of
// all the user's memberships (`list[0]`, `list.at(0)`), else nil.
func membershipElement(f *jsast.File, n *jsast.Node) *jsast.Node {
	switch n.Type {
	case "subscript_expression":
		if idx := n.ChildByField("index"); idx != nil && idx.Type == "number" && membershipListExpr(f, n.ChildByField("object"), 2) {
			return n
		}
	case "call_expression":
		fn := n.ChildByField("function")
		args := jsast.Args(n)
		if fn != nil && fn.Type == "member_expression" && f.Text(fn.ChildByField("property")) == "at" &&
			len(args) == 1 && args[0].Type == "number" && membershipListExpr(f, fn.ChildByField("object"), 2) {
			return n
		}
	}
	return nil
}

// membershipListExpr reports whether e is a list of all the user's
// memberships: a listing call, its `.data`, a property holding the list,
// one of those with a `?? []` default, or a variable bound to one.
func membershipListExpr(f *jsast.File, e *jsast.Node, hops int) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "call_expression":
		return knowledge.MembershipListCall(f.CalleeName(e))
	case "binary_expression":
		// list ?? [] / list || []
		op := f.Text(e.ChildByField("operator"))
		return (op == "??" || op == "||") && membershipListExpr(f, e.ChildByField("left"), hops)
	case "member_expression":
		prop := f.Text(e.ChildByField("property"))
		if knowledge.MembershipListProperty(prop) {
			return true
		}
		return prop == "data" && membershipListExpr(f, e.ChildByField("object"), hops)
	case "identifier":
		if hops == 0 {
			return false
		}
		name := f.Text(e)
		d := bindingOf(f, e, name)
		if d == nil {
			return false
		}
		pat := d.ChildByField("name")
		if pat.Type == "identifier" {
			return membershipListExpr(f, d.ChildByField("value"), hops-1)
		}
		// const { userMemberships } = useOrganizationList(...)
		if knowledge.MembershipListProperty(name) {
			return true
		}
		// const { data } = await clerkClient.users.getOrganizationMembershipList(...)
		return name == "data" && membershipListExpr(f, d.ChildByField("value"), hops-1)
	}
	return false
}

// bindingOf returns the variable declarator before at, in at's function
// or an enclosing one (else the file), that binds name.
func bindingOf(f *jsast.File, at *jsast.Node, name string) *jsast.Node {
	for scope := jsast.EnclosingFunction(at); ; scope = jsast.EnclosingFunction(scope) {
		root := scope
		if root == nil {
			root = f.Root
		}
		var found *jsast.Node
		jsast.Walk(root, func(n *jsast.Node) bool {
			if n.Type == "variable_declarator" && n.End <= at.Start {
				for _, nm := range patternNames(f, n.ChildByField("name")) {
					if nm == name {
						found = n
					}
				}
			}
			return true
		})
		if found != nil || scope == nil {
			return found
		}
	}
}

// membershipRoleReads returns the reads of the element's role or
// permissions: `list[0].role`, or `m.role` after `const m = list[0]`, or
// the names destructured from it (`const { role } = list[0]`).
func membershipRoleReads(f *jsast.File, el *jsast.Node) []*jsast.Node {
	e := outer(el)
	p := e.Parent
	if p == nil {
		return nil
	}
	if p.Type == "member_expression" && e.Field == "object" {
		if knowledge.MembershipRoleField(f.Text(p.ChildByField("property"))) {
			return []*jsast.Node{p}
		}
		return nil
	}
	// `?? null` / `|| undefined` defaults keep the element
	for p.Type == "binary_expression" && e.Field == "left" {
		if op := f.Text(p.ChildByField("operator")); op != "??" && op != "||" {
			return nil
		}
		e, p = p, p.Parent
		if p == nil {
			return nil
		}
	}
	if p.Type != "variable_declarator" || e.Field != "value" {
		return nil
	}
	return boundRoleReads(f, p, p.ChildByField("name"))
}

// boundRoleReads returns the reads, after the declarator decl, of the
// role or permissions of a membership bound to pat: `m.role` for an
// identifier m, the uses of `role` for `{ role }`.
func boundRoleReads(f *jsast.File, decl, pat *jsast.Node) []*jsast.Node {
	scope := jsast.EnclosingFunction(decl)
	if scope == nil {
		scope = f.Root
	}
	var out []*jsast.Node
	switch pat.Type {
	case "identifier":
		name := f.Text(pat)
		jsast.Walk(scope, func(n *jsast.Node) bool {
			if n.Type == "member_expression" && n.Start > decl.End && knowledge.MembershipRoleField(f.Text(n.ChildByField("property"))) {
				if obj := jsast.Unwrap(n.ChildByField("object")); obj != nil && obj.Type == "identifier" && f.Text(obj) == name {
					out = append(out, n)
				}
			}
			return true
		})
	case "object_pattern":
		for _, name := range patternNames(f, pat) {
			if !knowledge.MembershipRoleField(name) {
				continue
			}
			jsast.Walk(scope, func(n *jsast.Node) bool {
				if n.Type == "identifier" && n.Start > decl.End && f.Text(n) == name {
					out = append(out, n)
				}
				return true
			})
		}
	}
	return out
}

// roleDecision says how a role read decides access, or "": it is tested
// or compared, handed to a call (a policy engine, an ability builder) as
// the caller's role, or copied into a variable that is.
func roleDecision(f *jsast.File, r *jsast.Node) string {
	a := outer(r)
	for a.Parent != nil && a.Parent.Type == "binary_expression" {
		if op := f.Text(a.Parent.ChildByField("operator")); op != "??" && op != "||" {
			break
		}
		a = outer(a.Parent)
	}
	if decides(f, a) {
		return "decides access here"
	}
	if call := roleArgument(f, a); call != "" {
		return "is passed as the caller's role to " + rules.Code(call+"()")
	}
	if name := declaredName(f, a); name != "" {
		if use := conditionUse(f, a, name); use != nil {
			return fmt.Sprintf("decides access at line %d (as %s)", use.Line, rules.Code(name))
		}
	}
	return ""
}

// roleArgument returns the callee when a is the value of an authorization
// key (`role`, `permissions`, …) of an object literal passed, possibly
// nested, to a call that neither logs nor sends a response; else "".
func roleArgument(f *jsast.File, a *jsast.Node) string {
	p := a.Parent
	if p == nil || p.Type != "pair" || a.Field != "value" {
		return ""
	}
	key, ok := f.StringValue(p.ChildByField("key"))
	if !ok {
		key = f.Text(p.ChildByField("key"))
	}
	if !knowledge.AuthzKey(key) {
		return ""
	}
	for n := p.Parent; n != nil; n = n.Parent {
		switch n.Type {
		case "object", "pair":
			continue
		case "arguments":
			callee := f.CalleeName(n.Parent)
			// a response (`res.json({ role })`) shows the role; it decides nothing
			if callee == "" || strings.HasPrefix(callee, "console.") || len(knowledge.ExitsNamed(callee)) > 0 {
				return ""
			}
			return callee
		}
		return ""
	}
	return ""
}
