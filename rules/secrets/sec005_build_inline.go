package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC005 reports build configuration that inlines a server secret into the
// client bundle: next.config `env`, Vite `define`/`envPrefix`, webpack
// DefinePlugin/EnvironmentPlugin, Astro client env fields and the options
// of integrations that serialise them into page scripts (rules/knowledge
// ClientSerializedOf: @clerk/astro's clerk({ secretKey })), SvelteKit
// `publicPrefix: ”`.
var SEC005 = &rules.Rule{
	ID:         "CLK-SEC-005",
	Name:       "build-config-inlines-secret",
	Pack:       rules.PackSecrets,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return f.IsJS() && !f.Binary && buildConfigKind(f.Path) != ""
	},
	Keywords: []string{"CLERK_", "SECRET", "secretKey", "envPrefix", "publicPrefix", "loadEnv", "EnvironmentPlugin", "DefinePlugin", "...process.env", "process.env,", "process.env }"},
	Doc: rules.Doc{
		Title: "build configuration inlines a server secret into the client bundle",
		References: []string{
			"https://nextjs.org/docs/app/api-reference/next-config-js/env",
			"https://vite.dev/config/shared-options.html#envprefix",
		},
		Text: "Build-time substitution does not care about prefixes. Next.js: values in `next.config` `env` \"will always be included in the " +
			"JavaScript bundle\". Vite: every `define` entry is replaced textually in client code, `envPrefix: ''` exposes every variable, and " +
			"`loadEnv(mode, cwd, '')` loads unprefixed secrets that then leak through `define`. webpack's `DefinePlugin` and " +
			"`EnvironmentPlugin` do the same; Astro `envField` with `context: 'client'`, a secret passed to the `@clerk/astro` integration " +
			"(`clerk({ secretKey })`, whose options are serialised into every page's script) and SvelteKit `kit.env.publicPrefix: ''` make a " +
			"variable public. WXT's `vite.define` inlines into browser-extension code every user installs.\n\n" +
			"Other services' secrets count too: a `define` or `env` entry that reads a secret-named variable (`*_SECRET*`, `*_API_KEY`, " +
			"`*_TOKEN`, `*_PASSWORD`) without the framework's public prefix from `process.env` or from `loadEnv(mode, cwd, '')` bypasses " +
			"the prefix that marks a value safe for the browser. " +
			"Public names (`*_CLERK_PUBLISHABLE_KEY`, public-prefixed or `ANON` keys) are not reported, nor `define` under a server-only Vite environment " +
			"(`environments: { ssr: { define } }`).",
		Bad: "// next.config.js\nmodule.exports = { env: { CLERK_SECRET_KEY: process.env.CLERK_SECRET_KEY } }\n" +
			"// vite.config.ts\nexport default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), '')\n" +
			"  return { define: { 'process.env.CLERK_SECRET_KEY': JSON.stringify(env.CLERK_SECRET_KEY) } }\n})",
		Good: "// next.config.js\nmodule.exports = { env: { NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY } }\n" +
			"// read process.env.CLERK_SECRET_KEY only in server modules",
	},
	Fix: func(p *project.Model, file string) string {
		switch buildConfigKind(file) {
		case "next":
			return "Next.js: values in `next.config` `env` are *always* included in the JavaScript bundle, regardless of prefix. " +
				"Remove the secret from `env` and read `process.env.CLERK_SECRET_KEY` in server code (Route Handlers, Server Actions, middleware) only."
		case "vite", "app":
			return "Vite: `define`/`envPrefix` inline values into client code (`envPrefix` must never be `''`). Remove the secret from " +
				"build-time config and read it in server code (server loaders, `+server` endpoints, API routes) from `process.env`."
		case "wxt":
			return "WXT builds the browser extension with Vite: every `define` entry is inlined into the extension code each user installs " +
				"and can unpack. Remove the secret from `define`, keep only `*_CLERK_PUBLISHABLE_KEY` there, and call a backend you control " +
				"for anything that needs the Secret Key."
		case "astro":
			return "Declare Clerk secrets with `envField.string({ context: 'server', access: 'secret' })` and read them only in server code; " +
				"remove them from Vite `define`."
		case "svelte":
			return "Keep `kit.env.publicPrefix` at its default `PUBLIC_` (never `''`) and import secrets from `$env/static/private` in server modules only."
		}
		return "Remove the secret from `DefinePlugin`/`EnvironmentPlugin`: build-time substitution ships it in the client bundle. Read it in server code only."
	},
	Run: adapt(runSEC005),
}

