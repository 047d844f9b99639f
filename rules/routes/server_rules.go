package routes

import (
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// serverRules lists the pack's rules for Node servers, React Router,
// Astro, Go backends and hand-rolled token handling, in ID order.
func serverRules() []*rules.Rule {
	return []*rules.Rule{RP007, RP011, RP012, RP013, RP014, RP015, RP016, RP017, RP018, RP021}
}

// The helpers below are shared by the server rules. They answer three
// questions about a function: does it check the signed-in identity and
// leave early when there is none, does it touch data, and where does a
// name it calls come from.

// srvIdentityFields are Auth object fields that are null/false when the
// request is signed out.
var srvIdentityFields = map[string]bool{
	"userId": true, "isAuthenticated": true, "sessionId": true, "isSignedIn": true, "sub": true,
}

// srvExitCalls are calls that end a request (or throw) when the identity
// check fails.
var srvExitCalls = map[string]bool{
	"status": true, "sendStatus": true, "code": true, "redirect": true, "redirectToSignIn": true,
	"unauthorized": true, "forbidden": true, "notFound": true, "error": true, "abort": true,
	"send": true, "json": true, "createError": true, "protect": true, "writeHead": true, "end": true,
}

// srvCondMentionsIdentity reports whether an if-condition tests the
// identity: a userId/isAuthenticated/sessionId field, a has() call, or a
// currentUser()-style user value named in users.
func srvCondMentionsIdentity(f *jsast.File, cond *jsast.Node, users map[string]bool) bool {
	found := false
	jsast.Walk(cond, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "identifier", "property_identifier", "shorthand_property_identifier":
			t := f.Text(n)
			if srvIdentityFields[t] || users[t] {
				found = true
			}
		case "call_expression":
			if jsast.LastSegment(f.CalleeName(n)) == "has" {
				found = true
			}
		}
		return true
	})
	return found
}

// srvExits reports whether a statement (an if branch) leaves the request:
// return, throw, or a call that responds with an error or redirect.
func srvExits(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return false
	}
	exits := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if exits || (x != n && jsast.IsFunction(x)) {
			return false
		}
		switch x.Type {
		case "return_statement", "throw_statement":
			exits = true
		case "call_expression":
			name := f.CalleeName(x)
			if srvExitCalls[jsast.LastSegment(name)] || (name == "next" && len(jsast.Args(x)) > 0) {
				exits = true
			}
		}
		return true
	})
	return exits
}

// srvChecksAuthIn reports whether fn's own body tests the identity with
// an early exit, or calls a protect()-style helper.
func srvChecksAuthIn(f *jsast.File, fn *jsast.Node) bool {
	body := jsast.FunctionBody(fn)
	if body == nil {
		body = fn
	}
	users := srvUserVars(f, body)
	ok := false
	jsast.Walk(body, func(n *jsast.Node) bool {
		if ok {
			return false
		}
		switch n.Type {
		case "if_statement":
			cond := n.ChildByField("condition")
			if srvCondMentionsIdentity(f, cond, users) &&
				(srvExits(f, n.ChildByField("consequence")) || srvExits(f, n.ChildByField("alternative"))) {
				ok = true
			}
		case "ternary_expression":
			if srvCondMentionsIdentity(f, n.ChildByField("condition"), users) &&
				(srvExits(f, n.ChildByField("consequence")) || srvExits(f, n.ChildByField("alternative"))) {
				ok = true
			}
		case "call_expression":
			name := f.CalleeName(n)
			if strings.HasSuffix(name, ".protect") || name == "protect" {
				ok = true
			}
		}
		return true
	})
	return ok
}

