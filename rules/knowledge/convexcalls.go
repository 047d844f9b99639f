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
