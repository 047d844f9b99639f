package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP006 flags auth()/auth.protect() used with the wrong era's API: not
// awaited on v6+, auth().protect() on v6+, auth.protect() on v5, auth not
// called at all, and clerkClient used as an object on v6+.
var RP006 = &rules.Rule{
	ID:         "CLK-RP-006",
	Name:       "auth-not-awaited",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Keywords:   []string{"@clerk/nextjs"},
	Doc: rules.Doc{
		Title: "auth(), auth.protect() or currentUser() not awaited, or v5 and v6 APIs mixed",
		References: []string{
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/nextjs-v6",
			"clerk/javascript packages/nextjs/src/server/protect.ts",
			"clerk/javascript packages/eslint-plugin/src/next/lib/protection-checks.ts",
		},
		Text: "Since `@clerk/nextjs` v6, `auth()` returns a Promise and protection is `await auth.protect()`. " +
			"A non-awaited `auth.protect()` rejects in the background while the handler keeps running (fail open); " +
			"a non-awaited `auth()` yields a Promise, which is always truthy and has no `userId`; and the v5 form " +
			"`auth().protect()` calls a property of a Promise. On v5 the reverse mistake, `auth.protect()`, does " +
			"not exist. The rule reads the `@clerk/nextjs` version from package.json and stays quiet when it is unknown.\n\n" +
			"`currentUser()` returns a Promise in every version: `const user = currentUser(); if (!user) …` never sees a " +
			"signed-out user, so it is reported whatever the version.",
		Bad:  "export default async function Page() {\n  auth.protect()\n  return <Secret />\n}",
		Good: "export default async function Page() {\n  await auth.protect()\n  return <Secret />\n}",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		if p.NextEra(file).AsyncAuth() {
			return "`auth()` is async since `@clerk/nextjs` v6, where v5's `auth().protect()` became `await auth.protect()`: write `await auth.protect()` and `const { userId } = await auth()`. A non-awaited `auth.protect()` rejects in the background while your code keeps running."
		}
		if p.NextEra(file) == project.EraCore1 {
			return "On `@clerk/nextjs` v4 `auth()` is synchronous and has no `protect()`: write `const { userId } = auth(); if (!userId)` and stop the request. `await auth.protect()` needs v6 or later."
		}
		return "On `@clerk/nextjs` v5 `auth()` is synchronous and protection is `auth().protect()`; `auth.protect()` only exists from v6. Use `auth().protect()`, or upgrade to v6 and write `await auth.protect()`."
	},
	Run: runRP006,
}

type authScope struct {
	name  string
	scope *jsast.Node
}

func runRP006(pass *rules.Pass) error {
	era := pass.Project.NextEra(pass.File.Path)
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	// currentUser() has returned a Promise in every version that has it.
	unawaitedCurrentUser(pass, f)
	if era == project.EraUnknown {
		return nil
	}
	async := era.AsyncAuth()
	if async {
		// Also in a file that does not use auth() (currentUser() only).
		clerkClientObject(pass, f)
	}
	var locals []authScope
	for _, im := range f.Imports() {
		if im.Imported == "auth" && !im.TypeOnly && strings.HasPrefix(im.Source, "@clerk/nextjs") {
			locals = append(locals, authScope{im.Local, f.Root})
		}
	}
	// The auth parameter of clerkMiddleware's handler.
	for _, c := range f.Calls(f.Root, func(n string) bool { return f.ResolveClerk(n) == "clerkMiddleware" }) {
		args := jsast.Args(c)
		if len(args) == 0 {
			continue
		}
		h := jsast.Unwrap(args[0])
		if h.Type == "identifier" {
			h = jsast.Unwrap(f.LocalValue(f.Text(h)))
		}
		if h == nil || !jsast.IsFunction(h) {
			continue
		}
		if name := firstParam(f, h); name != "" {
			locals = append(locals, authScope{name, h})
		}
	}
	if era.AsyncAuth() {
		// clerkClient's era does not depend on importing auth.
		clerkClientObject(pass, f)
	}
	if len(locals) == 0 {
		return nil
	}
	isAuth := func(n *jsast.Node, name string) bool {
		for _, l := range locals {
			if l.name == name && l.scope.Contains(n) {
				return true
			}
		}
		return false
	}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(call)
		switch {
		case strings.HasSuffix(name, ".protect") && isAuth(call, strings.TrimSuffix(name, ".protect")):
			if !async {
				instead := rules.Code(strings.TrimSuffix(name, ".protect") + "().protect()")
				if era == project.EraCore1 {
					instead = "a `userId` check" // v4 has no protect() at all
				}
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.Medium,
					Message: fmt.Sprintf("%s does not exist on @clerk/nextjs %s: it throws a TypeError; use %s", rules.Code(name+"()"), eraVersion(era), instead)})
				continue
			}
			if !consumed(f, call) {
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
					Message:    fmt.Sprintf("%s is not awaited: it returns a Promise, so a signed-out request keeps running this code while the rejection is detached", rules.Code(name+"()")),
					Suggestion: awaitSuggestion(pass, call, call.Start, call.Start, "await ")})
			}
		case async && isAuth(call, name):
			reportUnawaitedAuth(pass, f, call, name)
		}
	}
	uncalledAuth(pass, f, isAuth)
	return nil
}

