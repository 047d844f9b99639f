package knowledge

import "strings"

// DataClientFactory is a call that makes a client of a hosted database
// that browser code may call directly with a public key: the database
// then decides access per request (Supabase's Row Level Security) from
// the token the client sends, so a client that sends no token of the
// signed-in user is anonymous to it.
type DataClientFactory struct {
	Package string // the module it is imported from
	Name    string // the export
	// Library is the data library of dataAPIs whose calls the client makes.
	Library string
	// KeyArg and OptionsArg are the positions of the key and the options.
	KeyArg, OptionsArg int
	// ServerOnly is set for factories meant for server code only (they
	// take the request's cookies).
	ServerOnly bool
	Source     string
}

// dataClientFactories lists the client factories.
var dataClientFactories = []DataClientFactory{
	{Package: "@supabase/supabase-js", Name: "createClient", Library: "supabase", KeyArg: 1, OptionsArg: 2,
		Source: "https://supabase.com/docs/reference/javascript/initializing (createClient(supabaseUrl, supabaseKey, options))"},
	{Package: "@supabase/ssr", Name: "createBrowserClient", Library: "supabase", KeyArg: 1, OptionsArg: 2,
		Source: "https://supabase.com/docs/guides/auth/server-side/creating-a-client (createBrowserClient(url, key, options))"},
	{Package: "@supabase/ssr", Name: "createServerClient", Library: "supabase", KeyArg: 1, OptionsArg: 2, ServerOnly: true,
		Source: "https://supabase.com/docs/guides/auth/server-side/creating-a-client (createServerClient(url, key, { cookies }))"},
}

// DataClientFactoryOf returns the factory an export name of module pkg is.
func DataClientFactoryOf(pkg, name string) (DataClientFactory, bool) {
	for _, f := range dataClientFactories {
		if f.Package == pkg && f.Name == name {
			return f, true
		}
	}
	return DataClientFactory{}, false
}

// TokenOption is an option of a data client factory through which the
// client sends a token of the signed-in user with every request. A
// client whose token option carries the request's own token runs every
// query as the caller: the database's per-user rules (Supabase's Row
// Level Security) decide what it reaches, and PostgREST refuses a token
// it cannot verify (sources of the entries below).
type TokenOption struct {
	Library string
	// Path is the dotted option path ("accessToken", "global.headers").
	Path string
	// Header is the header the option must set, "" when the option itself
	// supplies the token.
	Header string
	// Custom is set when the option replaces the transport (a fetch of
	// the application's own): whether it adds a token is the
	// application's code, not the option's.
	Custom bool
	Source string
}

// tokenOptions lists how each client sends a user's token.
var tokenOptions = []TokenOption{
	{Library: "supabase", Path: "accessToken",
		Source: "https://clerk.com/docs/integrations/databases/supabase (createClient(url, key, { async accessToken() { return session?.getToken() ?? null } })); " +
			"https://supabase.github.io/supabase-js/v2/types/lib_types.SupabaseClientOptions.html (accessToken: a third-party auth token per request)"},
	{Library: "supabase", Path: "global.headers", Header: "authorization",
		Source: "https://supabase.github.io/supabase-js/v2/types/lib_types.SupabaseClientOptions.html (global.headers sent with every request; Authorization carries the JWT RLS reads); " +
			"https://supabase.com/docs/guides/functions/auth-legacy-jwt (\"Create client with Auth context of the user that called the function. This way your row-level-security (RLS) policies are applied\": createClient(url, anonKey, { global: { headers: { Authorization: req.headers.get('Authorization') } } }))"},
	{Library: "supabase", Path: "global.fetch", Custom: true,
		Source: "https://supabase.github.io/supabase-js/v2/types/lib_types.SupabaseClientOptions.html (global.fetch: a custom fetch implementation)"},
}

// tokenSetters are calls on a made client that give it the user's token
// afterwards (Library "" members are the client's own properties).
var tokenSetters = []TokenOption{
	{Library: "supabase", Path: "auth.setSession",
		Source: "https://supabase.com/docs/reference/javascript/auth-setsession (sets the session whose access token the client sends)"},
	{Library: "supabase", Path: "realtime.setAuth",
		Source: "https://supabase.com/docs/reference/javascript/realtime-setauth (sets the JWT Realtime sends)"},
	{Library: "supabase", Path: "headers", Header: "authorization",
		Source: "https://supabase.github.io/supabase-js/v2/classes/SupabaseClient.html (headers: the headers every request of the client sends)"},
}