// srvUserVars returns local names bound to currentUser() results, and
// local names an identity field was copied into: `const { userId: me } =
// await getAuth(args)`, `const me = auth.userId`.
func srvUserVars(f *jsast.File, body *jsast.Node) map[string]bool {
	out := map[string]bool{}
	jsast.Walk(body, func(n *jsast.Node) bool {
		switch n.Type {
		case "variable_declarator":
			v := jsast.Unwrap(n.ChildByField("value"))
			id := n.ChildByField("name")
			if v == nil || id == nil || id.Type != "identifier" {
				return true
			}
			switch {
			case v.Type == "call_expression" && jsast.LastSegment(f.CalleeName(v)) == "currentUser":
				out[f.Text(id)] = true
			case v.Type == "member_expression" && srvIdentityFields[f.Text(v.ChildByField("property"))]:
				out[f.Text(id)] = true
			}
		case "pair_pattern":
			if k, val := n.ChildByField("key"), n.ChildByField("value"); k != nil && val != nil &&
				srvIdentityFields[f.Text(k)] && val.Type == "identifier" {
				out[f.Text(val)] = true
			}
		}
		return true
	})
	return out
}

// srvDataRoots are receiver names that denote a data store or a
// privileged API client.
var srvDataRoots = map[string]bool{
	"db": true, "prisma": true, "knex": true, "pool": true, "sql": true, "supabase": true, "mongoose": true,
	"redis": true, "drizzle": true, "database": true, "conn": true, "connection": true, "repo": true,
	"repository": true, "models": true, "store": true, "kv": true, "firestore": true, "clerkClient": true,
	"clerk": true, "stripe": true, "collection": true, "orm": true, "em": true, "dataSource": true, "Astro.locals.db": true,
}

// srvDataMethods are calls that read or write records whatever their
// receiver is named.
var srvDataMethods = map[string]bool{
	"findMany": true, "findUnique": true, "findFirst": true, "findOne": true, "findById": true, "findAll": true,
	"findByIdAndUpdate": true, "findByIdAndDelete": true, "findOneAndUpdate": true, "deleteMany": true,
	"updateMany": true, "insertOne": true, "insertMany": true, "deleteOne": true, "updateOne": true,
	"upsert": true, "query": true, "execute": true, "createMany": true, "getUser": true, "updateUser": true,
	"deleteUser": true, "getUserList": true, "updateUserMetadata": true, "selectFrom": true, "insertInto": true,
	"deleteFrom": true, "transaction": true, "$queryRaw": true, "$executeRaw": true,
}

// srvModelMethods are data calls on a capitalised model (User.find()).
var srvModelMethods = map[string]bool{
	"find": true, "create": true, "update": true, "delete": true, "destroy": true, "save": true, "remove": true,
	"findAll": true, "count": true, "aggregate": true, "insert": true, "select": true,
}

// srvTouchesData reports whether fn calls a data store or a privileged
// API, and names the first such call.
func srvTouchesData(f *jsast.File, fn *jsast.Node) (string, bool) {
	var hit string
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if hit != "" {
			return false
		}
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			if name == "" {
				return true
			}
			if name == "sql" { // sql`select ...` parses as a call
				hit = "sql`...`"
				return false
			}
			segs := strings.Split(strings.ReplaceAll(name, "()", ""), ".")
			root, last := segs[0], segs[len(segs)-1]
			switch {
			case len(segs) > 1 && srvDataRoots[root]:
				hit = name
			case len(segs) > 1 && srvDataMethods[last]:
				hit = name
			case len(segs) > 1 && srvModelMethods[last] && root != "" && root[0] >= 'A' && root[0] <= 'Z' &&
				root != "Object" && root != "Array" && root != "JSON" && root != "Promise" && root != "Math" && root != "Response":
				hit = name
			case last == "save" && isModelSave(f, fn, n):
				hit = name
			}
		}
		return true
	})
	return hit, hit != ""
}

// srvPublicPath matches paths that are public by convention.
var srvPublicPath = regexp.MustCompile(`(?i)(^|/)(sign-?in|sign-?up|login|logout|register|webhooks?|public|health(z|check)?|readyz|livez|status|ping|og|cron|metrics|docs|favicon\.ico|robots\.txt|auth/callback|\.well-known)(/|$)`)

