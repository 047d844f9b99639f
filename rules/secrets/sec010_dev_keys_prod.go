package secrets

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC010 reports development-instance keys (pk_test_/sk_test_) in
// production configuration, and pk/sk pairs of different modes in one env
// file.
var SEC010 = &rules.Rule{
	ID:         "CLK-SEC-010",
	Name:       "development-keys-in-production",
	Pack:       rules.PackSecrets,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return !f.Binary && (f.Lang == source.LangEnv || f.Lang == source.LangYAML || f.IsJS())
	},
	Keywords: []string{"pk_test_", "sk_test_", "pk_live_", "sk_live_"},
	Doc: rules.Doc{
		Title: "development instance keys in production configuration",
		References: []string{
			"https://clerk.com/docs/guides/development/managing-environments",
			"https://clerk.com/docs/guides/development/troubleshooting/using-production-keys-in-development",
		},
		Text: "Clerk development instances \"have a more relaxed security posture and are not suitable for production workloads\": they use " +
			"the shared `accounts.dev` domain, allow 100 users, and use a different session architecture. A `pk_test_`/`sk_test_` key in " +
			"production configuration means production runs on a development instance; a `pk_live_` key paired with an `sk_test_` key (or the " +
			"reverse) in one env set (an env file, a workflow job's env) means the frontend and backend talk to different instances, and sessions " +
			"will not verify (a set holding publishable keys of both modes chooses between instances and is not reported). The other way " +
			"round, a `pk_live_` key in an env file only development and tests load (`.env.development*`, `.env.dev*`, `.env.test*`) or " +
			"beside Clerk URL settings (`*CLERK_*URL*`) on `localhost` or a development instance's `*.accounts.dev` host points development " +
			"at the production instance, whose keys \"only work with your configured production domain\". The publishable key is decoded " +
			"(base64 of the Frontend API host and `$`) and its host is named. Env templates (`.env.example`) and env files git ignores " +
			"(a local `.env.local`) are not reported for pairing or development use, nor are keys on comment lines, which the file does not set.\n\n" +
			"Production is recognised by name: `.env.production*`/`.env.prod*`, an env file setting `NODE_ENV=production`, Helm " +
			"`values-prod*.yaml`/`values-production*.yaml`, a `production`/`prod` overlay directory, and workflow jobs with " +
			"`environment: production`; and a `pk_test_` literal in the code of a package a hosting platform's deployment configuration " +
			"deploys (`wrangler.toml`/`.json`/`.jsonc`, `vercel.json`, `netlify.toml`, `fly.toml`, `render.yaml`, `railway.json` in its " +
			"directory or above), given as Clerk's publishable key with no `pk_live_` beside it, not as a fallback of an environment read and " +
			"not under a condition (tests, examples and demos are left out): the literal is the only key that build can use. Staging environments that intentionally use a development instance are not named production, so " +
			"they are not reported.",
		Bad:  "# .env.production\nNEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_test_…\nCLERK_SECRET_KEY=sk_test_…",
		Good: "# .env.production (values from the production instance, kept out of git)\nNEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_live_…\nCLERK_SECRET_KEY=",
		Lang: "sh",
	},
	Fix: rules.ConstFix("Development instances 'have a more relaxed security posture and are not suitable for production workloads' (shared " +
		"`accounts.dev` domain, 100-user cap, different session architecture). Deploy with the production instance's `pk_live_`/`sk_live_` keys."),
	Run: adapt(runSEC010),
}

var (
	prodEnvName     = regexp.MustCompile(`(?i)^\.env\.(?:production|prod)(?:\.|$)`)
	prodValues      = regexp.MustCompile(`(?i)^values[-.](?:prod|production)[\w.-]*\.ya?ml$`)
	prodDir         = regexp.MustCompile(`(?i)(^|/)(?:prod|production)/`)
	nodeEnvProdRe   = regexp.MustCompile(`(?m)^\s*(?:export\s+)?NODE_ENV\s*=\s*["']?production\b`)
	prodEnvironment = regexp.MustCompile(`(?i)^prod(uction)?$`)
)

