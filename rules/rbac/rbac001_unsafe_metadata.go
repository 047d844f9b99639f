package rbac

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RBAC001 flags authorization decided from unsafeMetadata, which the user
// can write from the browser.
var RBAC001 = &rules.Rule{
	ID:         "CLK-RBAC-001",
	Name:       "authorization-from-unsafe-metadata",
	Pack:       rules.PackRBAC,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  3,
	Files: func(f *source.File) bool {
		return !f.Binary && (f.IsJS() || f.Lang == source.LangJSON)
	},
	Keywords: []string{"unsafeMetadata", "unsafe_metadata"},
	Doc: rules.Doc{
		Title: "authorization decided from user-writable unsafeMetadata",
		References: []string{
			"https://clerk.com/docs/guides/users/extending",
			"https://clerk.com/docs/guides/secure/basic-rbac",
		},
		Text: "Clerk's `unsafeMetadata` can be read **and written** from the frontend " +
			"(`user.update({ unsafeMetadata })`), so any user can set `role: 'admin'`, `plan: 'pro'` or " +
			"`credits: 1e9` on their own account. Deciding access from it, writing authorization keys into it, or " +
			"mapping it into the session token (`{{user.unsafe_metadata}}`, which then looks trustworthy as " +
			"`sessionClaims.metadata`) hands the decision to the user. Using `unsafeMetadata` for onboarding " +
			"answers, preferences or a referral code is fine.",
		Bad: `const user = await currentUser()
if (user?.unsafeMetadata.role === 'admin') return adminData()`,
		Good: `const { has } = await auth()
if (has({ role: 'org:admin' })) return adminData()
// or publicMetadata.role, written only by admin-checked server code`,
	},
	Fix: rules.ConstFix("`unsafeMetadata` can be read and written from the frontend, so users can grant themselves the role. " +
		"Use Organization roles/permissions with `has({ role: 'org:admin' })` / `has({ permission: '…' })`, or " +
		"`publicMetadata` (read-only in the frontend) written only by admin-checked server code via " +
		"the Backend API's `users.updateUserMetadata()`, exposed in the session token as `{{user.public_metadata}}`."),
	Run: runRBAC001,
}

// Which metadata keys carry an authorization decision and which compared
// values name a role or a paid plan is knowledge.AuthzKey and
// knowledge.AuthzValue.

func runRBAC001(pass *rules.Pass) error {
	if pass.File.Lang == source.LangJSON {
		return rbac001JSON(pass)
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "member_expression", "subscript_expression":
			if key := unsafeKey(f, n); key != "" {
				rbac001Read(pass, f, n)
			}
		case "pair":
			k, ok := f.StringValue(n.ChildByField("key"))
			if !ok {
				k = f.Text(n.ChildByField("key"))
			}
			if k == "unsafeMetadata" || k == "unsafe_metadata" {
				rbac001Write(pass, f, n)
			}
		case "string", "template_string":
			if s := f.Text(n); strings.Contains(s, "{{user.unsafe_metadata") {
				pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
					Message: "session token claims map `{{user.unsafe_metadata}}`, so every claim read from it (such as `sessionClaims.metadata.role`) is chosen by the user"})
			}
		}
		return true
	})
	return nil
}

// unsafeKey returns the unsafeMetadata property name of a member or
// subscript expression (`user.unsafeMetadata`, `data["unsafe_metadata"]`).
func unsafeKey(f *jsast.File, n *jsast.Node) string {
	var prop string
	switch n.Type {
	case "member_expression":
		prop = f.Text(n.ChildByField("property"))
	case "subscript_expression":
		prop, _ = f.StringValue(n.ChildByField("index"))
	}
	if prop == "unsafeMetadata" || prop == "unsafe_metadata" {
		return prop
	}
	return ""
}

// outer climbs over wrappers that keep the value the same.
func outer(n *jsast.Node) *jsast.Node {
	for n.Parent != nil {
		switch n.Parent.Type {
		case "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "await_expression":
			n = n.Parent
		default:
			return n
		}
	}
	return n
}