// srvIsPublicPath reports whether p looks like a public endpoint.
func srvIsPublicPath(p string) bool { return srvPublicPath.MatchString(p) }

// srvResolver follows names across the files of the snapshot.
type srvResolver struct {
	pass *rules.Pass
}

// parse returns the AST of the file at p.
func (r *srvResolver) parse(p string) *jsast.File {
	sf := r.pass.Get(p)
	if sf == nil || !srvJSLike(sf) {
		return nil
	}
	return r.pass.AST(sf)
}

func srvJSLike(f *source.File) bool {
	return f.IsJS() || f.Lang == source.LangAstro
}

// srvModuleExts are tried, in order, when resolving a relative import.
var srvModuleExts = []string{"", ".ts", ".js", ".tsx", ".jsx", ".mjs", ".cjs", ".mts", ".cts",
	"/index.ts", "/index.js", "/index.tsx", "/index.mjs"}

// module resolves a relative module specifier imported by from, or returns "".
func (r *srvResolver) module(from, spec string) string {
	if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") && !strings.HasPrefix(spec, "~/") && !strings.HasPrefix(spec, "@/") {
		return ""
	}
	var base string
	switch {
	case strings.HasPrefix(spec, "~/"), strings.HasPrefix(spec, "@/"):
		// Common aliases for the app's source root.
		for _, root := range []string{"app/", "src/", ""} {
			if p := r.tryExts(path.Clean(root + spec[2:])); p != "" {
				return p
			}
		}
		return ""
	default:
		base = path.Join(path.Dir(from), spec)
	}
	// ESM imports name the built file ("./orders.js") of a TS source.
	if p := r.tryExts(base); p != "" {
		return p
	}
	if ext := path.Ext(base); ext == ".js" || ext == ".mjs" || ext == ".cjs" {
		return r.tryExts(strings.TrimSuffix(base, ext))
	}
	return ""
}

func (r *srvResolver) tryExts(base string) string {
	for _, ext := range srvModuleExts {
		if r.pass.Project.Has(base + ext) {
			if ext == "" && path.Ext(base) == "" {
				continue
			}
			return base + ext
		}
	}
	return ""
}

// srvFunc is a function found by name, and the file that holds it.
type srvFunc struct {
	File *jsast.File
	Fn   *jsast.Node
}

// function resolves an expression used as a handler or middleware to a
// function node: inline functions, local functions, `X.name` of a
// relative namespace import or require, and named or default imports of
// a relative module. It follows one factory call (`guard()` returning a
// function). It returns ok=false when the expression cannot be resolved.
func (r *srvResolver) function(f *jsast.File, n *jsast.Node) (srvFunc, bool) {
	return r.functionDepth(f, n, 0)
}

