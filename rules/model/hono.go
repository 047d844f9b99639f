package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// honoAdapter lists the routes of Hono apps: app.METHOD and app.on()
// registrations, with the basePath of their app and the prefixes of the
// app.route('/prefix', sub) calls that mount them (across files), and the
// middleware that runs before each handler: app.use([path], mw) layers
// registered earlier on a covering path (Hono runs handlers and
// middleware in registration order, https://hono.dev/docs/guides/middleware)
// and the route's own middleware arguments. Clerk's clerkMiddleware()
// (@hono/clerk-auth, @clerk/hono) only attaches the identity
// (rules/knowledge); the application's middleware rejects when a
// signed-out request never reaches await next(): it returns
// c.json(..., 401) or throws an HTTPException.
var honoAdapter = nodeAdapter{st: honoStyle}

// honoStyle: handlers receive the context c, middleware (c, next).
var honoStyle = &nodeStyle{fw: knowledge.Hono, project: project.FrameworkHono, dep: "hono", kind: HonoRoute,
	handler:    []ParamRole{ParamRequest},
	middleware: []ParamRole{ParamRequest, ParamNext}, cont: "next()"}

// honoFactoryHandlers expands a route argument spread from
// createHandlers(): `const h = factory.createHandlers(guard, handler)`
// then `app.get('/x', ...h)` registers guard and handler in that order
// (hono/factory's createHandlers returns its arguments,
// https://hono.dev/docs/helpers/factory#factory-createhandlers). It
// returns nil for anything else.
func honoFactoryHandlers(f *jsast.File, n *jsast.Node) []*jsast.Node {
	n = jsast.Unwrap(n)
	if n == nil || n.Type != "spread_element" || len(n.NamedChildren()) != 1 {
		return nil
	}
	id := jsast.Unwrap(n.NamedChildren()[0])
	if id == nil || id.Type != "identifier" {
		return nil
	}
	call := jsast.Unwrap(f.LocalValue(f.Text(id)))
	if call == nil || call.Type != "call_expression" || jsast.LastSegment(f.CalleeName(call)) != "createHandlers" {
		return nil
	}
	if externalOf(f, rootIdent(call.ChildByField("function"))) != "hono/factory" {
		return nil
	}
	return project.FlattenArgs(jsast.Args(call))
}
