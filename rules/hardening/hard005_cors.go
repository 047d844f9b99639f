package hardening

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// HARD005 flags a CORS middleware (rules/knowledge corsMiddlewares) that
// allows every origin with credentials: true.
var HARD005 = &rules.Rule{
	ID:         "CLK-HARD-005",
	Name:       "cors-credentials-any-origin",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  8,
	Files:      func(f *source.File) bool { return !f.Binary && (f.IsJS() || f.Lang == source.LangGo) },
	Keywords:   []string{"cors"},
	Doc: rules.Doc{
		Title: "cross-origin requests with credentials allowed from every origin (CORS)",
		Text: "A CORS middleware that reflects the caller's origin (`origin: true`, or an origin function that allows every " +
			"origin) together with `credentials: true` lets any website send credentialed requests to the API and read the " +
			"answers. Clerk's server middleware (`clerkMiddleware()`, `clerkPlugin`) authenticates the `__session` cookie as " +
			"well as the `Authorization` header, so a page on any site that a signed-in user visits can act as that user. " +
			"`origin: '*'` with `credentials: true` is reported at Low: browsers refuse credentialed responses that carry the " +
			"wildcard, so it is broken rather than open, and the usual way to make it work (`origin: true`) opens it.\n\n" +
			"Not reported: an allowlist (a string, an array, a RegExp, an origin function that checks the origin), no " +
			"`credentials: true`, and options the rule cannot read. When the application uses no Clerk middleware the " +
			"message says that an API authenticating only by bearer header is not exposed through cookies.",
		Bad:  "await app.register(cors, { origin: true, credentials: true })",
		Good: "await app.register(cors, {\n  origin: ['https://app.example.com'],\n  credentials: true,\n})",
		References: []string{
			"https://clerk.com/docs/guides/how-clerk-works/overview",
			"https://fetch.spec.whatwg.org/#cors-protocol-and-credentials",
			"https://github.com/expressjs/cors#configuration-options",
			"https://github.com/fastify/fastify-cors#options",
			"https://hono.dev/docs/middleware/builtin/cors",
		},
	},
	Fix: func(p *project.Model, path string) string {
		return "Allow only the front ends that call the API: set the origin option to a list of their origins (for example " +
			"`origin: ['https://app.example.com']`, from configuration), or drop `credentials: true` when the API authenticates " +
			"by the `Authorization` header only."
	},
	Run: runHARD005,
}

// corsOrigin is what a CORS origin option allows.
type corsOrigin int

const (
	originListed   corsOrigin = iota // an allowlist, or not known
	originReflect                    // every origin, echoed back
	originWildcard                   // "*"
)

func runHARD005(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runHARD005Go(pass)
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	mws := map[string]knowledge.CORSMiddleware{}
	for _, im := range f.Imports() {
		name := im.Imported
		if name == "*" {
			name = "default"
		}
		if m, ok := knowledge.CORSMiddlewareOf(im.Source, name); ok && !im.TypeOnly {
			mws[im.Local] = m
		}
	}
	if len(mws) == 0 {
		return nil
	}
	for _, call := range jsast.Find(f.Root, "call_expression") {
		mw, opts := corsCall(f, call, mws)
		if opts == nil {
			continue
		}
		of, obj := resolveObject(pass, f, opts)
		if obj == nil || jsast.Unwrap(of.ObjectProp(obj, mw.Credentials)) == nil || jsast.Unwrap(of.ObjectProp(obj, mw.Credentials)).Type != "true" {
			continue
		}
		allows := corsOriginOf(of, mw, obj)
		if allows == originListed {
			continue
		}
		reportCORS(pass, call.Line, call.Col, allows, mw.Credentials+": true")
	}
	return nil
}

