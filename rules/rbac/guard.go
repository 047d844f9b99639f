package rbac

import (
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// Check is the strongest access check found guarding some code.
type Check int

// Check levels.
const (
	NoCheck    Check = iota
	AuthnCheck       // the caller is signed in
	AuthzCheck       // the caller holds a role, permission or admin flag
)

var (
	// authzName matches helpers that check a role or permission by name:
	// requireAdmin, checkRole, isAdmin, assertPermission, authorize, ...
	authzName = regexp.MustCompile(`(?i)(admin|role|permission|authori[sz]e|superuser|staff|owner|rbac|can[A-Z_])`)
	// authnName matches helpers that require a signed-in caller.
	authnName = regexp.MustCompile(`(?i)^(require|ensure|assert|with)(auth|user|session|signedin|login|currentuser|clerk)|^(protect|authenticate|requireAuth|withAuth|isAuthenticated|protectedProcedure|authedProcedure|privateProcedure)`)
	// authzOperand matches comparisons that decide on a role or permission.
	authzOperand = regexp.MustCompile(`(?i)(role|isAdmin|is_admin|permission|admin)`)
)

// authCalls are Clerk functions whose result identifies the caller.
var authCalls = map[string]bool{"auth": true, "currentUser": true, "getAuth": true, "authenticateRequest": true,
	"verifyToken": true, "requireAuth": true}

// guard analyses the checks in front of code of one file.
type guard struct {
	pass *rules.Pass
	f    *jsast.File
}

// Before returns the strongest check that runs before node n: checks in
// the statements of the enclosing functions that precede n, and the
// middleware of the entry e.
func (g guard) Before(e *jsast.Entry, n *jsast.Node) Check {
	best := NoCheck
	if e != nil {
		for _, m := range e.Middleware {
			best = max(best, g.middleware(m))
		}
		best = max(best, g.routerUse())
	}
	for fn := jsast.EnclosingFunction(n); fn != nil; fn = jsast.EnclosingFunction(fn) {
		best = max(best, g.inFunction(fn, n.Start, 0))
		if e != nil && fn == e.Fn {
			break
		}
	}
	return best
}

// Function returns the strongest check anywhere in fn.
func (g guard) Function(fn *jsast.Node) Check { return g.inFunction(fn, fn.End, 0) }

// middleware classifies a guard placed in front of a handler.
func (g guard) middleware(m *jsast.Node) Check {
	if m == nil {
		return NoCheck
	}
	best := NoCheck
	jsast.Walk(m, func(n *jsast.Node) bool {
		switch n.Type {
		case "identifier", "property_identifier":
			name := g.f.Text(n)
			switch {
			case authzName.MatchString(name):
				best = max(best, AuthzCheck)
			case authnName.MatchString(name):
				best = max(best, AuthnCheck)
			}
		case "call_expression":
			best = max(best, g.call(n, 0))
		}
		return true
	})
	return best
}

// routerUse finds router-wide guards: `router.use(requireAdmin)`.
func (g guard) routerUse() Check {
	best := NoCheck
	for _, c := range g.f.Calls(g.f.Root, func(n string) bool { return strings.HasSuffix(n, ".use") }) {
		for _, a := range jsast.Args(c) {
			if _, isStr := g.f.StringValue(a); isStr {
				continue
			}
			best = max(best, g.middleware(a))
		}
	}
	return best
}

// inFunction returns the strongest check in fn before offset limit.
// depth bounds the resolution of helper functions.
func (g guard) inFunction(fn *jsast.Node, limit, depth int) Check {
	body := jsast.FunctionBody(fn)
	if body == nil {
		return NoCheck
	}
	best := NoCheck
	bound := map[string]bool{} // names holding the caller's identity
	jsast.Walk(body, func(n *jsast.Node) bool {
		if n.Start >= limit {
			return false
		}
		switch n.Type {
		case "call_expression":
			best = max(best, g.call(n, depth))
			if g.isAuthCall(n) {
				for _, name := range boundNames(g.f, n) {
					bound[name] = true
				}
			}
		case "binary_expression":
			if isComparison(g.f, n) && (authzOperand.MatchString(g.f.Text(n.ChildByField("left"))) ||
				authzOperand.MatchString(g.f.Text(n.ChildByField("right")))) {
				best = max(best, AuthzCheck)
			}
		case "if_statement", "ternary_expression", "throw_statement":
			cond := n.ChildByField("condition")
			if n.Type == "throw_statement" {
				cond = n
			}
			if cond != nil && n.Start < limit {
				cb := g.condCheck(cond, bound)
				best = max(best, cb)
			}
		}
		return true
	})
	return best
}

// condCheck classifies a condition by the identity names it tests.
func (g guard) condCheck(cond *jsast.Node, bound map[string]bool) Check {
	best := NoCheck
	jsast.Walk(cond, func(n *jsast.Node) bool {
		switch n.Type {
		case "identifier", "shorthand_property_identifier":
			t := g.f.Text(n)
			if bound[t] {
				best = max(best, AuthnCheck)
			}
			if strings.EqualFold(t, "isAdmin") {
				best = max(best, AuthzCheck)
			}
		case "member_expression":
			name := g.f.Name(n)
			root := strings.Split(name, ".")[0]
			last := jsast.LastSegment(name)
			if bound[root] || last == "userId" || last == "isAuthenticated" || last == "isSignedIn" {
				best = max(best, AuthnCheck)
			}
			if strings.EqualFold(last, "isAdmin") {
				best = max(best, AuthzCheck)
			}
		}
		return true
	})
	return best
}

// call classifies one call as a check.
func (g guard) call(c *jsast.Node, depth int) Check {
	name := g.f.CalleeName(c)
	last := jsast.LastSegment(name)
	args := jsast.Args(c)
	switch last {
	case "protect":
		for _, a := range args {
			if jsast.IsFunction(jsast.Unwrap(a)) || hasAuthzKey(g.f, a) {
				return AuthzCheck
			}
		}
		return AuthnCheck
	case "has", "checkAuthorization":
		if len(args) > 0 && hasAuthzKey(g.f, args[0]) {
			return AuthzCheck
		}
		return NoCheck
	case "requireAuth", "getAuth", "redirectToSignIn":
		return AuthnCheck
	}
	if last == "" || name == "" {
		return NoCheck
	}
	if depth < 2 {
		if fn, file := g.resolveHelper(strings.Split(name, ".")[0], name); fn != nil {
			sub := guard{pass: g.pass, f: file}
			return sub.inFunction(fn, fn.End, depth+1)
		}
	}
	lower := strings.ToLower(last)
	if authzName.MatchString(last) && !strings.Contains(lower, "client") && !strings.HasPrefix(lower, "update") &&
		!strings.HasPrefix(lower, "create") && !strings.HasPrefix(lower, "delete") && !strings.HasPrefix(lower, "set") &&
		!strings.HasPrefix(lower, "get") && !strings.Contains(name, "clerkClient") && !strings.Contains(name, ".users.") &&
		!strings.Contains(name, ".organizations.") {
		return AuthzCheck
	}
	if authnName.MatchString(last) {
		return AuthnCheck
	}
	return NoCheck
}

// isAuthCall reports whether c obtains the caller's identity from Clerk.
func (g guard) isAuthCall(c *jsast.Node) bool {
	name := g.f.CalleeName(c)
	root := strings.Split(name, ".")[0]
	last := jsast.LastSegment(strings.TrimSuffix(name, "()"))
	if authCalls[last] || authCalls[g.f.ResolveClerk(root)] {
		return true
	}
	// req.auth(), event.locals.auth(), event.context.auth(), locals.auth()
	return last == "auth" && strings.Contains(name, ".")
}

// boundNames returns the names a call's result is bound to:
// `const { userId, has } = await auth()` gives userId and has;
// `const user = await currentUser()` gives user.
func boundNames(f *jsast.File, call *jsast.Node) []string {
	n := call
	for n.Parent != nil && (n.Parent.Type == "await_expression" || n.Parent.Type == "parenthesized_expression" ||
		n.Parent.Type == "as_expression" || n.Parent.Type == "non_null_expression") {
		n = n.Parent
	}
	p := n.Parent
	if p == nil {
		return nil
	}
	switch p.Type {
	case "variable_declarator":
		return patternNames(f, p.ChildByField("name"))
	case "assignment_expression":
		return patternNames(f, p.ChildByField("left"))
	case "member_expression":
		// auth().userId used inline: the member itself is the identity
		if v := p.Parent; v != nil && v.Type == "variable_declarator" {
			return patternNames(f, v.ChildByField("name"))
		}
	}
	return nil
}

func patternNames(f *jsast.File, pat *jsast.Node) []string {
	if pat == nil {
		return nil
	}
	switch pat.Type {
	case "identifier":
		return []string{f.Text(pat)}
	}
	var out []string
	jsast.Walk(pat, func(n *jsast.Node) bool {
		switch n.Type {
		case "shorthand_property_identifier_pattern":
			out = append(out, f.Text(n))
		case "pair_pattern":
			if v := n.ChildByField("value"); v != nil && v.Type == "identifier" {
				out = append(out, f.Text(v))
			}
		}
		return true
	})
	return out
}

// hasAuthzKey reports whether an options object names a role or permission.
func hasAuthzKey(f *jsast.File, obj *jsast.Node) bool {
	for _, k := range f.ObjectKeys(obj) {
		switch k {
		case "role", "permission", "roles", "permissions", "plan", "feature":
			return true
		}
	}
	return false
}

func isComparison(f *jsast.File, n *jsast.Node) bool {
	op := n.ChildByField("operator")
	if op == nil {
		return false
	}
	switch f.Text(op) {
	case "===", "!==", "==", "!=":
		return true
	}
	return false
}

// resolveHelper finds the function a called name refers to: a function of
// this file, or an export of a relatively imported module.
func (g guard) resolveHelper(local, full string) (*jsast.Node, *jsast.File) {
	if local != full && !strings.HasSuffix(full, "()") && strings.Count(full, ".") > 0 {
		return nil, nil // a method call on an object
	}
	if v := jsast.Unwrap(g.f.LocalValue(local)); jsast.IsFunction(v) {
		return v, g.f
	}
	im, ok := g.f.ImportOf(local)
	if !ok || g.pass == nil {
		return nil, nil
	}
	target := ResolveModule(g.pass, g.f.Path, im.Source)
	if target == "" {
		return nil, nil
	}
	tf := g.pass.AST(g.pass.Get(target))
	if tf == nil {
		return nil, nil
	}
	for _, ex := range tf.Exports() {
		if ex.Name == im.Imported {
			if v := jsast.Unwrap(ex.Value); jsast.IsFunction(v) {
				return v, tf
			}
		}
	}
	return nil, nil
}

// jsExts are the extensions tried when resolving a module specifier.
var jsExts = []string{"", ".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.tsx", "/index.js"}

// ResolveModule maps an import specifier of the file at from to a path of
// the snapshot: relative specifiers, and the `@/` and `~/` aliases (to the
// package root or its src/ folder). It returns "" when it cannot.
func ResolveModule(pass *rules.Pass, from, spec string) string {
	var bases []string
	switch {
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		bases = []string{path.Join(path.Dir(from), spec)}
	case strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/"):
		root := ""
		if pk := pass.Project.PackageFor(from); pk != nil {
			root = pk.Dir
		}
		rest := spec[2:]
		bases = []string{path.Join(root, rest), path.Join(root, "src", rest), path.Join(root, "app", rest)}
	default:
		return ""
	}
	for _, b := range bases {
		for _, ext := range jsExts {
			if pass.Project.Has(b + ext) {
				return b + ext
			}
		}
	}
	return ""
}
