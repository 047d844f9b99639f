package secrets

import (
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC003 reports other Clerk credentials hard-coded: the encryption key,
// machine secret keys, the platform API key, values of other formats
// assigned to Clerk secret names, and the keyless-mode `.clerk/` directory
// committed or un-ignored.
var SEC003 = &rules.Rule{
	ID:         "CLK-SEC-003",
	Name:       "other-clerk-credential-committed",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return !f.Binary
	},
	Keywords: []string{"CLERK_", "encryptionKey", "machineSecretKey", "clerk configuration", "secretKey"},
	Doc: rules.Doc{
		Title: "other Clerk credentials hard-coded",
		References: []string{
			"clerk/javascript packages/shared/src/keyless/nodeFileStorage.ts",
			"https://clerk.com/docs/reference/nextjs/clerk-middleware",
			"https://clerk.com/docs/guides/development/machine-auth/m2m-tokens",
		},
		Text: "Besides the Secret Key and webhook secrets, Clerk has other server credentials: `CLERK_ENCRYPTION_KEY` (encrypts the " +
			"dynamic keys, including the secret key, that `clerkMiddleware()` passes along), machine secret keys (`ak_…`, mint M2M " +
			"tokens), `CLERK_PLATFORM_API_KEY` (reads and rewrites the whole instance configuration; Critical) and the keyless-mode " +
			"`.clerk/.tmp/keyless.json`, which holds the secret key of the unclaimed development instance. The SDK adds `.clerk/` to " +
			"`.gitignore` with the comment \"clerk configuration (can include secrets)\"; a `.gitignore` that keeps the comment but lost " +
			"the pattern, or `.clerk/` files that no pattern ignores, are reported too.\n\n" +
			"References (`${{ secrets.X }}`, `${VAR}`, `process.env.X`) and placeholders are not values. The public `CLERK_JWT_KEY` is not a secret.",
		Bad:  "CLERK_ENCRYPTION_KEY=3f1c…   # committed .env\nCLERK_MACHINE_SECRET_KEY=ak_…",
		Good: "# set in the deployment's secret store\nCLERK_ENCRYPTION_KEY=\n# .gitignore\n.clerk/",
		Lang: "sh",
	},
	Fix: rules.ConstFix("`CLERK_ENCRYPTION_KEY` protects Clerk dynamic keys (including the secret key) passed through middleware; machine secret keys " +
		"mint M2M tokens; `.clerk/` holds the secret key of the unclaimed keyless instance. Remove the value, rotate it, and load it from " +
		"server-side environment only; keep `.clerk/` in `.gitignore`."),
	BuildOutput: true,
	Run:         localOnly(runSEC003),
}

const keylessComment = "clerk configuration (can include secrets)"

func runSEC003(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	switch {
	case path.Base(f.Path) == ".gitignore":
		checkClerkGitignore(pass, report)
		return nil
	case strings.HasPrefix(f.Path, ".clerk/") || strings.Contains(f.Path, "/.clerk/"):
		if committed(pass, f.Path) {
			what := "a keyless-mode file"
			if detect.IsKeylessFile(f.Path) {
				what = "the keyless-mode key file"
			}
			var secrets []string
			for _, c := range candidates(f) {
				if c.Kind == detect.SecretKey {
					secrets = append(secrets, c.Value)
				}
			}
			report(rules.Diagnostic{Line: 1, Secrets: secrets, Match: "clerk-dir " + f.Path,
				Message: fmt.Sprintf("%s is %s of Clerk's `.clerk/` directory, which holds the secret key of the unclaimed development instance, and no .gitignore pattern excludes it", rules.Code(f.Path), what),
				Fix:     "Delete `.clerk/` from the repository (and history), add `.clerk/` to `.gitignore`, and claim or rotate the keyless instance's keys in the Clerk Dashboard."})
		}
	}
	sig := signals(f)
	for _, c := range candidates(f) {
		var kindText string
		sev := rules.High
		switch c.Kind {
		case detect.EncryptionKey:
			if !detect.IsClerkSecretName(c.Name) && !sig.ImportsClerk {
				continue // another library's encryptionKey option
			}
			if !detect.LooksLikeToken(c.Value) {
				continue
			}
			kindText = "Clerk encryption key"
		case detect.MachineKey:
			if _, ph := detect.Placeholder(c.Value); ph {
				continue
			}
			kindText = "Clerk machine secret key"
		case detect.NamedSecret:
			if hasKnownPrefix(c.Value) || !detect.LooksLikeToken(c.Value) {
				continue // judged by CLK-SEC-001/002, or not a literal
			}
			kindText = "value"
		default:
			continue
		}
		if strings.Contains(strings.ToUpper(c.Name), "PLATFORM_API_KEY") {
			sev, kindText = rules.Critical, "Clerk Platform API key"
		}
		line, col := lineSpan(f, c.Start)
		msg := fmt.Sprintf("%s %s is hard-coded in %s", kindText, redact.Secret(c.Value), rules.Code(c.Name))
		if kindText == "value" {
			msg = fmt.Sprintf("Clerk secret variable %s is assigned the literal %s", rules.Code(c.Name), redact.Secret(c.Value))
		}
		if sev == rules.Critical {
			msg += "; it can read and rewrite the whole instance configuration"
		}
		report(rules.Diagnostic{Line: line, Column: col, Severity: sev, Secrets: []string{c.Value},
			Match: match(c.Name, c.Value), Message: msg})
	}
	return nil
}

func hasKnownPrefix(v string) bool {
	for _, p := range []string{"sk_", "whsec_", "pk_", "ak_"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// checkClerkGitignore reports a .gitignore that keeps the comment the Clerk
// SDK writes above `.clerk/` but no longer ignores the directory: the
// pattern was removed (in diff mode the deletion is on the reported span).
func checkClerkGitignore(pass *rules.Pass, report reportFunc) {
	f := pass.File
	lines := f.Lines()
	for i, l := range lines {
		if !strings.Contains(strings.ToLower(l), keylessComment) {
			continue
		}
		dir := path.Dir(f.Path)
		probe := ".clerk/.tmp/keyless.json"
		if dir != "." {
			probe = dir + "/" + probe
		}
		gi := loadGitignore(pass.Paths(), pass.Get)
		if gi.Ignored(probe) {
			return
		}
		end := i + 2
		if end > len(lines) {
			end = len(lines)
		}
		report(rules.Diagnostic{Line: i + 1, EndLine: end, Match: "gitignore-clerk",
			Message: "`.gitignore` keeps Clerk's \"" + keylessComment + "\" comment but no longer ignores `.clerk/`, so the keyless instance's secret key can be committed",
			Fix:     "Restore the `.clerk/` line under the comment in `.gitignore`."})
		return
	}
}