// rbac001Read reports a read of unsafeMetadata that decides access.
func rbac001Read(pass *rules.Pass, f *jsast.File, n *jsast.Node) {
	expr := f.Text(n)
	o := outer(n)
	p := o.Parent
	// user.unsafeMetadata.role / ['role']
	if p != nil && (p.Type == "member_expression" || p.Type == "subscript_expression") && o.Field == "object" {
		key := f.Text(p.ChildByField("property"))
		if p.Type == "subscript_expression" {
			key, _ = f.StringValue(p.ChildByField("index"))
		}
		acc := outer(p)
		if knowledge.AuthzKey(key) && decides(f, acc) {
			report001(pass, p, fmt.Sprintf("%s decides access here", rules.Code(shortText(f, p))))
			return
		}
		if cmp := comparedValue(f, acc); cmp != "" && knowledge.AuthzValue(cmp) {
			report001(pass, p, fmt.Sprintf("%s is compared with %s to decide access", rules.Code(shortText(f, p)), rules.Code("'"+cmp+"'")))
			return
		}
		if name := declaredName(f, acc); name != "" && knowledge.AuthzKey(key) {
			if use := conditionUse(f, acc, name); use != nil {
				report001(pass, p, fmt.Sprintf("%s (as %s) decides access at line %d", rules.Code(shortText(f, p)), rules.Code(name), use.Line))
			}
		}
		return
	}
	// const { role } = user.unsafeMetadata
	if p != nil && p.Type == "variable_declarator" && o.Field == "value" {
		pat := p.ChildByField("name")
		if pat == nil || pat.Type != "object_pattern" {
			return
		}
		for _, name := range patternNames(f, pat) {
			if !knowledge.AuthzKey(name) {
				continue
			}
			if use := conditionUse(f, o, name); use != nil {
				report001(pass, n, fmt.Sprintf("%s destructured from %s decides access at line %d", rules.Code(name), rules.Code(expr), use.Line))
				return
			}
		}
	}
}

func report001(pass *rules.Pass, n *jsast.Node, what string) {
	pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
		Message: what + ", but unsafeMetadata is writable by the user from the browser"})
}

