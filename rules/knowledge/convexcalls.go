package knowledge

// ConvexRunCall is a call that runs a Convex function by reference
// (api.x.y, internal.x.y): from another Convex function through its ctx,
// or from server code through an HTTP client. The function runs with the
// arguments object that follows the reference.
type ConvexRunCall struct {
	// Name is the method or function name as called.
	Name string
	// RefArg is the index of the function reference among the call's
	// arguments; the arguments object follows it.
	RefArg int
	// Client marks a call made from outside the Convex deployment (server
	// code of an app): it can run only public functions (api.x.y), and
	// is a method of a ConvexHttpClient (Module "") or a function of
	// Module.
	Client bool
	Module string
	Source string
}

var convexRunCalls = []ConvexRunCall{
	{Name: "runQuery", Source: "https://docs.convex.dev/functions/actions#action-context (ctx.runQuery(ref, args))"},
	{Name: "runMutation", Source: "https://docs.convex.dev/functions/actions#action-context (ctx.runMutation(ref, args))"},
	{Name: "runAction", Source: "https://docs.convex.dev/functions/actions#action-context (ctx.runAction(ref, args))"},
	{Name: "runAfter", RefArg: 1, Source: "https://docs.convex.dev/scheduling/scheduled-functions (ctx.scheduler.runAfter(delay, ref, args))"},
	{Name: "runAt", RefArg: 1, Source: "https://docs.convex.dev/scheduling/scheduled-functions (ctx.scheduler.runAt(time, ref, args))"},
	{Name: "query", Client: true, Source: "https://docs.convex.dev/api/classes/browser.ConvexHttpClient#query (client.query(ref, args))"},
	{Name: "mutation", Client: true, Source: "https://docs.convex.dev/api/classes/browser.ConvexHttpClient#mutation (client.mutation(ref, args))"},
	{Name: "action", Client: true, Source: "https://docs.convex.dev/api/classes/browser.ConvexHttpClient#action (client.action(ref, args))"},
	{Name: "fetchQuery", Client: true, Module: "convex/nextjs", Source: "https://docs.convex.dev/api/modules/nextjs#fetchquery (fetchQuery(ref, args, options))"},
	{Name: "fetchMutation", Client: true, Module: "convex/nextjs", Source: "https://docs.convex.dev/api/modules/nextjs#fetchmutation (fetchMutation(ref, args, options))"},
	{Name: "fetchAction", Client: true, Module: "convex/nextjs", Source: "https://docs.convex.dev/api/modules/nextjs#fetchaction (fetchAction(ref, args, options))"},
}

// ConvexRunCallOf returns the call that runs a Convex function by
// reference named name (the method or function name as called).
func ConvexRunCallOf(name string) (ConvexRunCall, bool) {
	for _, c := range convexRunCalls {
		if c.Name == name {
			return c, true
		}
	}
	return ConvexRunCall{}, false
}

// ConvexCrudModule is the module of convex-helpers' crud(schema, table,
// query?, mutation?), which generates functions that read and write one
// table's documents; a module exports them by destructuring
// (export const { create, read, update } = crud(schema, "notes")).
const ConvexCrudModule = "convex-helpers/server/crud"

// ConvexCrudOp is a function crud() generates: what it does to the
// table's documents with the arguments it is run with.
type ConvexCrudOp struct {
	// Name is the property of crud()'s result.
	Name string
	// Writes marks an insert, a patch or a delete; the others read.
	Writes bool
	// Selects marks an operation on the one document whose id its
	// arguments give.
	Selects bool
	Source  string
}

var convexCrudOps = []ConvexCrudOp{
	{Name: "create", Writes: true, Source: "https://app.unpkg.com/convex-helpers@0.1.108/files/server/crud.ts (create: ctx.db.insert(table, args))"},
	{Name: "read", Selects: true, Source: "https://app.unpkg.com/convex-helpers@0.1.108/files/server/crud.ts (read: ctx.db.get(args.id))"},
	{Name: "paginate", Source: "https://app.unpkg.com/convex-helpers@0.1.108/files/server/crud.ts (paginate: ctx.db.query(table).paginate(args.paginationOpts))"},
	{Name: "update", Writes: true, Selects: true, Source: "https://app.unpkg.com/convex-helpers@0.1.108/files/server/crud.ts (update: ctx.db.patch(args.id, args.patch))"},
	{Name: "destroy", Writes: true, Selects: true, Source: "https://app.unpkg.com/convex-helpers@0.1.108/files/server/crud.ts (destroy: ctx.db.delete(args.id))"},
}

// ConvexCrudOpOf returns the crud() operation named name.
func ConvexCrudOpOf(name string) (ConvexCrudOp, bool) {
	for _, o := range convexCrudOps {
		if o.Name == name {
			return o, true
		}
	}
	return ConvexCrudOp{}, false
}