// reportCORS reports a CORS setup that allows every origin with
// credentials, after asking the model how the API authenticates.
func reportCORS(pass *rules.Pass, line, col int, allows corsOrigin, credentials string) {
	auth, related := clerkCookieAuth(pass)
	if auth == headerAuth {
		return // Clerk reads the Authorization header only: no cookie rides along
	}
	d := rules.Diagnostic{Line: line, Column: col, Related: related}
	who := "Clerk's middleware authenticates the `__session` cookie, so any website a signed-in user visits can call the API as that user and read the answers"
	if auth == unknownAuth {
		who = "if the API authenticates by the `__session` cookie, any website can call it as a signed-in user and read the answers (an API that takes only `Authorization` bearer tokens is not exposed this way; the rule could not tell which)"
		d.Confidence = rules.LowConfidence
	}
	switch allows {
	case originReflect:
		d.Message = fmt.Sprintf("CORS allows every origin (it echoes the request's `Origin`) with `%s`: %s", credentials, who)
	case originWildcard:
		d.Severity = rules.Low
		d.Message = fmt.Sprintf("CORS allows the origin `*` with `%s`: browsers refuse credentialed responses that carry the wildcard, so "+
			"this is broken rather than open, and making it work by reflecting the origin would open it: %s", credentials, who)
	}
	pass.Report(d)
}

// corsCall returns the CORS middleware a call configures and its options
// argument: cors(opts), or register(cors, opts) for a registered one.
func corsCall(f *jsast.File, call *jsast.Node, mws map[string]knowledge.CORSMiddleware) (knowledge.CORSMiddleware, *jsast.Node) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	args := jsast.Args(call)
	if callee == nil {
		return knowledge.CORSMiddleware{}, nil
	}
	if callee.Type == "identifier" {
		if m, ok := mws[f.Text(callee)]; ok && !m.Registered {
			if len(args) == 0 {
				return m, callee // no options: the defaults, which send no credentials
			}
			return m, args[0]
		}
	}
	if jsast.LastSegment(f.CalleeName(call)) == "register" && len(args) >= 2 {
		if a := jsast.Unwrap(args[0]); a != nil && a.Type == "identifier" {
			if m, ok := mws[f.Text(a)]; ok && m.Registered {
				return m, args[1]
			}
		}
	}
	return knowledge.CORSMiddleware{}, nil
}

// resolveObject returns the object literal n is, or the one a top-level
// variable named n holds: of the file, or of the module it is imported
// from (the model's resolver), with the file that declares it.
func resolveObject(pass *rules.Pass, f *jsast.File, n *jsast.Node) (*jsast.File, *jsast.Node) {
	n = jsast.Unwrap(n)
	if n != nil && n.Type == "identifier" {
		name := f.Text(n)
		n = jsast.Unwrap(f.LocalValue(name))
		if _, imported := f.ImportOf(name); imported && pass.Model != nil {
			g := pass.Model.Modules()
			if o, ok, err := g.Origin(pass.Ctx, f.Path, name); err == nil && ok {
				if df, _, err := g.Decl(pass.Ctx, o); err == nil && df != nil {
					f, n = df, jsast.Unwrap(df.LocalValue(o.Binding))
				}
			}
		}
	}
	if n == nil || n.Type != "object" {
		return f, nil
	}
	return f, n
}

// corsOriginOf classifies the origin option of a CORS options object.
func corsOriginOf(f *jsast.File, mw knowledge.CORSMiddleware, obj *jsast.Node) corsOrigin {
	v := jsast.Unwrap(f.ObjectProp(obj, mw.Origin))
	if v == nil {
		if mw.DefaultAny {
			return originWildcard
		}
		return originListed
	}
	if v.Type == "identifier" {
		if c := jsast.Unwrap(f.LocalValue(f.Text(v))); c != nil {
			v = c
		}
	}
	switch v.Type {
	case "true":
		if mw.ReflectTrue {
			return originReflect
		}
	case "string":
		if s, ok := f.StringValue(v); ok && s == "*" {
			return originWildcard
		}
	case "arrow_function", "function_expression", "function", "method_definition":
		if originFunctionAllowsAll(f, mw, v) {
			return originReflect
		}
	}
	return originListed
}

