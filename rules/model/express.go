package model

import (
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// expressAdapter lists the routes of Express applications: every
// app.METHOD/router.METHOD registration, with the path prefixes of the
// routers it is mounted through (across files) and the middleware that
// runs before it in registration order: app.use and router.use layers
// registered earlier on a covering path, the middleware of each mount,
// and the route's own middleware arguments. Clerk's middleware is
// classified by rules/knowledge (clerkMiddleware() and
// ClerkExpressWithAuth() attach; requireAuth() redirects;
// ClerkExpressRequireAuth() rejects); the application's own middleware by
// analysing it as middleware (a guard never calls next() for a signed-out
// caller). The walk is shared with the other Node servers (node.go).
var expressAdapter = nodeAdapter{st: expressStyle}

// expressStyle: handlers receive (req, res, next) and middleware runs in
// registration order (https://expressjs.com/en/guide/using-middleware.html).
var expressStyle = &nodeStyle{fw: knowledge.Express, project: project.FrameworkExpress, dep: "express", kind: ExpressRoute,
	handler: []ParamRole{ParamRequest, ParamResponse, ParamNext}, cont: "next()"}