func buildConfigKind(p string) string {
	base := strings.ToLower(path.Base(p))
	for _, k := range []string{"next", "vite", "astro", "svelte", "app", "webpack", "wxt"} {
		if strings.HasPrefix(base, k+".config.") {
			return k
		}
	}
	if strings.HasPrefix(base, "webpack.") || strings.HasPrefix(base, "webpack-") {
		return "webpack"
	}
	return ""
}

var upperIdent = regexp.MustCompile(`\b[A-Z][A-Z0-9_]{3,}\b`)

// secretRefs returns the secret env names an expression mentions.
func secretRefs(text string) []string {
	var out []string
	for _, id := range upperIdent.FindAllString(text, -1) {
		if detect.IsSecretName(id) {
			out = append(out, id)
		}
	}
	return out
}

// publicWord marks names of values meant for the browser.
var publicWord = regexp.MustCompile(`PUBLISHABLE|PUBLIC|ANON`)

// otherSecretRefs returns the server secret names of other services an
// expression reads from an environment that holds them (`process.env.X`,
// or `env.X` of `loadEnv` with an empty prefix): secret-named (`*_SECRET*`, `*_API_KEY`, `*_TOKEN`,
// `*_PASSWORD`, ...) and without a public prefix. A framework's public
// prefix is how a value is declared safe for the client; a build config
// that inlines an unprefixed secret-named variable bypasses it.
func otherSecretRefs(af *jsast.File, n *jsast.Node, allEnv map[string]bool) []string {
	var out []string
	jsast.Walk(n, func(m *jsast.Node) bool {
		var obj, prop *jsast.Node
		switch m.Type {
		case "member_expression":
			obj, prop = m.ChildByField("object"), m.ChildByField("property")
		case "subscript_expression":
			obj, prop = m.ChildByField("object"), m.ChildByField("index")
		default:
			return true
		}
		if !allEnv[strings.Join(strings.Fields(af.Text(obj)), "")] {
			return true
		}
		id := af.Text(prop)
		if s, ok := af.StringValue(prop); ok {
			id = s
		}
		if genericSecret.MatchString(id) && detect.PublicPrefixOf(id) == "" && !publicWord.MatchString(id) {
			out = append(out, id)
		}
		return true
	})
	return out
}

// secretCanon are the server names a prefix could cover.
var secretCanon = []string{"CLERK_SECRET_KEY", "CLERK_ENCRYPTION_KEY", "CLERK_MACHINE_SECRET_KEY", "CLERK_WEBHOOK_SIGNING_SECRET",
	"CLERK_WEBHOOK_SECRET", "NUXT_CLERK_SECRET_KEY", "WEBHOOK_SECRET", "SIGNING_SECRET"}

