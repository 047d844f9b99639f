package knowledge

// ActionClient is a library that builds Next.js Server Actions from an
// immutable client: `client.use(mw).inputSchema(s).action(fn)`. The
// exported value of a 'use server' module is the chain's result; the
// function the terminal method receives is the action's server code, and
// every middleware the client's chain added runs before it.
type ActionClient struct {
	Package     string // the import path: "next-safe-action"
	Constructor string // the export that creates a client: "createSafeActionClient"
	// Middleware are the builder methods whose function argument runs
	// before the action with ({ ctx, next, clientInput, metadata }) and
	// either throws or passes a context on with next({ ctx }).
	Middleware []string
	// Terminal are the methods whose function argument is the action.
	Terminal []string
	// Ctx is the field of the action's (and a middleware's) argument that
	// holds what the middleware passed on.
	Ctx string
	// Inputs are the fields of the action's argument that hold what the
	// client sent (validated or raw).
	Inputs []string
	// MiddlewareOption is the option of the constructor's argument whose
	// function runs before every action of the client and returns its
	// context (next-safe-action v4 to v6, where the client is called as
	// `client(schema, async (parsedInput, { ctx }) => ...)`).
	MiddlewareOption string
	Source           string
}

// actionClients are the Server Action client libraries the model follows.
//
// Sources: next-safe-action's API reference
// (https://next-safe-action.dev/docs/api/safe-action-client: use(),
// useValidated(), action(), stateAction(); each returns a new client) and
// its middleware guide (https://next-safe-action.dev/docs/define-actions/middleware:
// a middleware halts the action by throwing, extends the context with
// next({ ctx }), and the server code receives { parsedInput, clientInput,
// bindArgsParsedInputs, bindArgsClientInputs, ctx, metadata }). Before
// v7 the client was a function called with the schema and the server code,
// and its middleware the constructor's `middleware` option, which throws
// to halt the action and returns the context the server code gets as
// `{ ctx }` (https://next-safe-action.dev/docs/migrations/v6-to-v7; the
// option is named since v4: https://next-safe-action.dev/docs/migrations/v3-to-v4).
var actionClients = []ActionClient{
	{Package: "next-safe-action", Constructor: "createSafeActionClient",
		Middleware: []string{"use", "useValidated"}, Terminal: []string{"action", "stateAction"}, Ctx: "ctx",
		Inputs:           []string{"parsedInput", "clientInput", "bindArgsParsedInputs", "bindArgsClientInputs"},
		MiddlewareOption: "middleware",
		Source:           "https://next-safe-action.dev/docs/api/safe-action-client; https://next-safe-action.dev/docs/define-actions/middleware; https://next-safe-action.dev/docs/migrations/v6-to-v7"},
}

// ActionClientOf returns the action client library a package's export
// creates.
func ActionClientOf(pkg, export string) (ActionClient, bool) {
	for _, c := range actionClients {
		if c.Package == pkg && c.Constructor == export {
			return c, true
		}
	}
	return ActionClient{}, false
}

// ActionArgField says what a field of an action client's argument holds:
// "ctx" for the context its middleware passed on, "input" for what the
// client sent, "" for anything else.
func ActionArgField(prop string) string {
	for _, c := range actionClients {
		if prop == c.Ctx {
			return "ctx"
		}
		for _, in := range c.Inputs {
			if prop == in {
				return "input"
			}
		}
	}
	return ""
}

// IsActionTerminal reports whether a method is the terminal method of an
// action client library (the one whose function is the action).
func IsActionTerminal(method string) bool {
	for _, c := range actionClients {
		for _, t := range c.Terminal {
			if t == method {
				return true
			}
		}
	}
	return false
}
