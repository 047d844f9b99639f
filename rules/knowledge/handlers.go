package knowledge

// LibraryHandler is a library's ready-made request handler: a factory
// whose result an application exports as its route handler
// (`export { handler as GET, handler as POST }`), so the code that runs
// for a request is the library's, configured by the factory's options.
type LibraryHandler struct {
	Package string // the import path of the factory: "@edgestore/server/adapters/next/app"
	Export  string // "createEdgeStoreNextHandler"
	// Does says what a request to the handler does, for messages
	// ("uploads, replaces and deletes files").
	Does string
	// Deletes is set when a request can change or delete what is
	// already stored (by a file URL the caller names).
	Deletes bool
	// GuardOption is the option of the factory's argument whose function
	// identifies the caller before anything is stored ("createContext");
	// without it the library lets every request through. "" when the
	// check lives elsewhere (GuardIn).
	GuardOption string
	// GuardIn names where the library runs the application's check when
	// it is not an option of the factory ("each file route's
	// `.middleware()`"); the model does not follow it yet.
	GuardIn string
	// RouteGuard is the method of the router's route builder whose
	// function runs on the server before anything is stored and refuses
	// the request by throwing ("middleware": UploadThing's
	// `f({...}).middleware(fn)`); "" when there is none.
	RouteGuard string
	// RouterOption is the option of the factory's argument that holds the
	// application's buckets ("router"); "" when there is none.
	RouterOption string
	// AllowHooks are the per-bucket hooks the library asks before it acts
	// on a stored file.
	AllowHooks []AllowHook
	// Methods are the HTTP methods whose requests do what Does says; a
	// request with another method only gets the library's configuration
	// back (Describes). Empty: every method acts.
	Methods   []string
	Describes string
	Source    string
}

// ActsOn reports whether a request with one of methods ("ALL" for any)
// does what the handler Does.
func (h LibraryHandler) ActsOn(methods []string) bool {
	if len(h.Methods) == 0 {
		return true
	}
	for _, m := range methods {
		if m == "ALL" {
			return true
		}
		for _, a := range h.Methods {
			if m == a {
				return true
			}
		}
	}
	return false
}

// AllowHook is a method of a library's bucket builder taking a function
// the library calls with the caller's context and the file before it
// acts (`.beforeDelete(({ ctx, fileInfo }) => ...)`); the function's
// boolean result allows or refuses the act, and without the hook the
// library refuses it. A hook that returns `true` whatever the caller lets
// every caller do it to any file of the bucket.
type AllowHook struct {
	Method string // "beforeDelete"
	Allows string // "delete any stored file of the bucket by its URL"
	Source string
}

// libraryHandlers are the upload libraries whose route handler an
// application exports as is.
//
// Sources: EdgeStore's package README
// (https://www.npmjs.com/package/@edgestore/react: "a simple file bucket
// with no validation that will be accessible by anyone", the handler
// created by createEdgeStoreNextHandler({ router }) and exported as GET
// and POST) and its configuration guide
// (https://edgestore.dev/docs/configuration: createContext identifies the
// user; beforeUpload/beforeDelete decide per file); UploadThing's Next.js
// adapter (uploadthing src/next.ts, createRouteHandler returns
// { GET, POST }; https://docs.uploadthing.com/getting-started/appdir: the
// file route's .middleware() runs before the upload and throws to refuse
// it).
var libraryHandlers = []LibraryHandler{
	{Package: "@edgestore/server/adapters/next/app", Export: "createEdgeStoreNextHandler", Does: "uploads, replaces and deletes files",
		Deletes: true, GuardOption: "createContext", RouterOption: "router", AllowHooks: edgeStoreHooks, Source: "https://edgestore.dev/docs/configuration"},
	{Package: "@edgestore/server/adapters/next/pages", Export: "createEdgeStoreNextHandler", Does: "uploads, replaces and deletes files",
		Deletes: true, GuardOption: "createContext", RouterOption: "router", AllowHooks: edgeStoreHooks, Source: "https://edgestore.dev/docs/configuration"},
	{Package: "uploadthing/next", Export: "createRouteHandler", Does: "stores uploaded files",
		GuardIn: "each file route's `.middleware()`", RouterOption: "router", RouteGuard: "middleware", Methods: utActs, Describes: utDescribes, Source: "https://docs.uploadthing.com/getting-started/appdir"},
	{Package: "uploadthing/next", Export: "createNextRouteHandler", Does: "stores uploaded files",
		GuardIn: "each file route's `.middleware()`", RouterOption: "router", RouteGuard: "middleware", Methods: utActs, Describes: utDescribes, Source: "https://docs.uploadthing.com/getting-started/appdir"},
	{Package: "uploadthing/next-legacy", Export: "createRouteHandler", Does: "stores uploaded files",
		GuardIn: "each file route's `.middleware()`", RouterOption: "router", RouteGuard: "middleware", Methods: utActs, Describes: utDescribes, Source: "https://docs.uploadthing.com/getting-started/pagedir"},
	// The Request-in, Response-out handler of uploadthing/server, mounted
	// by SvelteKit (+server.ts), Astro, Remix and other fetch-based
	// frameworks: https://docs.uploadthing.com/getting-started/sveltekit
	// (uploadthing src/server.ts, createRouteHandler).
	{Package: "uploadthing/server", Export: "createRouteHandler", Does: "stores uploaded files",
		GuardIn: "each file route's `.middleware()`", RouterOption: "router", RouteGuard: "middleware", Methods: utActs, Describes: utDescribes, Source: "https://docs.uploadthing.com/getting-started/sveltekit"},
}

// UploadThing's request handler answers GET with the file routes'
// configuration (their slugs and file limits, which its client reads
// before an upload) and does everything else on POST: uploads, the
// signed callbacks. Source: uploadthing
// packages/uploadthing/src/_internal/handler.ts (createRequestHandler:
// `HttpRouter.get("*", GET)` returns `HttpServerResponse.json(routerConfig)`,
// `HttpRouter.post("*", POST)` runs the upload and callback actions).
var (
	utActs      = []string{"POST"}
	utDescribes = "the file routes' configuration"
)

// edgeStoreHooks are EdgeStore's per-bucket lifecycle hooks that decide
// an act the library otherwise refuses. Source: EdgeStore's configuration
// guide, "Lifecycle Hooks" (https://edgestore.dev/docs/configuration):
// beforeDelete receives { ctx, fileInfo } and returns a boolean, and "must
// be defined if you want to delete files directly from the client".
// beforeUpload is not listed: uploads are allowed without it, so a hook
// returning `true` only restates the default.
var edgeStoreHooks = []AllowHook{
	{Method: "beforeDelete", Allows: "delete any stored file of the bucket by its URL", Source: "https://edgestore.dev/docs/configuration"},
}

// LibraryHandlerOf returns the ready-made handler a package's export
// creates.
func LibraryHandlerOf(pkg, export string) (LibraryHandler, bool) {
	for _, h := range libraryHandlers {
		if h.Package == pkg && h.Export == export {
			return h, true
		}
	}
	return LibraryHandler{}, false
}
