package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// appendsCaller reports a write whose every change appends to an array
// field of the record it selects an entry that names the caller
// (knowledge.QueryOperator: Appends): MongoDB's { $push: { applications: {
// applicantId: userId, status: 'pending' } } } or { $addToSet: {
// followers: userId } }, Prisma's data: { likedBy: { push: userId } }.
// It is the embedded form of a record the caller creates in their own
// name about the selected one (an application, a review, a follow),
// which an application lets signed-in users add to records it shows
// them, as it lets them create such a record in a table of its own.
func (a *analyzer) appendsCaller(call *jsast.Node) bool {
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	upd := args[len(args)-1]
	if len(args) >= 2 {
		upd = args[1] // MongoDB: (filter, update, options)
	}
	upd = jsast.Unwrap(upd)
	if upd == nil || upd.Type != "object" {
		return false
	}
	if d := jsast.Unwrap(a.f.ObjectProp(upd, "data")); d != nil && d.Type == "object" {
		// Prisma: data: { field: { push: value } }
		return a.eachField(d, func(v *jsast.Node) bool {
			v = jsast.Unwrap(v)
			if v == nil || v.Type != "object" || len(a.f.ObjectKeys(v)) != 1 || !knowledge.QueryOperator(a.f.ObjectKeys(v)[0], knowledge.Appends) {
				return false
			}
			return a.callerEntry(a.f.ObjectProp(v, a.f.ObjectKeys(v)[0]))
		})
	}
	return a.eachField(upd, func(op *jsast.Node) bool {
		op = jsast.Unwrap(op)
		if op == nil || op.Type != "object" || op.Parent == nil || !knowledge.QueryOperator(pairKey(a.f, op.Parent), knowledge.Appends) {
			return false
		}
		return a.eachField(op, a.callerEntry)
	})
}

// eachField reports whether obj has fields, all of them pairs, and ok
// holds for each value.
func (a *analyzer) eachField(obj *jsast.Node, ok func(v *jsast.Node) bool) bool {
	n := 0
	for _, c := range obj.NamedChildren() {
		if c.Type == "comment" {
			continue
		}
		if c.Type != "pair" || !ok(c.ChildByField("value")) {
			return false
		}
		n++
	}
	return n > 0
}

// callerEntry reports an appended element that names the caller: the
// identity itself, an object one of whose fields is the identity (its
// other fields are the entry's content), or the $each list of such
// elements with the operator's modifiers.
func (a *analyzer) callerEntry(v *jsast.Node) bool {
	v = jsast.Unwrap(v)
	if v == nil {
		return false
	}
	if v.Type != "object" {
		c := a.classify(v)
		return c.identityish() && !orgish(c.field)
	}
	if each := a.f.ObjectProp(v, "$each"); each != nil {
		for _, k := range a.f.ObjectKeys(v) {
			if !knowledge.QueryOperator(k, knowledge.AppendModifier) {
				return false
			}
		}
		list := jsast.Unwrap(each)
		if list == nil || list.Type != "array" || len(list.NamedChildren()) == 0 {
			return false
		}
		for _, el := range list.NamedChildren() {
			if el.Type != "comment" && !a.callerEntry(el) {
				return false
			}
		}
		return true
	}
	for _, c := range v.NamedChildren() {
		var cv value
		switch c.Type {
		case "pair":
			cv = a.classify(c.ChildByField("value"))
		case "shorthand_property_identifier":
			cv = a.vars[a.f.Text(c)]
		default:
			continue
		}
		if cv.identityish() && !orgish(cv.field) {
			return true
		}
	}
	return false
}

// pairKey is the key of an object pair, unquoted.
func pairKey(f *jsast.File, pair *jsast.Node) string {
	if pair.Type != "pair" {
		return ""
	}
	if s, ok := f.StringValue(pair.ChildByField("key")); ok {
		return s
	}
	return f.Text(pair.ChildByField("key"))
}