// clerkKey is a Clerk pk_ or sk_ key in a file, after validation.
type clerkKey struct {
	c    detect.Candidate
	secr bool // sk_
}

func clerkKeys(f *source.File) []clerkKey {
	text := string(f.Content)
	sig := signals(f)
	var out []clerkKey
	for _, c := range candidates(f) {
		switch c.Kind {
		case detect.PublishableKey:
			if _, ok := detect.DecodePublishable(c.Value); ok {
				out = append(out, clerkKey{c: c})
			}
		case detect.SecretKey:
			if _, ph := detect.Placeholder(c.Value); ph {
				continue
			}
			if v, _, _ := detect.Attribute(text, c, sig); v == detect.Clerk {
				out = append(out, clerkKey{c: c, secr: true})
			}
		}
	}
	return out
}

func runSEC010(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	keys := clerkKeys(f)
	if len(keys) == 0 {
		return nil
	}
	base := path.Base(f.Path)
	reported := map[int]bool{}
	devKey := func(k clerkKey, why string) {
		if k.c.Live || reported[k.c.Start] || commentedOut(f, k) {
			return // a key on a comment line is not set
		}
		reported[k.c.Start] = true
		line, col := lineSpan(f, k.c.Start)
		what := "publishable key"
		if k.secr {
			what = "Secret Key"
		}
		d := rules.Diagnostic{Line: line, Column: col, Match: "dev-key " + match(k.c.Name, k.c.Value),
			Message: fmt.Sprintf("development-instance %s %s in %s", what, redact.Secret(k.c.Value), why)}
		if k.secr {
			d.Secrets = []string{k.c.Value}
		}
		report(d)
	}
	switch {
	case f.IsJS():
		if deployed, why := hardCodedForDeploy(pass); deployed {
			for _, k := range keys {
				if !k.secr && onlyKey(pass, keys, k) {
					devKey(k, why)
				}
			}
		}
		return nil
	case f.Lang == source.LangEnv && envFileKind(f.Path) == "template":
		// examples document development setups
	case f.Lang == source.LangEnv && prodEnvName.MatchString(base):
		for _, k := range keys {
			devKey(k, rules.Code(base)+", a production env file")
		}
	case f.Lang == source.LangEnv && nodeEnvProdRe.Match(f.Content):
		for _, k := range keys {
			devKey(k, rules.Code(base)+", which sets `NODE_ENV=production`")
		}
	case f.Lang == source.LangYAML && (prodValues.MatchString(base) || prodDir.MatchString(f.Path)):
		for _, k := range keys {
			devKey(k, rules.Code(f.Path)+", production deployment configuration")
		}
	case f.Lang == source.LangYAML && strings.Contains(f.Path, ".github/workflows/"):
		for _, r := range workflowJobs(f) {
			var in []clerkKey
			for _, k := range keys {
				if line, _ := lineSpan(f, k.c.Start); line >= r.from && line <= r.to {
					in = append(in, k)
				}
			}
			if r.production {
				for _, k := range in {
					devKey(k, "workflow job "+rules.Code(r.job)+", which deploys to environment `production`")
				}
			}
			// One job's env is one deployment's env set.
			mismatch(f, in, "workflow job "+rules.Code(r.job), reported, report)
		}
	}
	if f.Lang != source.LangEnv || envFileKind(f.Path) != "env" || !committed(pass, f.Path) {
		// A template documents a setup; an ignored .env.local never leaves
		// the developer's machine.
		return nil
	}
	liveKeyInDev(f, keys, reported, report)
	mismatch(f, keys, rules.Code(base), reported, report)
	return nil
}

