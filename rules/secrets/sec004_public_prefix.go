package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC004 reports Clerk secret variables named with a prefix that
// frameworks inline into the client bundle.
var SEC004 = &rules.Rule{
	ID:         "CLK-SEC-004",
	Name:       "secret-variable-public-prefix",
	Pack:       rules.PackSecrets,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return !f.Binary && !isDoc(f.Path)
	},
	Keywords: []string{"NEXT_PUBLIC_", "NUXT_PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_", "VITE_", "GATSBY_", "VUE_APP_", "PUBLIC_"},
	Doc: rules.Doc{
		Title: "secret Clerk variable given a client-exposed prefix",
		References: []string{
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
			"https://nextjs.org/docs/app/guides/environment-variables",
		},
		Text: "Variables prefixed `NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, `EXPO_PUBLIC_`, `PUBLIC_`, `NUXT_PUBLIC_`, `GATSBY_` or `VUE_APP_` " +
			"are replaced by their values in client code at build time. `NEXT_PUBLIC_CLERK_SECRET_KEY`, `VITE_CLERK_WEBHOOK_SECRET` and the " +
			"like put the Secret Key or signing secret into JavaScript that every visitor downloads. Only `*_CLERK_PUBLISHABLE_KEY` (and URL " +
			"settings) belong under a public prefix.\n\n" +
			"The rule looks at definitions (`.env` files, CI and Docker configuration, `vercel.json`) and at reads in code " +
			"(`process.env.X`, `import.meta.env.X`, `$env/static/public`). A name that only appears as a string literal — a build guard's " +
			"denylist, a test assertion — is not reported.",
		Bad:  "const clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })",
		Good: "// server-only module\nconst clerk = createClerkClient({ secretKey: process.env.CLERK_SECRET_KEY })",
	},
	Fix: rules.ConstFix(sec004Fix("the unprefixed server-only name")),
	Run: adapt(runSEC004),
}

func sec004Fix(server string) string {
	return "Variables prefixed `NEXT_PUBLIC_` / `VITE_` / `REACT_APP_` / `EXPO_PUBLIC_` / `PUBLIC_` / `NUXT_PUBLIC_` / `GATSBY_` are embedded in the " +
		"client bundle at build time. Rename to " + server + " (`CLERK_SECRET_KEY`, `CLERK_WEBHOOK_SIGNING_SECRET`, Nuxt: `NUXT_CLERK_SECRET_KEY`), " +
		"move the code that uses it to the server, and rotate the key because any deployed build already contains it."
}

var prefixFramework = map[string]string{
	"NEXT_PUBLIC_": "Next.js", "NUXT_PUBLIC_": "Nuxt", "EXPO_PUBLIC_": "Expo", "REACT_APP_": "Create React App",
	"GATSBY_": "Gatsby", "VUE_APP_": "Vue CLI", "VITE_": "Vite", "PUBLIC_": "Astro/SvelteKit",
}

// sec004Message words the finding; where is "" for a definition, or the
// code that reads the variable.
func sec004Message(name, where string) string {
	p := detect.PublicPrefixOf(name)
	if where == "" {
		return fmt.Sprintf("Secret variable %s has the client-exposed prefix %s: %s inlines it into the browser bundle", rules.Code(name), rules.Code(p), prefixFramework[p])
	}
	return fmt.Sprintf("%s reads the secret %s, whose prefix %s makes %s inline it into the browser bundle", where, rules.Code(name), rules.Code(p), prefixFramework[p])
}

func runSEC004(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	switch f.Lang {
	case source.LangTS, source.LangTSX, source.LangJS, source.LangVue, source.LangSvelte, source.LangAstro:
		return sec004Code(pass, report)
	}
	if !configText(f) {
		return nil // Go, Python, ... server code: a read there exposes nothing
	}
	return sec004Text(pass, report)
}

// configText reports line-oriented configuration files, where a name
// followed by `=` or `:` defines a variable.
func configText(f *source.File) bool {
	switch f.Lang {
	case source.LangEnv, source.LangYAML, source.LangDockerfile, source.LangJSON:
		return true
	}
	base := strings.ToLower(path.Base(f.Path))
	switch path.Ext(base) {
	case ".toml", ".tf", ".tfvars", ".hcl", ".sh", ".bash", ".zsh", ".ini", ".properties", ".conf", ".cfg", ".envrc":
		return true
	}
	switch base {
	case "makefile", "procfile", "justfile", ".envrc":
		return true
	}
	return false
}

// definitionAfter matches what follows a name that is being defined:
// `NAME=`, `NAME: `, `"NAME":`, `NAME =`.
var definitionAfter = regexp.MustCompile(`^["']?\s*(?::|=[^=~])`)

// definitionBefore matches what precedes a name that is being defined on a
// line: Dockerfile ENV/ARG, docker -e / --build-arg, shell export.
var definitionBefore = regexp.MustCompile(`(?i)(?:^\s*(?:ENV|ARG|export|set)\s+|--build-arg[= ]\s*|--env[= ]\s*|\s-e\s+|^\s*-\s+)["']?$`)

func sec004Text(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	for i, line := range f.Lines() {
		suggested := false
		for _, m := range detect.FindPublicSecretNames(line) {
			name := line[m[0]:m[1]]
			after, before := line[m[1]:], line[:m[0]]
			if !definitionAfter.MatchString(after) && !definitionBefore.MatchString(before) {
				continue // a mention, a reference, or a denylist entry
			}
			d := rules.Diagnostic{Line: i + 1, Column: m[0] + 1, Match: "public-name " + name,
				Message: sec004Message(name, ""),
				Fix:     sec004Fix(rules.Code(detect.ServerName(name)))}
			if !suggested {
				d.Suggestion = renameSuggestion(i+1, line)
				suggested = true
			}
			report(d)
		}
	}
	return nil
}

