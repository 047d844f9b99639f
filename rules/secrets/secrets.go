// Package secrets holds the rules for Clerk secret leakage (checklist item
// 2): secret keys, webhook signing secrets and other credentials committed
// to the repository, secret variables given a client-exposed prefix or
// inlined by build configuration, backend SDK use in client modules, Nuxt
// public runtime config, committed .env files, secrets baked into images
// and CI, and development keys in production configuration.
//
// Division of labour, so one mistake gives one finding per problem:
//
//   - CLK-SEC-001/002/003 are about a credential *value*: they fire on the
//     literal wherever it is (source, .env, YAML, Dockerfile, Markdown).
//   - CLK-SEC-004/005/006/007 are about a *name or code path* that ships a
//     secret to the browser, whatever its value.
//   - CLK-SEC-008/009 are about the *mechanism*: a committed .env file, an
//     image layer, a CI log or a ConfigMap. `ENV CLERK_SECRET_KEY=sk_live_…`
//     is therefore SEC-001 (rotate this key) and SEC-009 (never bake a
//     secret into an image), with different messages and fixes; a dummy
//     build-time value is only SEC-009, at Low.
//   - CLK-SEC-010 is about the instance (development keys in production).
//   - CLK-SEC-011 is about another vendor's key *value* in a documented
//     format (a Stripe sk_ key by its shape), outside env files: a
//     committed env file is one CLK-SEC-008 finding listing every secret.
//   - CLK-SEC-012 asks the semantic model for entry points that send a
//     server secret to a caller nothing authenticates.
//   - CLK-SEC-013 is an account's login and password written as literals
//     into a request the code sends (a narrow, high-precision case of a
//     hard-coded credential; other literals are a secret scanner's job).
//   - CLK-SEC-014 is a Clerk secret variable passed as it is to a log call.
//
// Attribution: both Clerk and Stripe issue sk_test_/sk_live_ keys. The
// rules report keys attributed to Clerk (by name, surrounding text, the
// file's imports or a validated Clerk publishable key), report
// unattributed keys with low confidence as "sk_ secret key (Stripe or
// Clerk)" only in projects that use Clerk, and stay quiet on keys
// attributed to Stripe. Publishable keys are never a leak.
package secrets

import (
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Rules is the pack, in ID order.
var Rules = []*rules.Rule{
	SEC001, SEC002, SEC003, SEC004, SEC005, SEC006, SEC007, SEC008, SEC009, SEC010, SEC011, SEC012, SEC013, SEC014,
}

// reportFunc receives a rule's diagnostics. Rules report through it rather
// than pass.Report directly so the tests can inspect every raw Diagnostic
// (Match included) before the engine's own redaction.
type reportFunc func(rules.Diagnostic)

type runFunc func(pass *rules.Pass, report reportFunc) error

func adapt(fn runFunc) func(*rules.Pass) error {
	return func(p *rules.Pass) error { return fn(p, p.Report) }
}

// textFile selects every text file; binary files hold no assignments we
// can attribute.
func textFile(f *source.File) bool { return !f.Binary }

// signals returns the file's attribution facts, computed once per file.
func signals(f *source.File) detect.FileSignals {
	return f.Memo("secrets.signals", func() any { return detect.Signals(string(f.Content)) }).(detect.FileSignals)
}

// candidates returns the file's credential candidates, computed once.
func candidates(f *source.File) []detect.Candidate {
	return f.Memo("secrets.candidates", func() any { return detect.Find(string(f.Content)) }).([]detect.Candidate)
}

// isDoc reports prose files, where a name is discussed rather than set.
func isDoc(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".mdx", ".rst", ".txt", ".adoc", ".html":
		return true
	}
	return false
}

// envFileKind classifies a dotenv path: "" (not a dotenv file), "template"
// (.env.example and friends, meant to be committed) or "env".
func envFileKind(p string) string {
	base := strings.ToLower(path.Base(p))
	if base != ".env" && !strings.HasPrefix(base, ".env.") && !strings.HasSuffix(base, ".env") {
		return ""
	}
	for _, t := range []string{"example", "sample", "template", "dist", "defaults", "schema", "tpl", "tmpl"} {
		if strings.Contains(base, "."+t) || strings.HasPrefix(base, t+".") {
			return "template"
		}
	}
	return "env"
}

// lineSpan returns the 1-based line and column of a byte offset.
func lineSpan(f *source.File, off int) (int, int) { return f.LineOf(off) }

// describe returns "`NAME`" or "a literal" for messages.
func describe(name string) string {
	if name == "" {
		return "a string literal"
	}
	return rules.Code(name)
}

// match builds a fingerprint text that holds no secret: the name (or the
// rule's topic) and the redacted value.
func match(name, value string) string {
	if name == "" {
		return redact.Secret(value)
	}
	return name + "=" + redact.Secret(value)
}
