package model

import (
	"path"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// fastifyAdapter lists the routes of Fastify servers: fastify.METHOD and
// fastify.route({ method, url, handler }) registrations in every plugin
// context, with the prefixes of the register() calls that reach them
// (across files), and what runs before each handler: the onRequest,
// preParsing, preValidation and preHandler hooks of its encapsulation
// context and of the contexts above it, whatever their order in the
// plugin body (a context's hooks apply to every route in it,
// https://fastify.dev/docs/latest/Reference/Encapsulation/), the hooks of
// plugins wrapped in fastify-plugin (which share their parent's context),
// Clerk's clerkPlugin (attaches: rules/knowledge), and the route's own
// onRequest/preValidation/preHandler options. A hook rejects when a
// signed-out request never gets past it: it throws, returns a 4xx reply,
// or sends one (Fastify stops the chain once reply.sent is set,
// https://fastify.dev/docs/latest/Reference/Hooks/#respond-to-a-request-from-a-hook).
var fastifyAdapter = nodeAdapter{st: fastifyStyle}

// fastifyStyle: handlers receive (request, reply); hooks (request, reply,
// done) and continue when they return or call done().
var fastifyStyle = &nodeStyle{fw: knowledge.Fastify, project: project.FrameworkFastify, dep: "fastify", kind: FastifyRoute,
	handler:    []ParamRole{ParamRequest, ParamResponse},
	middleware: []ParamRole{ParamRequest, ParamResponse, ParamNext}, cont: "the handler", scoped: true}

// fastifyMount is a plugin the Fastify adapter finds mounted by a
// convention rather than a register() argument: a file @fastify/autoload
// loads, or a function the plugin body calls with its instance.
type fastifyMount struct {
	sub    *project.NodeApp
	prefix string             // below the mounting context's prefix
	hooks  []*project.NodeApp // autohooks plugins whose hooks run before it
	at     []Location         // the plugin's declaration
}

// autoloadModule is the package whose plugin registers every file of a
// directory (https://github.com/fastify/fastify-autoload#readme).
const autoloadModule = "@fastify/autoload"

// autoloaded returns the plugins a register(autoLoad, { dir }) call loads
// (https://github.com/fastify/fastify-autoload#readme): every script
// under dir (join(__dirname, 'routes'), resolved from the registering
// file), each in its own context, with the names of the directories
// below dir as its prefix (dirNameRoutePrefix, on unless set to false;
// `_id` directories are `:id` with routeParams) after the
// `options.prefix` it passes on. A directory with an index file loads
// that index (and its subdirectories) only. With autoHooks, the hooks of
// a directory's autohooks file run before the plugins of that directory
// (and of its subdirectories with cascadeHooks). Tests and declaration
// files are not routes. A dir the model cannot evaluate loads nothing it
// lists: those routes stay unknown.
func (r *nodeRun) autoloaded(f *jsast.File, reg *project.Registration) []fastifyMount {
	if r.st.project != project.FrameworkFastify || reg.Kind != project.RegRegister || len(reg.Args) == 0 || reg.Options == nil {
		return nil
	}
	if src := externalOf(f, jsast.Unwrap(reg.Args[0])); src != autoloadModule {
		return nil
	}
	dir, ok := r.autoloadDir(f, f.ObjectProp(reg.Options, "dir"))
	if !ok {
		return nil
	}
	flag := func(name string) string { return f.Text(jsast.Unwrap(f.ObjectProp(reg.Options, name))) }
	base := ""
	if o := jsast.Unwrap(f.ObjectProp(reg.Options, "options")); o != nil {
		base, _ = f.StringValue(f.ObjectProp(o, "prefix"))
	}
	files, hooks := map[string][]string{}, map[string]string{} // directory below dir -> its scripts, its autohooks file
	for _, p := range r.m.fs.Paths() {
		if !strings.HasPrefix(p, dir+"/") || !modules.IsModule(p) || strings.HasSuffix(p, ".d.ts") {
			continue
		}
		name, rel := path.Base(p), strings.TrimPrefix(path.Dir(p), dir)
		switch stem := strings.TrimLeft(strings.SplitN(name, ".", 2)[0], "_."); {
		case strings.EqualFold(stem, "autohooks") || strings.EqualFold(stem, "auto_hooks"):
			hooks[rel] = p
		case strings.Contains(name, ".test.") || strings.Contains(name, ".spec."):
		default:
			files[rel] = append(files[rel], p)
		}
	}
	var out []fastifyMount
	for rel, ps := range files {
		if idx := indexOf(ps); idx != "" {
			ps = []string{idx}
		}
		prefix := base
		if flag("dirNameRoutePrefix") != "false" {
			for _, seg := range strings.Split(strings.Trim(rel, "/"), "/") {
				if strings.HasPrefix(seg, "_") && flag("routeParams") == "true" {
					seg = ":" + seg[1:]
				}
				prefix = project.JoinPath(prefix, "/"+seg)
			}
		}
		var hookApps []*project.NodeApp
		if flag("autoHooks") == "true" {
			for d := rel; ; {
				if h := hooks[d]; h != "" && (d == rel || flag("cascadeHooks") == "true") {
					if a := r.defaultApp(h); a != nil {
						hookApps = append([]*project.NodeApp{a}, hookApps...)
					}
				}
				if d == "" {
					break
				}
				if d = path.Dir(d); d == "/" {
					d = ""
				}
			}
		}
		for _, p := range ps {
			if sub := r.defaultApp(p); sub != nil {
				out = append(out, fastifyMount{sub: sub, prefix: prefix, hooks: hookApps, at: []Location{{File: p, Line: sub.Decl.Line}}})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at[0].File < out[j].at[0].File })
	return out
}

// defaultApp is the plugin a module exports by default, or nil.
func (r *nodeRun) defaultApp(p string) *project.NodeApp {
	of, ov, err := r.m.originValue(r.ctx, modules.Origin{Module: modules.Resolution{Kind: modules.File, Path: p}, Name: "default"})
	if err != nil || ov == nil {
		return nil
	}
	return r.appOfValue(of, ov)
}

// indexOf returns the index script among a directory's scripts, or "".
func indexOf(ps []string) string {
	for _, p := range ps {
		if strings.SplitN(path.Base(p), ".", 2)[0] == "index" {
			return p
		}
	}
	return ""
}

// autoloadDir evaluates autoload's dir option: path.join or
// path.resolve of the module's directory (__dirname, or
// import.meta.dirname) and constant segments.
func (r *nodeRun) autoloadDir(f *jsast.File, v *jsast.Node) (string, bool) {
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" {
		return "", false
	}
	switch jsast.LastSegment(f.CalleeName(v)) {
	case "join", "resolve":
	default:
		return "", false
	}
	args := jsast.Args(v)
	if len(args) < 2 {
		return "", false
	}
	switch f.Text(jsast.Unwrap(args[0])) {
	case "__dirname", "import.meta.dirname":
	default:
		return "", false
	}
	dir := path.Dir(f.Path)
	for _, a := range args[1:] {
		s, ok := f.StringValue(a)
		if !ok {
			return "", false
		}
		dir = path.Join(dir, s)
	}
	if strings.HasPrefix(dir, "..") {
		return "", false
	}
	return dir, true
}

// instanceCalls returns the plugins a plugin body passes its own instance
// to (routes(fastify), registerUserRoutes(app)): a function of another
// module whose parameter is a Fastify instance registers its routes and
// hooks in the caller's context, like a plugin wrapped in
// fastify-plugin, with the caller's prefix.
func (r *nodeRun) instanceCalls(app *project.NodeApp) []fastifyMount {
	if r.st.project != project.FrameworkFastify || app.Scope == nil || app.Name == "" {
		return nil
	}
	f := app.Server().File
	var out []fastifyMount
	jsast.Walk(app.Scope, func(n *jsast.Node) bool {
		if n != app.Scope && jsast.IsFunction(n) {
			return false
		}
		if n.Type != "call_expression" {
			return true
		}
		callee := jsast.Unwrap(n.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" && callee.Type != "member_expression" || jsast.FirstSegment(f.Text(callee)) == app.Name {
			return true
		}
		for _, a := range jsast.Args(n) {
			if a = jsast.Unwrap(a); a == nil || a.Type != "identifier" || f.Text(a) != app.Name {
				continue
			}
			if sub, at := r.subApp(f, callee); sub != nil && sub != app {
				out = append(out, fastifyMount{sub: sub, at: append(at, Location{File: f.Path, Line: n.Line})})
			}
			break
		}
		return true
	})
	return out
}