// decides reports whether an expression's value is used as a condition:
// tested by if/ternary/&&/||/!, compared, or switched on.
func decides(f *jsast.File, e *jsast.Node) bool {
	for n := e; n.Parent != nil; n = n.Parent {
		p := n.Parent
		switch p.Type {
		case "parenthesized_expression", "as_expression", "non_null_expression", "unary_expression", "await_expression":
			continue
		case "binary_expression":
			op := f.Text(p.ChildByField("operator"))
			switch op {
			case "===", "!==", "==", "!=", ">", ">=", "<", "<=":
				return true
			case "&&", "||":
				if n.Field == "left" {
					return true
				}
				continue
			}
			return false
		case "if_statement", "while_statement", "switch_statement":
			return n.Field == "condition" || n.Field == "value"
		case "ternary_expression":
			return n.Field == "condition"
		case "call_expression":
			// roles.includes(user.unsafeMetadata.role), unsafeMetadata.roles.includes('admin')
			name := jsast.LastSegment(f.CalleeName(p))
			return (name == "includes" || name == "some" || name == "has") && n.Field != "function"
		case "member_expression":
			if n.Field == "object" {
				if pp := p.Parent; pp != nil && pp.Type == "call_expression" {
					name := f.Text(p.ChildByField("property"))
					return name == "includes" || name == "some" || name == "has"
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// comparedValue returns the string a value is compared with, or "".
func comparedValue(f *jsast.File, e *jsast.Node) string {
	p := e.Parent
	if p == nil || p.Type != "binary_expression" {
		return ""
	}
	switch f.Text(p.ChildByField("operator")) {
	case "===", "!==", "==", "!=":
	default:
		return ""
	}
	other := p.ChildByField("right")
	if e.Field == "right" {
		other = p.ChildByField("left")
	}
	v, _ := f.StringValue(other)
	return v
}

// declaredName returns the variable an expression initialises, or "".
func declaredName(f *jsast.File, e *jsast.Node) string {
	p := e.Parent
	if p != nil && p.Type == "variable_declarator" && e.Field == "value" {
		if nm := p.ChildByField("name"); nm != nil && nm.Type == "identifier" {
			return f.Text(nm)
		}
	}
	return ""
}

// conditionUse finds a use of name that decides access, in the function
// holding at (or the file). A value copied into another variable through
// a normalisation (`const role = rawRole?.toUpperCase().trim()`) is
// followed to that variable's uses.
func conditionUse(f *jsast.File, at *jsast.Node, name string) *jsast.Node {
	return conditionUseDepth(f, at, name, 2)
}

func conditionUseDepth(f *jsast.File, at *jsast.Node, name string, hops int) *jsast.Node {
	scope := jsast.EnclosingFunction(at)
	if scope == nil {
		scope = f.Root
	}
	var found *jsast.Node
	var derived []*jsast.Node // declarators whose value is name, normalised
	jsast.Walk(scope, func(n *jsast.Node) bool {
		if found != nil {
			return false
		}
		if (n.Type == "identifier" || n.Type == "shorthand_property_identifier") && f.Text(n) == name && n.Start > at.End {
			if decides(f, n) {
				found = n
			} else if v := comparedValue(f, n); v != "" && knowledge.AuthzValue(v) {
				found = n
			} else if d := normalisedInto(f, n); d != nil {
				derived = append(derived, d)
			}
		}
		return true
	})
	if found != nil || hops == 0 {
		return found
	}
	for _, d := range derived {
		nm := d.ChildByField("name")
		if nm == nil || nm.Type != "identifier" {
			continue
		}
		if use := conditionUseDepth(f, d, f.Text(nm), hops-1); use != nil {
			return use
		}
	}
	return nil
}

// normalisers are methods that change a role string's form but not its
// meaning.
var normalisers = map[string]bool{
	"toUpperCase": true, "toLowerCase": true, "trim": true, "toString": true,
	"toLocaleUpperCase": true, "toLocaleLowerCase": true, "normalize": true,
}

// normalisedInto returns the variable declarator whose value is the
// identifier n passed through normalising calls, wrappers or a `??`/`||`
// default (`const role = rawRole?.toUpperCase().trim() ?? ”`), or nil.
func normalisedInto(f *jsast.File, n *jsast.Node) *jsast.Node {
	e := n
	for e.Parent != nil {
		p := e.Parent
		switch p.Type {
		case "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "await_expression":
			e = p
			continue
		case "member_expression":
			if e.Field != "object" || !normalisers[f.Text(p.ChildByField("property"))] {
				return nil
			}
			call := p.Parent
			if call == nil || call.Type != "call_expression" || p.Field != "function" {
				return nil
			}
			e = call
			continue
		case "call_expression":
			// String(rawRole)
			if e.Field == "arguments" && f.CalleeName(p) == "String" {
				e = p
				continue
			}
			return nil
		case "arguments":
			e = p
			continue
		case "binary_expression":
			op := f.Text(p.ChildByField("operator"))
			if (op == "??" || op == "||") && e.Field == "left" {
				e = p
				continue
			}
			return nil
		case "variable_declarator":
			if e.Field == "value" && e != n {
				return p
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// rbac001Write reports code that writes authorization keys into
// unsafeMetadata: the client `user.update({ unsafeMetadata: { role } })`,
// or a server writing a role where the user can change it.
func rbac001Write(pass *rules.Pass, f *jsast.File, pair *jsast.Node) {
	v := jsast.Unwrap(pair.ChildByField("value"))
	if v == nil || v.Type != "object" {
		return
	}
	call := jsast.Ancestor(pair, "call_expression")
	if call == nil {
		return
	}
	callee := f.CalleeName(call)
	for _, k := range f.ObjectKeys(v) {
		if !knowledge.AuthzKey(k) {
			continue
		}
		kv := f.ObjectProp(v, k)
		pass.Report(rules.Diagnostic{Line: kv.Line, Column: kv.Col,
			Message: fmt.Sprintf("%s stores %s in unsafeMetadata, which the user can rewrite from the browser; an authorization value there cannot be trusted", rules.Code(callee), rules.Code(k))})
		return
	}
}

// rbac001JSON reports session-token claim templates (committed Clerk
// configuration) that map {{user.unsafe_metadata}}.
func rbac001JSON(pass *rules.Pass) error {
	dec := json.NewDecoder(strings.NewReader(string(pass.File.Content)))
	var lastKey string
	var depthKeys []bool // whether the current container is an object
	expectKey := false
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // not JSON we can read (JSONC, templates): no finding
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				depthKeys = append(depthKeys, true)
				expectKey = true
			case '[':
				depthKeys = append(depthKeys, false)
				expectKey = false
			default:
				if len(depthKeys) > 0 {
					depthKeys = depthKeys[:len(depthKeys)-1]
				}
				expectKey = len(depthKeys) > 0 && depthKeys[len(depthKeys)-1]
			}
			continue
		case string:
			if expectKey {
				lastKey = t
				expectKey = false
				continue
			}
			if strings.Contains(t, "{{user.unsafe_metadata") {
				line, col := pass.File.LineOf(valueStart(pass.File.Content, int(off)))
				pass.Report(rules.Diagnostic{Line: line, Column: col,
					Message: fmt.Sprintf("session token claim %s maps `{{user.unsafe_metadata}}`, so every value read from it (such as %s) is chosen by the user", rules.Code(lastKey), rules.Code("sessionClaims."+lastKey+".role"))})
			}
		}
		if len(depthKeys) > 0 && depthKeys[len(depthKeys)-1] {
			expectKey = true
		}
	}
}

// valueStart skips separators from a decoder offset to the token itself.
func valueStart(b []byte, off int) int {
	for off < len(b) && strings.ContainsRune(" \t\r\n,:", rune(b[off])) {
		off++
	}
	return off
}