// renameSuggestion replaces every public-prefixed secret name on the line
// with its server name. Lines that hold a credential value get no
// suggestion: the value must go, not be renamed.
func renameSuggestion(n int, line string) *rules.Suggestion {
	for _, c := range detect.Find(line) {
		if c.Kind != detect.PublishableKey {
			return nil
		}
	}
	out := line
	for _, m := range reverse(detect.FindPublicSecretNames(line)) {
		out = out[:m[0]] + detect.ServerName(line[m[0]:m[1]]) + out[m[1]:]
	}
	if out == line {
		return nil
	}
	return &rules.Suggestion{StartLine: n, EndLine: n, Text: out}
}

func reverse(ms [][]int) [][]int {
	out := make([][]int, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m
	}
	return out
}

func sec004Code(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	af := pass.AST(f)
	if af == nil {
		return nil
	}
	// $env/static/public and $env/dynamic/public imports (SvelteKit).
	dynamicEnv := map[string]bool{}
	for _, im := range af.Imports() {
		if im.Source != "$env/static/public" && im.Source != "$env/dynamic/public" {
			continue
		}
		if im.Source == "$env/dynamic/public" {
			dynamicEnv[im.Local] = true
			continue
		}
		if !detect.IsPublicSecretName(im.Imported) {
			continue
		}
		d := rules.Diagnostic{Line: im.Node.Line, Column: im.Node.Col, Match: "public-name " + im.Imported,
			Message: sec004Message(im.Imported, "`$env/static/public` import"),
			Fix:     "SvelteKit exposes every `$env/*/public` variable to the browser. Rename the variable to " + rules.Code(detect.ServerName(im.Imported)) + ", import it from `$env/static/private` in a `+page.server.ts`/`+server.ts`/hooks module, and rotate the key.",
		}
		line := f.Line(im.Node.Line)
		if strings.Count(line, ",") == 0 {
			if s := renameSuggestion(im.Node.Line, line); s != nil {
				s.Text = strings.Replace(s.Text, "$env/static/public", "$env/static/private", 1)
				d.Suggestion = s
			}
		}
		report(d)
	}
	suggested := map[int]bool{}
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		var name, where string
		switch n.Type {
		case "member_expression", "subscript_expression":
			obj, seg := envAccess(af, n)
			switch {
			case obj == "process.env" || obj == "import.meta.env":
				name, where = seg, rules.Code(obj+"."+seg)
			case dynamicEnv[obj]:
				name, where = seg, "`$env/dynamic/public` read"
			}
		case "object_pattern":
			// const { NEXT_PUBLIC_CLERK_SECRET_KEY } = process.env
			decl := n.Parent
			if decl == nil || decl.Type != "variable_declarator" {
				return true
			}
			src := af.Name(decl.ChildByField("value"))
			if src != "process.env" && src != "import.meta.env" {
				return true
			}
			for _, p := range n.NamedChildren() {
				key := p
				if p.Type == "pair_pattern" {
					key = p.ChildByField("key")
				}
				k := af.Text(key)
				if detect.IsPublicSecretName(k) {
					reportCodeName(pass, report, af, p, k, rules.Code(src)+" destructuring", suggested)
				}
			}
			return true
		}
		if name == "" || !detect.IsPublicSecretName(name) {
			return true
		}
		if inGuard(af, n) {
			return false
		}
		reportCodeName(pass, report, af, n, name, where, suggested)
		return false
	})
	return nil
}

func reportCodeName(pass *rules.Pass, report reportFunc, af *jsast.File, n *jsast.Node, name, where string, suggested map[int]bool) {
	d := rules.Diagnostic{Line: n.Line, Column: n.Col, Match: "public-name " + name,
		Message: sec004Message(name, where),
		Fix:     sec004Fix(rules.Code(detect.ServerName(name)))}
	if !suggested[n.Line] {
		suggested[n.Line] = true
		d.Suggestion = renameSuggestion(n.Line, pass.File.Line(n.Line))
	}
	report(d)
}

// inGuard reports whether n is checked by a build guard or a test: inside
// expect(...)/assert(...), or in the condition of an `if` that throws or
// exits.
func inGuard(af *jsast.File, n *jsast.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.Type {
		case "call_expression":
			c := af.CalleeName(p)
			if strings.HasPrefix(c, "expect") || strings.HasPrefix(c, "assert") || strings.Contains(c, ".assert") || strings.HasSuffix(c, ".ok") {
				return true
			}
		case "if_statement":
			cond := p.ChildByField("condition")
			if cond != nil && cond.Contains(n) {
				body := af.Text(p.ChildByField("consequence"))
				return strings.Contains(body, "throw") || strings.Contains(body, "process.exit")
			}
		}
		if jsast.IsFunction(p) {
			return false
		}
	}
	return false
}

// envAccess splits `process.env.X`, `import.meta.env.X` and
// `process.env['X']` into the object text and the property name.
func envAccess(af *jsast.File, n *jsast.Node) (obj, prop string) {
	obj = strings.Join(strings.Fields(af.Text(n.ChildByField("object"))), "")
	obj = strings.ReplaceAll(obj, "?.", ".")
	switch n.Type {
	case "member_expression":
		prop = af.Text(n.ChildByField("property"))
	case "subscript_expression":
		prop, _ = af.StringValue(n.ChildByField("index"))
	}
	return obj, prop
}