func (r *srvResolver) functionDepth(f *jsast.File, n *jsast.Node, depth int) (srvFunc, bool) {
	n = jsast.Unwrap(n)
	if n == nil || depth > 3 {
		return srvFunc{}, false
	}
	if jsast.IsFunction(n) {
		return srvFunc{f, n}, true
	}
	switch n.Type {
	case "identifier":
		name := f.Text(n)
		if v := f.LocalValue(name); v != nil {
			return r.functionDepth(f, v, depth+1)
		}
		if im, ok := f.ImportOf(name); ok {
			if p := r.module(f.Path, im.Source); p != "" {
				if other := r.parse(p); other != nil {
					return r.export(other, im.Imported, depth+1)
				}
			}
		}
	case "member_expression":
		obj := jsast.Unwrap(n.ChildByField("object"))
		prop := f.Text(n.ChildByField("property"))
		if obj != nil && obj.Type == "identifier" {
			if im, ok := f.ImportOf(f.Text(obj)); ok && (im.Imported == "*" || im.Imported == "default") {
				if p := r.module(f.Path, im.Source); p != "" {
					if other := r.parse(p); other != nil {
						if fn, ok := r.export(other, prop, depth+1); ok {
							return fn, true
						}
						// module.exports = { list, get } / export default { list }
						if d, ok := r.exportNode(other, "default"); ok {
							if v := other.ObjectProp(d, prop); v != nil {
								return r.functionDepth(other, v, depth+1)
							}
						}
					}
				}
			}
			if v := f.LocalValue(f.Text(obj)); v != nil {
				if pv := f.ObjectProp(v, prop); pv != nil {
					return r.functionDepth(f, pv, depth+1)
				}
			}
		}
	case "call_expression":
		// guard() returning the middleware function.
		callee, ok := r.functionDepth(f, n.ChildByField("function"), depth+1)
		if !ok {
			// createMiddleware(async (c, next) => { ... }) from hono/factory,
			// asyncHandler(fn): a package wrapper that returns its argument.
			if fn := srvWrappedFunction(f, n); fn != nil {
				return srvFunc{f, fn}, true
			}
			return srvFunc{}, false
		}
		body := jsast.FunctionBody(callee.Fn)
		if body != nil && jsast.IsFunction(body) {
			return srvFunc{callee.File, body}, true
		}
		if body != nil && body.Type != "statement_block" {
			return r.functionDepth(callee.File, body, depth+1)
		}
		for _, ret := range jsast.Find(body, "return_statement") {
			if jsast.EnclosingFunction(ret) != callee.Fn {
				continue
			}
			for _, c := range ret.NamedChildren() {
				if fn, ok := r.functionDepth(callee.File, c, depth+1); ok {
					return fn, true
				}
			}
		}
		return callee, true
	}
	return srvFunc{}, false
}

// exportNode returns the value of an export of f.
func (r *srvResolver) exportNode(f *jsast.File, name string) (*jsast.Node, bool) {
	for _, ex := range f.Exports() {
		if ex.Name == name {
			return ex.Value, true
		}
	}
	return nil, false
}

func (r *srvResolver) export(f *jsast.File, name string, depth int) (srvFunc, bool) {
	if name == "*" {
		name = "default"
	}
	if v, ok := r.exportNode(f, name); ok {
		return r.functionDepth(f, v, depth)
	}
	return srvFunc{}, false
}

// checksAuth reports whether fn checks the identity with an early exit,
// itself or through a helper it calls (one level deep, same file or a
// relative import).
func (r *srvResolver) checksAuth(f *jsast.File, fn *jsast.Node) bool {
	if srvChecksAuthIn(f, fn) {
		return true
	}
	found := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if found || n.Type != "call_expression" {
			return !found
		}
		callee := n.ChildByField("function")
		if u := jsast.Unwrap(callee); u == nil || (u.Type != "identifier" && u.Type != "member_expression") {
			return true
		}
		if h, ok := r.function(f, callee); ok && h.Fn != fn && srvChecksAuthIn(h.File, h.Fn) {
			found = true
		}
		return !found
	})
	return found
}

// srvTransparentWrappers are package functions that return (a thin wrapper
// of) the function they are given, so its body is what runs:
// `createMiddleware` of hono/factory (also as `factory.createMiddleware`),
// express-async-handler's `asyncHandler`.
var srvTransparentWrappers = map[string]bool{"createMiddleware": true, "asyncHandler": true, "expressAsyncHandler": true}

// srvWrappedFunction returns the function literal a transparent wrapper
// call is given, or nil.
func srvWrappedFunction(f *jsast.File, call *jsast.Node) *jsast.Node {
	if !srvTransparentWrappers[jsast.LastSegment(f.CalleeName(call))] {
		return nil
	}
	for _, a := range jsast.Args(call) {
		if a = jsast.Unwrap(a); a != nil && jsast.IsFunction(a) {
			return a
		}
	}
	return nil
}
