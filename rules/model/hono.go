package model

import (
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