// originFunctionAllowsAll reports whether an origin function allows every
// origin: each call of its callback passes true (or the origin) as the
// allow argument, or each value it returns is the origin itself.
func originFunctionAllowsAll(f *jsast.File, mw knowledge.CORSMiddleware, fn *jsast.Node) bool {
	var params []string
	if ps := fn.ChildByField("parameters"); ps != nil {
		for _, p := range ps.NamedChildren() {
			if id := jsast.Find(p, "identifier"); len(id) > 0 {
				params = append(params, f.Text(id[0]))
			}
		}
	} else if p := fn.ChildByField("parameter"); p != nil {
		params = append(params, f.Text(p))
	}
	if len(params) == 0 {
		return false
	}
	origin := params[0]
	allows := func(n *jsast.Node) bool {
		n = jsast.Unwrap(n)
		return n != nil && (n.Type == "true" || n.Type == "identifier" && f.Text(n) == origin)
	}
	body := fn.ChildByField("body")
	if body == nil {
		return false
	}
	if mw.CallbackAllows < 0 {
		if body.Type != "statement_block" {
			return allows(body)
		}
		rets := jsast.Find(body, "return_statement")
		for _, r := range rets {
			kids := r.NamedChildren()
			if len(kids) == 0 || !allows(kids[0]) {
				return false
			}
		}
		return len(rets) > 0
	}
	if len(params) <= 1 {
		return false
	}
	cb := params[1]
	n := 0
	for _, c := range jsast.Find(body, "call_expression") {
		callee := jsast.Unwrap(c.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" || f.Text(callee) != cb {
			continue
		}
		args := jsast.Args(c)
		if len(args) <= mw.CallbackAllows || !allows(args[mw.CallbackAllows]) {
			return false
		}
		n++
	}
	return n > 0
}

// apiAuth is how the snapshot's servers authenticate, as far as CORS
// cares.
type apiAuth int

const (
	unknownAuth apiAuth = iota // no Clerk middleware in front of any entry
	cookieAuth                 // a Clerk middleware that reads the __session cookie
	headerAuth                 // only Clerk middleware that reads the Authorization header
)

// clerkCookieAuth asks the model's chains whether a Clerk middleware runs
// in front of the server entries the CORS file configures (those in and
// below its directory) and whether it authenticates the session cookie
// (rules/knowledge Middleware.HeaderOnly), with the place of one.
func clerkCookieAuth(pass *rules.Pass) (apiAuth, []rules.Location) {
	if pass.Model == nil {
		return unknownAuth, nil
	}
	dir := path.Dir(pass.File.Path) + "/"
	if dir == "./" {
		dir = ""
	}
	es, _ := pass.Model.Entries(pass.Ctx)
	out, at := unknownAuth, []rules.Location(nil)
	for _, e := range es {
		if e.Framework == knowledge.NextJS || !strings.HasPrefix(e.File, dir) {
			continue
		}
		for _, l := range e.Chain {
			name := strings.TrimSuffix(l.Name, "()")
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[i+1:]
			}
			mws := knowledge.MiddlewareNamed(name)
			if l.Clerk == "" && len(mws) == 0 {
				// The application's own middleware that verifies a
				// credential it reads by name (model.Layer.CredentialFrom).
				switch {
				case len(l.CredentialFrom) == 0:
				case slices.Contains(l.CredentialFrom, model.FromCookies):
					return cookieAuth, []rules.Location{{Path: l.File, Line: l.Line}}
				default:
					out, at = headerAuth, []rules.Location{{Path: l.File, Line: l.Line}}
				}
				continue
			}
			header := len(mws) > 0
			for _, m := range mws {
				header = header && m.HeaderOnly
			}
			if !header {
				return cookieAuth, []rules.Location{{Path: l.File, Line: l.Line}}
			}
			out, at = headerAuth, []rules.Location{{Path: l.File, Line: l.Line}}
		}
	}
	return out, at
}