// mismatch reports the Secret Keys of one env set (an env file, a
// workflow job) whose instance mode differs from that of its publishable
// keys, named by where. A set whose publishable keys are of both modes
// chooses between instances and is left alone; keys on comment lines are
// not set.
func mismatch(f *source.File, keys []clerkKey, where string, reported map[int]bool, report reportFunc) {
	var pk *clerkKey
	for i := range keys {
		if keys[i].secr || commentedOut(f, keys[i]) {
			continue
		}
		if pk != nil && pk.c.Live != keys[i].c.Live {
			return
		}
		if pk == nil {
			pk = &keys[i]
		}
	}
	if pk == nil {
		return
	}
	for _, k := range keys {
		if !k.secr || k.c.Live == pk.c.Live || reported[k.c.Start] || commentedOut(f, k) {
			continue
		}
		reported[k.c.Start] = true
		line, col := lineSpan(f, k.c.Start)
		report(rules.Diagnostic{Line: line, Column: col, Secrets: []string{k.c.Value}, Match: "key-mismatch " + match(k.c.Name, k.c.Value),
			Message: fmt.Sprintf("Secret Key %s and publishable key %s in %s belong to different instances (%s vs %s%s); sessions issued by one will not verify with the other", redact.Secret(k.c.Value), redact.Secret(pk.c.Value), where, mode(k.c.Live), mode(pk.c.Live), frontendAPI(pk.c.Value)),
			Fix:     "Use the publishable key and Secret Key of the same Clerk instance (both `_live_` in production, both `_test_` in development)."})
	}
}

var (
	// devEnvName matches env files only local development and tests load
	// (Next.js and Vite load .env.development* in `dev` and .env.test* in
	// tests, never in a production build).
	devEnvName = regexp.MustCompile(`(?i)^\.env\.(?:development|dev|test)(?:\.local)?$`)
	// clerkURLSetting is a Clerk URL setting (sign-in/up and redirect URLs,
	// Frontend API, proxy) with an absolute URL value.
	clerkURLSetting = regexp.MustCompile(`(?m)^\s*(?:export\s+)?(\w*CLERK_\w*URL\w*)\s*=\s*["']?(https?://[^\s"'#]+)`)
)

// liveKeyInDev reports a production publishable key (pk_live_) in an env
// file only development loads, or beside Clerk URL settings that point to
// localhost or a development instance's accounts.dev host. Production
// keys "only work with your configured production domain. This means
// localhost won't work with production keys"
// (https://clerk.com/docs/guides/development/troubleshooting/using-production-keys-in-development):
// local development signs into the production instance, or does not sign
// in at all.
func liveKeyInDev(f *source.File, keys []clerkKey, reported map[int]bool, report reportFunc) {
	base := path.Base(f.Path)
	why := ""
	if devEnvName.MatchString(base) {
		why = rules.Code(base) + ", an env file only development and tests load"
	} else if name, host := devURLSetting(f.Content); name != "" {
		why = fmt.Sprintf("%s beside %s, which points to %s, a development host", rules.Code(base), rules.Code(name), rules.Code(host))
	} else {
		return
	}
	for _, k := range keys {
		if k.secr || !k.c.Live || reported[k.c.Start] || commentedOut(f, k) {
			continue
		}
		reported[k.c.Start] = true
		line, col := lineSpan(f, k.c.Start)
		report(rules.Diagnostic{Line: line, Column: col, Match: "live-key-dev " + match(k.c.Name, k.c.Value),
			Message: fmt.Sprintf("production publishable key %s (production instance%s) in %s: production keys only work on the production domain, so development signs into production or fails", redact.Secret(k.c.Value), frontendAPI(k.c.Value), why),
			Fix:     "Use the development instance's `pk_test_`/`sk_test_` keys in development env files; keep `pk_live_` keys in the production deployment's settings."})
	}
}

// commentedOut reports whether an env file's key is on a comment line: a
// kept-aside value the file does not set.
func commentedOut(f *source.File, k clerkKey) bool {
	line, _ := lineSpan(f, k.c.Start)
	lines := f.Lines()
	return line >= 1 && line <= len(lines) && strings.HasPrefix(strings.TrimSpace(lines[line-1]), "#")
}

// devURLSetting returns the first Clerk URL setting whose host is
// localhost or a development instance's Frontend API host.
func devURLSetting(content []byte) (name, host string) {
	for _, m := range clerkURLSetting.FindAllSubmatch(content, -1) {
		u, err := url.Parse(string(m[2]))
		if err != nil {
			continue // unparsable: unknown, not a finding
		}
		h := strings.ToLower(u.Hostname())
		if h == "localhost" || h == "127.0.0.1" || strings.HasSuffix(h, ".accounts.dev") {
			return string(m[1]), h
		}
	}
	return "", ""
}