func runSEC005(pass *rules.Pass, report reportFunc) error {
	af := pass.AST(pass.File)
	if af == nil {
		return nil
	}
	kind := buildConfigKind(pass.File.Path)
	at := func(n *jsast.Node, m, msg string) {
		report(rules.Diagnostic{Line: n.Line, EndLine: n.EndLine, Column: n.Col, Match: m, Message: msg})
	}
	// Variables holding loadEnv(mode, cwd, ''): every variable, unprefixed.
	allEnv := map[string]bool{"process.env": true}
	for _, call := range af.Calls(af.Root, func(n string) bool { return jsast.LastSegment(n) == "loadEnv" }) {
		args := jsast.Args(call)
		if len(args) < 3 {
			continue
		}
		if v, ok := af.StringValue(args[2]); !ok || v != "" {
			continue
		}
		if d := jsast.Ancestor(call, "variable_declarator"); d != nil {
			allEnv[af.Text(d.ChildByField("name"))] = true
		}
	}
	wholeEnv := func(v *jsast.Node) bool {
		v = jsast.Unwrap(v)
		if v == nil {
			return false
		}
		if v.Type == "call_expression" && jsast.LastSegment(af.CalleeName(v)) == "stringify" {
			if a := jsast.Args(v); len(a) > 0 {
				v = jsast.Unwrap(a[0])
			}
		}
		return allEnv[strings.Join(strings.Fields(af.Text(v)), "")]
	}
	// inlined checks an object whose entries are inlined into client code.
	inlined := func(obj *jsast.Node, what string) {
		obj = jsast.Unwrap(obj)
		if obj == nil {
			return
		}
		if obj.Type != "object" {
			if wholeEnv(obj) {
				at(obj, what+" whole-env", fmt.Sprintf("%s is given the whole environment, which inlines `CLERK_SECRET_KEY` and every other server secret into the client bundle", what))
			}
			return
		}
		for _, c := range obj.NamedChildren() {
			switch c.Type {
			case "spread_element":
				if nc := c.NamedChildren(); len(nc) > 0 && wholeEnv(nc[0]) {
					at(c, what+" spread-env", fmt.Sprintf("%s spreads the whole environment (%s), which inlines every server secret into the client bundle", what, rules.Code(strings.TrimSpace(af.Text(c)))))
				}
			case "pair":
				key := af.Text(c.ChildByField("key"))
				if s, ok := af.StringValue(c.ChildByField("key")); ok {
					key = s
				}
				val := c.ChildByField("value")
				names := secretRefs(key)
				if len(names) == 0 {
					names = secretRefs(af.Text(val))
				}
				if len(names) == 0 {
					// The value names the variable it reads; the key only
					// what client code calls it.
					names = otherSecretRefs(af, val, allEnv)
				}
				if len(names) > 0 {
					at(c, what+" "+key, fmt.Sprintf("%s entry %s inlines the server secret %s into the client bundle", what, rules.Code(key), rules.Code(names[0])))
				} else if wholeEnv(val) {
					at(c, what+" "+key+" whole-env", fmt.Sprintf("%s entry %s is the whole environment, which inlines every server secret into the client bundle", what, rules.Code(key)))
				}
			}
		}
	}
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "pair":
			key := af.Text(n.ChildByField("key"))
			if s, ok := af.StringValue(n.ChildByField("key")); ok {
				key = s
			}
			val := n.ChildByField("value")
			switch {
			case key == "env" && kind == "next":
				inlined(val, "next.config `env`")
			case key == "define" && (kind == "vite" || kind == "astro" || kind == "app" || kind == "svelte"):
				if !serverEnvironment(af, n) {
					inlined(val, "Vite `define`")
				}
			case key == "define" && kind == "wxt":
				inlined(val, "WXT's Vite `define`")
			case key == "envPrefix":
				vals, nodes, _ := af.StringList(val)
				for i, v := range vals {
					if bad, why := badPrefix(v); bad {
						at(nodes[i], "envPrefix "+v, fmt.Sprintf("`envPrefix` includes %s, which %s", rules.Code(quoteJS(v)), why))
					}
				}
			case key == "publicPrefix" && kind == "svelte":
				if v, ok := af.StringValue(val); ok {
					if bad, why := badPrefix(v); bad {
						at(val, "publicPrefix "+v, fmt.Sprintf("`kit.env.publicPrefix` is %s, which %s through `$env/*/public`", rules.Code(quoteJS(v)), why))
					}
				}
			}
		case "new_expression", "call_expression":
			fn := n.ChildByField("constructor")
			if n.Type == "call_expression" {
				fn = n.ChildByField("function")
			}
			name := jsast.LastSegment(af.Name(fn))
			args := n.ChildByField("arguments")
			if args == nil {
				return true
			}
			a := args.NamedChildren()
			switch name {
			case "DefinePlugin":
				if len(a) > 0 {
					inlined(a[0], "`DefinePlugin`")
				}
			case "EnvironmentPlugin":
				if len(a) == 0 {
					return true
				}
				if v, ok := af.StringValue(a[0]); ok && v == "all" {
					at(n, "EnvironmentPlugin all", "`EnvironmentPlugin('all')` exposes every environment variable, `CLERK_SECRET_KEY` included, to client code")
					return true
				}
				names, _, _ := af.StringList(a[0])
				names = append(names, af.ObjectKeys(a[0])...)
				for _, nm := range names {
					if detect.IsSecretName(nm) {
						at(n, "EnvironmentPlugin "+nm, fmt.Sprintf("`EnvironmentPlugin` inlines the server secret %s into the client bundle", rules.Code(nm)))
					}
				}
			default:
				if strings.HasPrefix(af.CalleeName(n), "envField.") && kind == "astro" {
					checkEnvField(af, n, at)
				}
				if n.Type == "call_expression" && len(a) > 0 {
					if im, ok := af.ImportOf(af.CalleeName(n)); ok {
						if c, ok := knowledge.ClientSerializedOf(im.Source, im.Imported); ok {
							serialized(af, a[0], c, at)
						}
					}
				}
			}
		}
		return true
	})
	return nil
}

