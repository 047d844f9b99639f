package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// reqCtxMember returns what a member of a request context object holds:
// the { request, params, context } of a Remix or React Router loader or
// action, Astro's APIContext (and the Astro global of a page), and the
// { data, context } a TanStack Start server function receives, and the
// { parsedInput, ctx } of an action client's server code.
func reqCtxMember(v value, prop string) value {
	// An action client's ({ parsedInput, ctx }) (rules/knowledge actionClients).
	switch knowledge.ActionArgField(prop) {
	case "ctx":
		prop = "context"
	case "input":
		return value{kind: vRequest, src: FromArgs}
	}
	switch prop {
	case "context":
		if v.field == "identity" {
			return value{kind: vIdentity, field: "context"} // what an auth middleware passed on: null fields when signed out
		}
	case "request":
		return value{kind: vReq}
	case "params":
		return value{kind: vRequest, src: FromParams}
	case "url":
		return value{kind: vRequest, src: FromQuery}
	case "cookies":
		return value{kind: vRequest, src: FromCookies}
	case "data":
		return value{kind: vRequest, src: FromArgs} // a server function's input: whatever the client sends
	case "locals":
		return value{kind: vLocals}
	case "next":
		return value{kind: vNext} // a TanStack Start middleware's ({ next })
	}
	return value{}
}

// localsIdentity returns what a method of a request's locals returns
// when rules/knowledge lists it as an identity source read from locals
// (Astro.locals.auth(), locals.currentUser()).
func (a *analyzer) localsIdentity(call *jsast.Node, method string) (value, bool) {
	src, ok := knowledge.IdentitySourceOn("locals", method)
	if !ok {
		return value{}, false
	}
	a.noteRead(call, "locals."+method+"()")
	switch src.Returns {
	case knowledge.BackendUser:
		return value{kind: vUser, clerk: true}, true
	case knowledge.SessionClaims:
		return value{kind: vIdentity, field: "claims"}, true
	}
	return value{kind: vAuthObj}, true
}

// localModule reports whether an imported name comes from a file of the
// snapshot through a specifier that looks like a package (tsconfig
// baseUrl: `import Weight from "models/weight.model"`).
func (a *analyzer) localModule(name string) bool {
	o, ok, err := a.m.origin(a.ctx, a.f, name)
	return err == nil && ok && o.Module.Kind == modules.File
}
