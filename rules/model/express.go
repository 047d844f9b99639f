package model

import (
	"context"

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
type expressAdapter struct{}

// expressStyle: handlers receive (req, res, next) and middleware runs in
// registration order (https://expressjs.com/en/guide/using-middleware.html).
var expressStyle = &nodeStyle{fw: knowledge.Express, project: project.FrameworkExpress, dep: "express", kind: ExpressRoute,
	handler: []ParamRole{ParamRequest, ParamResponse, ParamNext}, cont: "next()"}

func (expressAdapter) Framework() Framework { return knowledge.Express }

func (expressAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.express.get(func() ([]*Entry, error) { return nodeEntries(ctx, m, expressStyle) })
}

func (a expressAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !m.maybeNode(expressStyle, p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return nodeEntriesOf(p, es, err)
}
