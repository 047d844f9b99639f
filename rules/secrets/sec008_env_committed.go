package secrets

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC008 reports .env files that are committed (not covered by any
// .gitignore pattern) with secret values, and .gitignore files that no
// longer ignore .env files.
var SEC008 = &rules.Rule{
	ID:         "CLK-SEC-008",
	Name:       "env-file-committed",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return !f.Binary && (envFileKind(f.Path) == "env" || path.Base(f.Path) == ".gitignore")
	},
	Doc: rules.Doc{
		Title: "env file committed or un-ignored",
		References: []string{
			"https://nextjs.org/docs/app/api-reference/next-config-js/env",
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
		},
		Text: "`.env`, `.env.local` and `.env.production` hold the deployment's secrets and must never be committed: create-next-app " +
			"ignores `.env*` by default and Gatsby's docs say \"Add `.env*` files to `.gitignore`\". A committed `.env` file puts every key " +
			"in it into the history of every clone and fork.\n\n" +
			"The rule reports a committed dotenv file when it sets a secret (Clerk secret names, and generic " +
			"`*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*PASSWORD*` variables) to a real-looking value, a value in another vendor's documented " +
			"secret format (a Stripe `sk_`/`rk_` key, told from Clerk's by its length), a connection URL with a password for a host " +
			"other machines reach (`postgres://user:pass@db.example.com`), or a `*SECRET*`/`*PASSWORD*`/`*PRIVATE_KEY*` variable given a " +
			"public prefix (inlined into the client bundle); empty values, references, placeholders, public client keys (`*_API_KEY`, " +
			"`*ANON_KEY` under a public prefix) and passwords of services the file itself places on `localhost` or on a compose network " +
			"do not count. It is one finding per file, at the strongest evidence, naming the variables and never their values. Committed means: in a pull request or a " +
			"commit, every file of the tree (a force-added file too); in a scan of a git checkout, what `git ls-files` lists as tracked " +
			"or not ignored; elsewhere, a file no `.gitignore` pattern covers, with git's rules (root and nested files, negation, a file of " +
			"an excluded directory cannot be re-included). A correctly ignored `.env.local` is not a finding. " +
			"`.env.example`, `.env.sample`, `.env.template` and `.env.dist` are meant to be committed and are not reported. " +
			"It also reports a `.gitignore` that keeps its env-files comment but lost the pattern below it, and (Medium) a `.gitignore` of a " +
			"project using a Clerk server SDK that ignores neither `.env` nor `.env.local` (an app using only Clerk's client SDKs holds no Secret Key; " +
			"for a Go module using clerk-sdk-go, one that does not ignore `.env`, the file `godotenv.Load()` reads by default). The secret values themselves are CLK-SEC-001/002/003's findings.",
		Bad:  "# .gitignore\nnode_modules\n# (the `.env*` line was removed)\n\n# .env.local (committed)\nCLERK_SECRET_KEY=sk_live_…",
		Good: "# .gitignore\n.env*\n!.env.example\n\n# .env.example (committed)\nCLERK_SECRET_KEY=",
		Lang: "sh",
	},
	Fix: rules.ConstFix("Remove the file from the repository (and history), add it to `.gitignore`, rotate every Clerk key it contained, " +
		"and use `npx clerk env pull` or your host's secret store to provision keys."),
	Run: adapt(runSEC008),
}

var (
	envLineRe      = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$`)
	genericSecret  = regexp.MustCompile(`(?i)SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|PASSWORD|SIGNING`)
	envCommentRe   = regexp.MustCompile(`(?i)^#.*\b(?:env|dotenv|environment)\b`)
	envPatternLike = regexp.MustCompile(`(?i)\.env`)
)

