package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// promiseAllElems returns the elements of the array literal passed to
// Promise.all in val (`await Promise.all([db.org.findUnique(...),
// currentUser()])`), whose results the array pattern it is destructured
// into receives one by one (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/all:
// fulfilled with an array of the input promises' values, in order); nil
// for anything else.
func promiseAllElems(f *jsast.File, val *jsast.Node) []*jsast.Node {
	u := jsast.Unwrap(val)
	if u == nil || u.Type != "call_expression" || f.CalleeName(u) != "Promise.all" {
		return nil
	}
	args := jsast.Args(u)
	if len(args) != 1 {
		return nil
	}
	arr := jsast.Unwrap(args[0])
	if arr == nil || arr.Type != "array" {
		return nil
	}
	var out []*jsast.Node
	for _, c := range arr.NamedChildren() {
		if c.Type == "spread_element" {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// bindPromiseAll binds each name of an array pattern to the value of the
// Promise.all element in its position; it reports false (binding nothing)
// when val is no such call or the pattern holds anything but plain names.
func (a *analyzer) bindPromiseAll(name, val *jsast.Node) bool {
	elems := promiseAllElems(a.f, val)
	if elems == nil || name.Type != "array_pattern" {
		return false
	}
	names := name.NamedChildren()
	if len(names) > len(elems) {
		return false
	}
	for _, c := range names {
		if c.Type != "identifier" {
			return false
		}
	}
	for i, c := range names {
		a.setVar(a.f.Text(c), a.classify(elems[i]), name.Line)
	}
	return true
}