// clerkClientObject reports clerkClient from @clerk/nextjs used as an
// object (clerkClient.users.updateUser) where, since v6, it is an async
// function: `(await clerkClient()).users`. The property read is undefined
// and the call throws, so the route always fails.
func clerkClientObject(pass *rules.Pass, f *jsast.File) {
	local := ""
	for _, im := range f.Imports() {
		if im.Imported == "clerkClient" && !im.TypeOnly && strings.HasPrefix(im.Source, "@clerk/nextjs") {
			local = im.Local
		}
	}
	if local == "" {
		return
	}
	// One root cause, one finding: the first use, counting the others.
	var uses []*jsast.Node
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "member_expression" {
			return true
		}
		obj := n.ChildByField("object")
		if obj == nil || obj.Type != "identifier" || f.Text(obj) != local || f.LocalValue(local) != nil {
			return true
		}
		uses = append(uses, n)
		return false
	})
	if len(uses) == 0 {
		return
	}
	n, more := uses[0], ""
	if len(uses) > 1 {
		more = fmt.Sprintf(" (%d more uses in this file)", len(uses)-1)
	}
	pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: rules.Medium,
		Message: fmt.Sprintf("%s is an async function since @clerk/nextjs v6: %s is undefined and the call throws%s; use %s",
			rules.Code(local), rules.Code(f.Text(n)), more, rules.Code("(await "+local+"())."+f.Text(n.ChildByField("property"))))})
}

// uncalledAuth reports `const { userId } = await auth` (or `= auth`):
// the fields of the auth function itself, so userId is always undefined
// and every caller is treated as signed out.
func uncalledAuth(pass *rules.Pass, f *jsast.File, isAuth func(*jsast.Node, string) bool) {
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "variable_declarator" || n.ChildByField("name") == nil || n.ChildByField("name").Type != "object_pattern" {
			return true
		}
		v := n.ChildByField("value")
		for v != nil && (v.Type == "await_expression" || v.Type == "parenthesized_expression") {
			v = firstNamed(v)
		}
		if v == nil || v.Type != "identifier" || !isAuth(v, f.Text(v)) {
			return true
		}
		pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col, Severity: rules.Medium,
			Message: fmt.Sprintf("%s is not called: destructuring the function itself gives %s, so every caller is treated as signed out; call it (%s)",
				rules.Code(f.Text(v)), rules.Code("undefined"), rules.Code("await "+f.Text(v)+"()"))})
		return true
	})
}