// envValue strips quotes and a trailing comment from a dotenv value.
func envValue(raw string) string {
	v := strings.TrimSpace(raw)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if i := strings.IndexByte(v[1:], v[0]); i >= 0 {
			return v[1 : i+1]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// realSecret reports whether a dotenv assignment sets a secret to a value
// that is not empty, a reference or a placeholder.
func realSecret(name, value string) bool {
	if !detect.IsSecretName(name) && !genericSecret.MatchString(name) {
		return false
	}
	if detect.PublicPrefixOf(name) != "" && !detect.IsSecretName(name) {
		return false
	}
	if len(value) < 8 || detect.IsReference(value) {
		return false
	}
	if _, ph := detect.Placeholder(value); ph {
		return false
	}
	return detect.Entropy(detect.Body(value)) >= detect.MinEntropy
}

// envSecret is one secret a committed dotenv file sets.
type envSecret struct {
	line  int
	name  string
	value string
	what  string // "Stripe secret key", "password in a connection URL", ""
	rank  int    // which line the finding points at: the strongest evidence
}

// Ranks of the evidence a dotenv line gives, weakest first.
const (
	rankClerk  = iota + 1 // a Clerk secret: CLK-SEC-001/002/003 report the value itself
	rankNamed             // a secret-named variable with a real-looking value
	rankURL               // a connection URL with an embedded password
	rankFormat            // a value in a vendor's documented secret format, or a secret a public prefix ships to the client
)

// classifyEnvLine says whether a dotenv assignment sets a secret, and
// what kind of evidence it is.
// vendorOf says whose an sk_ value is (detect.Attribute): Clerk shares
// Stripe's prefixes, so a vendor format holds only where the context says
// so.
func classifyEnvLine(name, value string, hosts map[string]bool, vendorOf func() detect.Vendor) (string, int, bool) {
	if _, ph := detect.Placeholder(value); ph || detect.IsReference(value) {
		return "", 0, false
	}
	if f, ok := knowledge.CredentialFormatOf(value); ok && (!strings.HasPrefix(value, "sk_") || vendorOf() == detect.Other) {
		return f.Vendor + " " + f.Kind, rankFormat, true
	}
	if pw, ok := urlPassword(value); ok {
		return "password in a connection URL", rankURL, detect.IsSecretName(name) || realPassword(pw)
	}
	if detect.PublicPrefixOf(name) != "" && !detect.IsSecretName(name) {
		// A public prefix on a secret-named variable ships it in the client
		// bundle; *_API_KEY and *_TOKEN are left alone: public client keys
		// (maps, analytics, Supabase anon) are commonly named so.
		if publicSecretWord.MatchString(name) && detect.Entropy(value) >= detect.MinEntropy && len(value) >= 12 {
			return "secret given the public prefix " + rules.Code(detect.PublicPrefixOf(name)) + ", inlined into the client bundle", rankFormat, true
		}
		return "", 0, false
	}
	if !realSecret(name, value) || localCredential(name, value, hosts) {
		return "", 0, false
	}
	if detect.IsSecretName(name) {
		return "", rankClerk, true
	}
	return "", rankNamed, true
}

// publicSecretWord are the name parts no public client value carries.
var publicSecretWord = regexp.MustCompile(`(?i)SECRET|PASSWORD|PASSWD|PRIVATE_KEY`)

// urlPassword returns the password of a connection URL whose host other
// machines reach (not localhost, not a single-label service name of a
// compose network).
func urlPassword(value string) (string, bool) {
	if !strings.Contains(value, "://") {
		return "", false
	}
	u, err := url.Parse(value)
	if err != nil || u.User == nil {
		return "", false
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		return "", false
	}
	host := u.Hostname()
	if localHostRe.MatchString(u.Host) || localHostRe.MatchString(host) || !strings.Contains(host, ".") {
		return "", false
	}
	if pw == u.User.Username() {
		return "", false
	}
	return pw, true
}

// realPassword reports whether a password is not a documentation value.
func realPassword(pw string) bool {
	if len(pw) < 8 || detect.IsReference(pw) || strings.Contains(strings.ToLower(pw), "password") {
		return false
	}
	_, ph := detect.Placeholder(pw)
	return !ph
}

func runSEC008(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	if path.Base(f.Path) == ".gitignore" {
		checkEnvGitignore(pass, report)
		return nil
	}
	if !committed(pass, f.Path) {
		return nil // a local file in a working-tree scan, not committed
	}
	how := "no .gitignore pattern covers it"
	if c, known := pass.Committed(f.Path); known && c {
		how = "git tracks it"
	}
	var found []envSecret
	hosts := localHosts(f.Lines())
	text := string(f.Content)
	off := 0
	for i, l := range f.Lines() {
		lineStart := off
		off += len(l) + 1
		m := envLineRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v := envValue(m[2])
		vendorOf := func() detect.Vendor {
			start := lineStart + max(strings.Index(l, v), 0)
			if start+len(v) > len(text) {
				return detect.Unknown // offsets of a file with CRLF line ends: no context
			}
			c := detect.Candidate{Kind: detect.SecretKey, Value: v, Start: start, End: start + len(v), Name: m[1]}
			vendor, _, _ := detect.Attribute(text, c, signals(f))
			return vendor
		}
		what, rank, ok := classifyEnvLine(m[1], v, hosts, vendorOf)
		if !ok {
			continue // empty, a reference or a placeholder: nothing leaked
		}
		found = append(found, envSecret{line: i + 1, name: m[1], value: v, what: what, rank: rank})
	}
	if len(found) == 0 {
		return nil
	}
	// Strongest evidence first: the finding points at it and the list
	// names it even when it is cut short.
	sort.SliceStable(found, func(i, j int) bool { return found[i].rank > found[j].rank })
	anchor := found[0]
	var names, secrets []string
	for _, s := range found {
		n := rules.Code(s.name)
		if s.what != "" {
			n += " (" + s.what + ")"
		}
		names = append(names, n)
		secrets = append(secrets, s.value)
	}
	list := strings.Join(names, ", ")
	if len(names) > 4 {
		list = strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
	}
	// Every other secret line is a related location: one finding per
	// file, and the user still sees each line to clean.
	var related []rules.Location
	for _, s := range found[1:] {
		related = append(related, rules.Location{Path: f.Path, Line: s.line})
	}
	sort.Slice(related, func(i, j int) bool { return related[i].Line < related[j].Line })
	report(rules.Diagnostic{Line: anchor.line, Secrets: secrets, Match: "env-file " + f.Path, Related: related,
		Message: fmt.Sprintf("%s is committed (%s) and sets %s", rules.Code(f.Path), how, list)})
	return nil
}

// checkEnvGitignore reports a .gitignore that no longer ignores env files.
func checkEnvGitignore(pass *rules.Pass, report reportFunc) {
	f := pass.File
	dir := path.Dir(f.Path)
	probe := func(name string) string {
		if dir == "." {
			return name
		}
		return dir + "/" + name
	}
	gi := loadGitignore(pass.Paths(), pass.Get)
	if gi.Ignored(probe(".env")) && gi.Ignored(probe(".env.local")) {
		return
	}
	lines := f.Lines()
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !envCommentRe.MatchString(t) {
			continue
		}
		// The comment should head env patterns; if the line below is not
		// one, the pattern was removed.
		next := ""
		for _, nl := range lines[i+1:] {
			if next = strings.TrimSpace(nl); next != "" {
				break
			}
		}
		if envPatternLike.MatchString(next) {
			continue
		}
		end := i + 2
		if end > len(lines) {
			end = len(lines)
		}
		report(rules.Diagnostic{Line: i + 1, EndLine: end, Match: "gitignore-env-comment",
			Message: fmt.Sprintf("`.gitignore` keeps the comment %s but no pattern below it ignores `.env` files any more", rules.Code(t)),
			Fix:     "Restore the env-file pattern (`.env*`, then `!.env.example` if you commit an example file)."})
		return
	}
	// The whole-file finding: a Clerk package whose nearest .gitignore is
	// this one, and neither its .env nor its .env.local is ignored.
	found := false
	for _, pk := range pass.Project.Packages {
		if !clerkServerPackage(pk.Deps) || nearestGitignore(pass.Paths(), pk.Dir) != f.Path {
			continue
		}
		env, local := ".env", ".env.local"
		if pk.Dir != "" {
			env, local = pk.Dir+"/"+env, pk.Dir+"/"+local
		}
		if !gi.Ignored(env) && !gi.Ignored(local) {
			found = true
			break
		}
	}
	goEnv := !found && dir == "." && len(pass.Project.GoClerk) > 0 && !gi.Ignored(".env")
	if !found && !goEnv {
		return
	}
	msg := "`.gitignore` ignores neither `.env` nor `.env.local`, so the Clerk Secret Key in a local env file is one `git add .` away from being committed"
	if goEnv && gi.Ignored(".env.local") {
		// The Go case asks only about .env, the file godotenv.Load()
		// reads by default (https://github.com/joho/godotenv#usage).
		msg = "`.gitignore` does not ignore `.env`, the file a Go server's `godotenv.Load()` reads by default, so a Clerk Secret Key put there is one `git add .` away from being committed"
	}
	report(rules.Diagnostic{Line: 1, EndLine: len(lines), Severity: rules.Medium, Confidence: rules.MediumConfidence, Match: "gitignore-no-env",
		Message: msg,
		Fix:     "Add `.env*` (and `!.env.example` if you commit an example file) to `.gitignore`."})
}

// clerkServerPackage reports whether a package depends on a Clerk SDK
// with a server entry point: an app that depends only on client SDKs
// (an Expo or React app) holds the publishable key alone, and its
// env files are not where a Secret Key would be.
func clerkServerPackage(deps map[string]string) bool {
	for d := range deps {
		if knowledge.HasServerModule(knowledge.ClerkPackageOf(d)) || d == "svelte-clerk" || d == "@hono/clerk-auth" {
			return true
		}
	}
	return false
}

// nearestGitignore returns the deepest .gitignore at or above dir.
func nearestGitignore(paths []string, dir string) string {
	best := ""
	for _, p := range paths {
		if path.Base(p) != ".gitignore" {
			continue
		}
		d := path.Dir(p)
		if d == "." {
			d = ""
		}
		if (d == "" || dir == d || strings.HasPrefix(dir, d+"/")) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// localHostRe matches a host only the developer's machine reaches.
var localHostRe = regexp.MustCompile(`(?i)^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|::1|\[::1\]|host\.docker\.internal|[\w.-]+\.(?:local|localhost))(?::\d+)?$`)

// localHosts returns the prefixes of the file's `<PREFIX>_HOST` variables
// whose value is a local host ("DB" for DB_HOST=localhost).
func localHosts(lines []string) map[string]bool {
	out := map[string]bool{}
	for _, l := range lines {
		m := envLineRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := strings.ToUpper(m[1])
		if strings.HasSuffix(name, "_HOST") && localHostRe.MatchString(envValue(m[2])) {
			out[strings.TrimSuffix(name, "_HOST")] = true
		}
	}
	return out
}

// localCredential reports a password for a service on the developer's
// machine: `DB_PASSWORD` beside `DB_HOST=localhost`, or a connection URL
// to localhost. It opens nothing anyone else can reach. Clerk secrets are
// never local.
func localCredential(name, value string, hosts map[string]bool) bool {
	if detect.IsSecretName(name) {
		return false
	}
	up := strings.ToUpper(name)
	if i := strings.LastIndex(up, "_"); i > 0 && strings.Contains(up[i:], "PASSWORD") && hosts[up[:i]] {
		return true
	}
	if u, err := url.Parse(value); err == nil && u.User != nil && localHostRe.MatchString(u.Host) {
		return true
	}
	return false
}
