package model

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// RequestClerkUser reports whether some hook or middleware of the
// snapshot stores a whole Clerk Backend User on the request under prop
// (`request.user = await clerkClient.users.getUser(userId)`): a handler
// that reads req[prop] then holds that User, with its private metadata
// and every address, and sending it is CLK-RBAC-006's concern.
func (m *Model) RequestClerkUser(ctx context.Context, prop string) bool {
	return m.requestClerkUsers(ctx)[prop]
}

// RequestClerkUserProps returns the request properties RequestClerkUser
// holds for, sorted.
func (m *Model) RequestClerkUserProps(ctx context.Context) []string {
	return slices.Sorted(maps.Keys(m.requestClerkUsers(ctx)))
}

// requestClerkUsers scans the snapshot once for the request properties
// its hooks store a whole Clerk User in. A file that cannot be read adds
// nothing.
func (m *Model) requestClerkUsers(ctx context.Context) map[string]bool {
	props, _ := m.reqUsers.get(func() (map[string]bool, error) {
		out := map[string]bool{}
		m.scanModules(ctx, "the request properties it sets are not known",
			func(b []byte) bool { return bytes.Contains(b, []byte("users.getUser(")) },
			func(f *jsast.File) { storedClerkUsers(f, out) })
		return out, nil
	})
	return props
}

// storedClerkUsers adds to props the properties f sets on a request
// parameter (the first parameter of the enclosing function) to the
// result of a Clerk client's users.getUser(), directly or through a
// variable bound to it, in a file that imports a Clerk package.
func storedClerkUsers(f *jsast.File, props map[string]bool) {
	if !f.ImportsFrom(jsast.IsClerkModule) {
		return
	}
	for _, n := range jsast.Find(f.Root, "assignment_expression") {
		l := jsast.Unwrap(n.ChildByField("left"))
		fn := jsast.EnclosingFunction(n)
		if l == nil || l.Type != "member_expression" || fn == nil {
			continue
		}
		obj := jsast.Unwrap(l.ChildByField("object"))
		ps := jsast.ParamPatterns(fn)
		if obj == nil || obj.Type != "identifier" || len(ps) == 0 || ps[0].Type != "identifier" || f.Text(ps[0]) != f.Text(obj) {
			continue
		}
		if getsClerkUser(f, fn, n.ChildByField("right")) {
			props[f.Text(l.ChildByField("property"))] = true
		}
	}
}

// getsClerkUser reports whether v is (await) a users.getUser() call of a
// Clerk client, or a const of fn bound to one.
func getsClerkUser(f *jsast.File, fn, v *jsast.Node) bool {
	v = jsast.Unwrap(v)
	if v != nil && v.Type == "identifier" {
		name := f.Text(v)
		for _, d := range jsast.Find(fn, "variable_declarator") {
			if id := d.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
				v = jsast.Unwrap(d.ChildByField("value"))
				break
			}
		}
	}
	return v != nil && v.Type == "call_expression" && strings.HasSuffix(f.CalleeName(v), "users.getUser")
}