// unawaitedCurrentUser reports currentUser() from @clerk/nextjs used without
// await: the Promise is never null, so `if (!user)` lets signed-out callers
// through (pattern seen in a public 'use server' action:
// `const user = currentUser(); if (!user) throw new Error('User not authenticated')`).
func unawaitedCurrentUser(pass *rules.Pass, f *jsast.File) {
	var locals []string
	for _, im := range f.Imports() {
		if im.Imported == "currentUser" && !im.TypeOnly && strings.HasPrefix(im.Source, "@clerk/nextjs") {
			locals = append(locals, im.Local)
		}
	}
	for _, local := range locals {
		for _, call := range f.Calls(f.Root, func(n string) bool { return n == local }) {
			p, child := exprParent(call)
			if p == nil || consumed(f, call) {
				continue
			}
			var msg string
			switch p.Type {
			case "member_expression":
				if p.ChildByField("object") != child {
					continue
				}
				msg = fmt.Sprintf("%s reads a property of a Promise: %s is async, so the value is always undefined", rules.Code(fmt.Sprintf("%s().%s", local, f.Text(p.ChildByField("property")))), rules.Code(local+"()"))
			case "variable_declarator":
				target := p.ChildByField("name")
				if target == nil {
					continue
				}
				if target.Type == "object_pattern" {
					msg = fmt.Sprintf("%s is not awaited: destructuring its Promise yields undefined for every field (%s)", rules.Code(local+"()"), rules.Code(strings.TrimSpace(f.Text(target))))
				} else {
					msg = fmt.Sprintf("%s is not awaited: %s holds a Promise, which is never null, so a check such as %s lets signed-out requests through", rules.Code(local+"()"), rules.Code(f.Text(target)), rules.Code("if (!"+f.Text(target)+")"))
				}
			case "unary_expression", "binary_expression", "parenthesized_expression", "if_statement", "ternary_expression":
				msg = fmt.Sprintf("%s is not awaited: its Promise is always truthy, so this check never sees a signed-out user", rules.Code(local+"()"))
			default:
				continue
			}
			d := rules.Diagnostic{Line: call.Line, Column: call.Col, Message: msg,
				Fix: "`currentUser()` is async in every `@clerk/nextjs` version: write `const user = await currentUser()` and check `if (!user)` on the awaited value. To only check sign-in, `const { userId } = await auth()` is cheaper (no Backend API call)."}
			if p.Type == "variable_declarator" {
				d.Suggestion = awaitSuggestion(pass, call, call.Start, call.Start, "await ")
			}
			pass.Report(d)
		}
	}
}

func eraVersion(e project.Era) string {
	if e == project.EraCore1 {
		return "v4"
	}
	return "v5"
}

func firstParam(f *jsast.File, fn *jsast.Node) string {
	if p := fn.ChildByField("parameter"); p != nil {
		return f.Text(p)
	}
	ps := fn.ChildByField("parameters")
	if ps == nil {
		return ""
	}
	for _, p := range ps.NamedChildren() {
		if pat := p.ChildByField("pattern"); pat != nil {
			p = pat
		}
		if p.Type == "identifier" {
			return f.Text(p)
		}
		return ""
	}
	return ""
}

// exprParent returns the parent of an expression, skipping parentheses
// and type assertions.
func exprParent(n *jsast.Node) (parent, child *jsast.Node) {
	child = n
	p := n.Parent
	for p != nil {
		switch p.Type {
		case "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression":
			child, p = p, p.Parent
			continue
		}
		return p, child
	}
	return nil, child
}