// TokenSettersOf returns the ways a made client of a library is given a
// token afterwards: a method path, or a header object path and header.
func TokenSettersOf(library string) []TokenOption { return ofLibrary(tokenSetters, library) }

// TokenOptionsOf returns the token options of a data library.
func TokenOptionsOf(library string) []TokenOption { return ofLibrary(tokenOptions, library) }

func ofLibrary(list []TokenOption, library string) []TokenOption {
	var out []TokenOption
	for _, o := range list {
		if o.Library == library {
			out = append(out, o)
		}
	}
	return out
}

// PrivilegedKeyName reports whether a variable name holds a key that
// bypasses the database's per-user rules (Supabase's service_role or
// secret key): a client made with it is not anonymous, it is all-powerful,
// which is a secret-exposure problem, not a missing-token one.
// Source: https://supabase.com/docs/guides/api/api-keys (publishable/anon
// keys are safe to expose; secret/service_role keys bypass RLS).
func PrivilegedKeyName(name string) bool {
	u := strings.ToUpper(name)
	return strings.Contains(u, "SERVICE_ROLE") || strings.Contains(u, "SERVICE_KEY") || strings.Contains(u, "SECRET")
}

// ColumnFilter is a filter method of a query builder that selects rows by
// a column's value.
type ColumnFilter struct {
	Library, Method string
	// Object is set when the filter takes { column: value } instead of
	// (column, value).
	Object bool
	Source string
}

var columnFilters = []ColumnFilter{
	{Library: "supabase", Method: "eq", Source: "https://supabase.com/docs/reference/javascript/eq"},
	{Library: "supabase", Method: "in", Source: "https://supabase.com/docs/reference/javascript/in"},
	{Library: "supabase", Method: "filter", Source: "https://supabase.com/docs/reference/javascript/filter"},
	{Library: "supabase", Method: "match", Object: true, Source: "https://supabase.com/docs/reference/javascript/match"},
}

// ColumnFilterOf returns the filter method of a library.
func ColumnFilterOf(library, method string) (ColumnFilter, bool) {
	for _, c := range columnFilters {
		if c.Library == library && c.Method == method {
			return c, true
		}
	}
	return ColumnFilter{}, false
}

// DataRESTAPI is a hosted database's HTTP API that browser code may call
// directly, without the library's client, sending the public key in a
// header: the request is the query a client of Library would send, and
// without a user token in TokenHeader (or with the public key there) the
// database sees an anonymous caller.
type DataRESTAPI struct {
	Library string
	// Path is the URL path before the table ("/rest/v1/").
	Path string
	// KeyHeader carries the public key; TokenHeader the user's token.
	KeyHeader, TokenHeader string
	// Methods maps an HTTP method to what the request does to the table.
	Methods map[string]Effect
	Source  string
}

var dataRESTAPIs = []DataRESTAPI{
	{Library: "supabase", Path: "/rest/v1/", KeyHeader: "apikey", TokenHeader: "Authorization",
		Methods: map[string]Effect{"GET": Read, "HEAD": Read, "POST": Write, "PATCH": Write, "PUT": Write, "DELETE": Write},
		Source: "https://supabase.com/docs/guides/api (https://<project_ref>.supabase.co/rest/v1/<table>, the apikey header), " +
			"https://supabase.com/docs/guides/api/api-keys (the anon key in the browser; a user's JWT in Authorization), " +
			"https://docs.postgrest.org/en/stable/references/api/tables_views.html (GET reads, POST inserts, PATCH updates, DELETE deletes; column=eq.value filters)"},
}

// DataRESTTable returns the API a request URL (as written: a literal or
// a template) is sent to and the table it names.
func DataRESTTable(url string) (DataRESTAPI, string, bool) {
	for _, api := range dataRESTAPIs {
		_, rest, ok := strings.Cut(url, api.Path)
		if !ok {
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})
		if end < 0 {
			end = len(rest)
		}
		if end == 0 || end < len(rest) && rest[end] == '$' {
			return DataRESTAPI{}, "", false // a table the code computes
		}
		return api, rest[:end], true
	}
	return DataRESTAPI{}, "", false
}
