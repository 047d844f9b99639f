package model

import "github.com/clerkguard/clerkguard/rules/jsast"

// Parent scoping: a handler that looks up the caller's own rows (their
// memberships, selected by the identity alone) and stops unless an id the
// request chose is among them (`if (!memberships.some((m) => m.familyId
// === familyId)) throw ...`) has authorized that id. A later query whose
// filter includes it (`.where('family_id', '=', familyId)`) is scoped to
// what the caller may reach; one that leaves it out is not.

// ownRowsCompared returns the names of the local values a call
// rows.some(cb), rows.find(cb) or rows.findIndex(cb) on the caller's own
// rows compares with a field of each element (m.familyId === familyId),
// when those values come from the request or the function's caller.
func (a *analyzer) ownRowsCompared(call *jsast.Node) []string {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return nil
	}
	switch a.f.Text(callee.ChildByField("property")) {
	case "some", "find", "findIndex":
	default:
		return nil
	}
	if !a.classify(callee.ChildByField("object")).own {
		return nil
	}
	args := jsast.Args(call)
	if len(args) == 0 {
		return nil
	}
	fn := jsast.Unwrap(args[0])
	if fn == nil || !jsast.IsFunction(fn) {
		return nil
	}
	ps := params(fn)
	if len(ps) == 0 || ps[0].Type != "identifier" {
		return nil
	}
	elem := a.f.Text(ps[0])
	var out []string
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		if jsast.IsFunction(x) {
			return false
		}
		if x.Type != "binary_expression" {
			return true
		}
		if op := a.f.Text(x.ChildByField("operator")); op != "===" && op != "==" {
			return true
		}
		l, r := jsast.Unwrap(x.ChildByField("left")), jsast.Unwrap(x.ChildByField("right"))
		for _, side := range [2][2]*jsast.Node{{l, r}, {r, l}} {
			field, other := side[0], side[1]
			if field == nil || other == nil || field.Type != "member_expression" || other.Type != "identifier" || rootName(a.f.Text(field)) != elem {
				continue
			}
			if k := a.classify(other).kind; k == vRequest || k == vParam {
				out = append(out, a.f.Text(other))
			}
		}
		return true
	})
	return out
}

// noteVerified records the ids an if statement authorizes: its test is a
// check of the caller's own rows (ownRowsCompared) and the branch where
// the check fails exits (consExits: the consequence exits and the test is
// negated; altExits: the alternative exits and it is not). A check whose
// exit is taken when the id IS among the rows (already a member) says
// nothing of the path that goes on.
func (a *analyzer) noteVerified(test *jsast.Node, consExits, altExits bool) {
	t := jsast.Unwrap(test)
	negated := false
	if t != nil && t.Type == "unary_expression" && a.f.Text(t.ChildByField("operator")) == "!" {
		t, negated = jsast.Unwrap(t.ChildByField("argument")), true
	}
	if t == nil || t.Type != "call_expression" || !(consExits && negated || altExits && !negated) {
		return
	}
	for _, name := range a.ownRowsCompared(t) {
		a.verify(name)
	}
}

func (a *analyzer) verify(name string) {
	if a.s.verified == nil {
		a.s.verified = map[string]bool{}
	}
	a.s.verified[name] = true
}

// verifiedArgs carries the ids a called helper authorized to the values
// the caller passed for them: a parameter it verified by name
// (assertCanManage(familyId)), or a property of an object parameter
// (assertCanManage({ context, familyId })).
func (a *analyzer) verifiedArgs(hf *jsast.File, fn *jsast.Node, args []*jsast.Node, s *summary) {
	if len(s.verified) == 0 {
		return
	}
	for i, p := range params(fn) {
		if i >= len(args) {
			break
		}
		arg := jsast.Unwrap(args[i])
		switch p.Type {
		case "identifier":
			if s.verified[hf.Text(p)] && arg != nil && arg.Type == "identifier" {
				a.verify(a.f.Text(arg))
			}
		case "object_pattern":
			if arg == nil || arg.Type != "object" {
				continue
			}
			for _, c := range p.NamedChildren() {
				key, local := "", ""
				switch c.Type {
				case "shorthand_property_identifier_pattern":
					key, local = hf.Text(c), hf.Text(c)
				case "pair_pattern":
					if v := c.ChildByField("value"); v != nil && v.Type == "identifier" {
						key, local = hf.Text(c.ChildByField("key")), hf.Text(v)
					}
				}
				if local == "" || !s.verified[local] {
					continue
				}
				for _, prop := range arg.NamedChildren() {
					switch {
					case prop.Type == "shorthand_property_identifier" && a.f.Text(prop) == key:
						a.verify(key)
					case prop.Type == "pair" && a.f.Text(prop.ChildByField("key")) == key:
						if v := jsast.Unwrap(prop.ChildByField("value")); v != nil && v.Type == "identifier" {
							a.verify(a.f.Text(v))
						}
					}
				}
			}
		}
	}
}

// filtersVerified reports whether a filter holds an id the function has
// authorized (noteVerified, verifiedArgs).
func (a *analyzer) filtersVerified(filter []*jsast.Node) bool {
	if len(a.s.verified) == 0 {
		return false
	}
	found := false
	for _, f := range filter {
		jsast.Walk(f, func(x *jsast.Node) bool {
			if found || jsast.IsFunction(x) {
				return false
			}
			if (x.Type == "identifier" || x.Type == "shorthand_property_identifier") && a.s.verified[a.f.Text(x)] {
				found = true
			}
			return true
		})
	}
	return found
}