// consumed reports whether a Promise-valued call is awaited, returned,
// chained with then/catch or handed to another call.
func consumed(f *jsast.File, call *jsast.Node) bool {
	p, child := exprParent(call)
	if p == nil {
		return false
	}
	switch p.Type {
	case "await_expression", "return_statement", "arguments", "array", "pair", "yield_expression":
		return true
	case "arrow_function":
		return p.ChildByField("body") == child
	case "member_expression":
		switch f.Text(p.ChildByField("property")) {
		case "then", "catch", "finally":
			return true
		}
	case "variable_declarator":
		// const p = auth.protect(); ... await p
		name := p.ChildByField("name")
		if name == nil || name.Type != "identifier" {
			return false
		}
		scope := jsast.EnclosingFunction(p)
		if scope == nil {
			scope = f.Root
		}
		v := f.Text(name)
		found := false
		jsast.Walk(scope, func(x *jsast.Node) bool {
			if x.Type == "await_expression" {
				if a := jsast.Unwrap(firstNamed(x)); a != nil && a.Type == "identifier" && f.Text(a) == v {
					found = true
				}
			}
			return !found
		})
		return found
	}
	return false
}

func reportUnawaitedAuth(pass *rules.Pass, f *jsast.File, call *jsast.Node, name string) {
	p, child := exprParent(call)
	if p == nil || consumed(f, call) {
		return
	}
	var msg string
	switch p.Type {
	case "member_expression":
		if p.ChildByField("object") != child {
			return
		}
		prop := f.Text(p.ChildByField("property"))
		if prop == "protect" {
			msg = fmt.Sprintf("%s is the v5 API: on v6 %s returns a Promise, which has no `protect`; write %s", rules.Code(name+"().protect()"), rules.Code(name+"()"), rules.Code("await "+name+".protect()"))
		} else {
			msg = fmt.Sprintf("%s reads a property of a Promise: %s is async on v6, so the value is always undefined", rules.Code(fmt.Sprintf("%s().%s", name, prop)), rules.Code(name+"()"))
		}
	case "variable_declarator":
		target := p.ChildByField("name")
		if target != nil && target.Type == "object_pattern" {
			msg = fmt.Sprintf("%s is not awaited: destructuring its Promise yields undefined for every field (%s)", rules.Code(name+"()"), rules.Code(strings.TrimSpace(f.Text(target))))
		} else {
			msg = fmt.Sprintf("%s is not awaited: %s holds a Promise, which is always truthy and has no userId", rules.Code(name+"()"), rules.Code(f.Text(target)))
		}
	case "unary_expression", "binary_expression", "parenthesized_expression", "if_statement", "ternary_expression":
		msg = fmt.Sprintf("%s is not awaited: its Promise is always truthy, so this check never sees a signed-out user", rules.Code(name+"()"))
	default:
		return
	}
	d := rules.Diagnostic{Line: call.Line, Column: call.Col, Message: msg}
	switch {
	case p.Type == "member_expression" && f.Text(p.ChildByField("property")) == "protect":
		// auth().protect() -> await auth.protect()
		if pp := p.Parent; pp != nil && pp.Type == "call_expression" {
			d.Suggestion = awaitSuggestion(pass, call, p.Start, p.End, "await "+name+".protect")
		}
	case p.Type == "variable_declarator":
		d.Suggestion = awaitSuggestion(pass, call, call.Start, call.Start, "await ")
	}
	pass.Report(d)
}

// awaitSuggestion replaces bytes [from, to) of the call's line with text,
// when the call sits on one line inside an async function (elsewhere
// `await` would not compile, so no mechanical fix is offered).
func awaitSuggestion(pass *rules.Pass, call *jsast.Node, from, to int, text string) *rules.Suggestion {
	fn := jsast.EnclosingFunction(call)
	if fn == nil || !jsast.IsAsync(fn) || call.Line != call.EndLine {
		return nil
	}
	content := pass.File.Content
	lineStart := from
	for lineStart > 0 && content[lineStart-1] != '\n' {
		lineStart--
	}
	lineEnd := to
	for lineEnd < len(content) && content[lineEnd] != '\n' {
		lineEnd++
	}
	if lineEnd > lineStart && content[lineEnd-1] == '\r' {
		lineEnd--
	}
	if from < lineStart || to > lineEnd {
		return nil
	}
	line := string(content[lineStart:from]) + text + string(content[to:lineEnd])
	return &rules.Suggestion{StartLine: call.Line, EndLine: call.Line, Text: line}
}