// frontendAPI names the Frontend API host a publishable key encodes (a
// publishable key is public, and so is its host), ", Frontend API
// `clerk.example.com`", or "" when it does not decode. The key is its
// instance's Frontend API host + "$", base64-encoded, after pk_live_ or
// pk_test_ (clerk/javascript packages/shared/src/keys.ts
// parsePublishableKey); a production instance's host is on the app's
// domain, a development instance's on *.clerk.accounts.dev.
func frontendAPI(pk string) string {
	p, ok := detect.DecodePublishable(pk)
	if !ok {
		return ""
	}
	return ", Frontend API " + rules.Code(p.Host)
}

func mode(live bool) string {
	if live {
		return "production"
	}
	return "development"
}

type lineRange struct {
	job        string
	from, to   int
	production bool // the job's environment is production
}

// workflowJobs returns the line ranges of a workflow's jobs.
func workflowJobs(f *source.File) []lineRange {
	var doc yaml.Node
	if yaml.Unmarshal(f.Content, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	jobs := yamlGet(doc.Content[0], "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil
	}
	var out []lineRange
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		k, v := jobs.Content[i], jobs.Content[i+1]
		env := yamlGet(v, "environment")
		name := yamlScalar(env)
		if name == "" {
			name = yamlScalar(yamlGet(env, "name"))
		}
		to := len(f.Lines())
		if i+2 < len(jobs.Content) {
			to = jobs.Content[i+2].Line - 1
		}
		out = append(out, lineRange{job: k.Value, from: k.Line, to: to, production: prodEnvironment.MatchString(name)})
	}
	return out
}

// demoDir matches directories of code that is not the deployed app.
var demoDir = regexp.MustCompile(`(?i)(^|/)(?:examples?|demos?|sandbox|playground|storybook)/`)

// hardCodedForDeploy reports whether the code file belongs to a package
// that a hosting platform's deployment configuration builds and deploys
// (rules/knowledge DeployConfigOf, in the file's directory or above it),
// and says which.
func hardCodedForDeploy(pass *rules.Pass) (bool, string) {
	f := pass.File
	if jsast.IsNonRequestPath(f.Path) || demoDir.MatchString(f.Path) {
		return false, ""
	}
	dir := path.Dir(f.Path)
	best, host := "", ""
	for _, p := range pass.Paths() {
		d, ok := knowledge.DeployConfigOf(p)
		if !ok {
			continue
		}
		pd := path.Dir(p)
		if (pd == "." || pd == dir || strings.HasPrefix(dir, pd+"/")) && len(p) > len(best) {
			best, host = p, d.Host
		}
	}
	if best == "" {
		return false, ""
	}
	return true, fmt.Sprintf("code that %s deploys to %s: the literal is the only key that build can use, so production runs on the development instance", rules.Code(best), host)
}

// onlyKey reports whether a publishable key literal is the value the code
// always uses: given as Clerk's publishable key (by its name, or in a file
// that imports Clerk), not a fallback of an environment read and not under
// a condition (a development-mode branch), in a file with no pk_live_ key.
func onlyKey(pass *rules.Pass, keys []clerkKey, k clerkKey) bool {
	for _, o := range keys {
		if o.c.Live {
			return false // the file chooses between instances
		}
	}
	if !strings.Contains(strings.ToLower(k.c.Name), "publishable") && !signals(pass.File).ImportsClerk {
		return false
	}
	af := pass.AST(pass.File)
	if af == nil {
		return false // unparsed: unknown, not a finding
	}
	var lit *jsast.Node
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		if n.Start > k.c.Start || n.End < k.c.End {
			return false
		}
		if n.Type == "string" || n.Type == "template_string" {
			lit = n
		}
		return true
	})
	if lit == nil {
		return false
	}
	return jsast.Ancestor(lit, "binary_expression", "ternary_expression", "if_statement", "switch_case", "conditional_expression") == nil
}