// serialized reports the secret options of an integration that
// serialises its options into every page's script (@clerk/astro's
// clerk({ secretKey })).
func serialized(af *jsast.File, opts *jsast.Node, c knowledge.ClientSerialized, at func(*jsast.Node, string, string)) {
	opts = jsast.Unwrap(opts)
	if opts == nil || opts.Type != "object" {
		return
	}
	for _, p := range opts.NamedChildren() {
		if p.Type != "pair" && p.Type != "shorthand_property_identifier" {
			continue
		}
		key := af.Text(p)
		val := p
		if p.Type == "pair" {
			key, val = af.Text(p.ChildByField("key")), p.ChildByField("value")
			if s, ok := af.StringValue(p.ChildByField("key")); ok {
				key = s
			}
		}
		names := secretRefs(af.Text(val))
		if detect.IsSecretName(key) || strings.EqualFold(key, "secretKey") {
			names = append([]string{key}, names...)
		}
		if len(names) == 0 {
			continue
		}
		what := rules.Code(key)
		if last := names[len(names)-1]; last != key {
			what += " (" + rules.Code(last) + ")"
		}
		at(p, c.Package+" "+key, fmt.Sprintf("the %s integration serialises its options into every page's script, so %s is shipped to the browser",
			rules.Code(c.Package), what))
	}
}

// serverEnvironment reports whether a config pair sits under a Vite
// environment other than the browser's (`environments: { ssr: { define } }`,
// as TanStack Start configures it): that build never reaches the client.
func serverEnvironment(af *jsast.File, n *jsast.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type != "pair" {
			continue
		}
		obj := p.Parent
		if obj == nil || obj.Type != "object" || obj.Parent == nil || obj.Parent.Type != "pair" {
			continue
		}
		if k := af.Text(obj.Parent.ChildByField("key")); k != "environments" {
			continue
		}
		name := af.Text(p.ChildByField("key"))
		if s, ok := af.StringValue(p.ChildByField("key")); ok {
			name = s
		}
		return name != "client"
	}
	return false
}

// badPrefix reports whether an env prefix exposes Clerk secrets.
func badPrefix(p string) (bool, string) {
	if p == "" {
		return true, "exposes every environment variable, `CLERK_SECRET_KEY` included, to client code"
	}
	for _, s := range secretCanon {
		if strings.HasPrefix(s, p) {
			return true, "exposes the server secret " + rules.Code(s) + " to client code"
		}
	}
	return false, ""
}

func quoteJS(s string) string { return "'" + s + "'" }

// checkEnvField reports envField.*({ context: 'client' }) under a secret
// name in Astro's env schema.
func checkEnvField(af *jsast.File, call *jsast.Node, at func(*jsast.Node, string, string)) {
	a := jsast.Args(call)
	if len(a) == 0 {
		return
	}
	ctx, ok := af.StringValue(af.ObjectProp(a[0], "context"))
	if !ok || ctx != "client" {
		return
	}
	pair := call.Parent
	if pair == nil || pair.Type != "pair" {
		return
	}
	key := af.Text(pair.ChildByField("key"))
	if s, ok := af.StringValue(pair.ChildByField("key")); ok {
		key = s
	}
	if detect.IsSecretName(key) {
		at(pair, "envField "+key, fmt.Sprintf("Astro env field %s is declared with `context: 'client'`, which ships the secret to the browser", rules.Code(key)))
	}
}
