package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC009 reports Clerk secrets baked into images, CI configuration and
// infrastructure code: Dockerfile ENV/ARG literals and ARG→ENV in the final
// stage, --build-arg, CI/compose env literals, Kubernetes ConfigMaps and
// literal container env values, vercel.json/netlify.toml/Terraform env.
//
// It is about the mechanism. When the value is also a real key, CLK-SEC-001
// (or 002/003) reports the value on the same line with its own fix.
var SEC009 = &rules.Rule{
	ID:         "CLK-SEC-009",
	Name:       "secret-baked-into-image-or-ci",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		if f.Binary || isDoc(f.Path) {
			return false
		}
		switch f.Lang {
		case source.LangDockerfile, source.LangYAML:
			return true
		}
		base := strings.ToLower(path.Base(f.Path))
		switch path.Ext(base) {
		case ".toml", ".tf", ".hcl", ".sh", ".bash", ".mk":
			return true
		}
		return base == "vercel.json" || base == "makefile" || base == "justfile" || base == "procfile"
	},
	Keywords: []string{"CLERK_", "WEBHOOK_SECRET", "SIGNING_SECRET"},
	Doc: rules.Doc{
		Title: "Clerk secrets baked into images, CI or infrastructure config",
		References: []string{
			"https://clerk.com/docs/guides/secure/rotate-api-keys",
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
			"https://docs.docker.com/build/building/secrets/",
		},
		Text: "Values in a Dockerfile's `ENV` and `ARG` persist in the image's layers and metadata (`docker history`, `docker inspect`); " +
			"`--build-arg` values are recorded too. Literal values in a workflow's `env:`, a compose file's `environment:`, a Kubernetes " +
			"`ConfigMap` or a container's `env[].value` are stored in plain text and printed in logs. Clerk secrets belong in a secret " +
			"store injected at runtime (`${{ secrets.CLERK_SECRET_KEY }}`, a Kubernetes `Secret` via `secretKeyRef`).\n\n" +
			"A Next.js build needs only `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`. Dummy build-time values (`sk_test_ZHVtbXk=`, base64 of " +
			"\"dummy\") used to make `next build` pass are reported at Low in a Dockerfile, where they stand for the key the real build " +
			"passes the same way; in a CI pipeline file (a workflow's `env:`, `.gitlab-ci.yml`) a placeholder is not reported: the job " +
			"runs with a made-up key and bakes nothing into an image. `ARG` without a default that an earlier build stage copies into " +
			"`ENV` is fine; only the final stage ships. When the value is a real key, CLK-SEC-001 reports it separately (rotate it); this " +
			"rule is about the mechanism (stop baking secrets).",
		Bad:  "FROM node:20\nARG CLERK_SECRET_KEY\nENV CLERK_SECRET_KEY=$CLERK_SECRET_KEY\nRUN npm run build\nCMD [\"npm\", \"start\"]",
		Good: "FROM node:20\nRUN --mount=type=secret,id=clerk_secret_key,env=CLERK_SECRET_KEY npm run build\nCMD [\"npm\", \"start\"]  # runtime: -e CLERK_SECRET_KEY from the secret store",
		Lang: "dockerfile",
	},
	Fix: rules.ConstFix("Values in `ENV`/`ARG` persist in image layers/metadata and CI logs. Inject the Clerk Secret Key at runtime from a secret store; " +
		"never pass it as a build arg. For build steps that really need it, use `RUN --mount=type=secret`."),
	Run: adapt(runSEC009),
}

const dummyFix = "This looks like a dummy build-time value. Prefer leaving secrets out of the build (a Next.js build needs only " +
	"`NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`) or `RUN --mount=type=secret` over `ENV`/`ARG` defaults, so a real key never ends up there."

// literalKind classifies a value: "" (empty or reference: nothing baked),
// "dummy" (placeholder), "literal".
func literalKind(v string) string {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), `"'`))
	if v == "" || detect.IsReference(v) || strings.HasPrefix(v, "@") {
		return ""
	}
	if _, ph := detect.Placeholder(v); ph || len(v) < 6 {
		return "dummy"
	}
	return "literal"
}

func runSEC009(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	switch {
	case f.Lang == source.LangDockerfile:
		sec009Dockerfile(pass, report)
	case f.Lang == source.LangYAML:
		sec009YAML(pass, report)
	default:
		sec009Lines(pass, report)
	}
	sec009BuildArgs(pass, report)
	return nil
}

// bakedDiag builds the finding for a secret name with a value.
func bakedDiag(line, col int, name, value, where string) (rules.Diagnostic, bool) {
	kind := literalKind(value)
	if kind == "" {
		return rules.Diagnostic{}, false
	}
	v := strings.Trim(strings.TrimSpace(value), `"'`)
	d := rules.Diagnostic{Line: line, Column: col, Secrets: []string{v}, Match: where + " " + name,
		Message: fmt.Sprintf("%s sets the Clerk secret %s to a literal (%s)", where, rules.Code(name), redact.Secret(v))}
	if kind == "dummy" {
		d.Severity, d.Fix = rules.Low, dummyFix
		d.Message = fmt.Sprintf("%s sets the Clerk secret %s to a dummy build-time value", where, rules.Code(name))
	}
	return d, true
}

// dockerInstr is one Dockerfile instruction with continuation lines joined.
type dockerInstr struct {
	line, endLine int
	cmd           string // upper case
	args          string
}

// lineOf returns the line of the instruction that defines name (ENV and
// ARG can span continuation lines).
func (in dockerInstr) lineOf(lines []string, name string) int {
	for l := in.line; l <= in.endLine && l <= len(lines); l++ {
		if strings.Contains(lines[l-1], name) {
			return l
		}
	}
	return in.line
}

func dockerInstructions(lines []string) []dockerInstr {
	var out []dockerInstr
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		start := i
		for strings.HasSuffix(t, `\`) && i+1 < len(lines) {
			i++
			t = strings.TrimSuffix(t, `\`) + " " + strings.TrimSpace(lines[i])
		}
		cmd, args, _ := strings.Cut(t, " ")
		out = append(out, dockerInstr{line: start + 1, endLine: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
	}
	return out
}

// dockerKVs parses ENV/ARG arguments: `K=V K2="V 2"` or the legacy `K V`.
func dockerKVs(args string) [][2]string {
	if !strings.Contains(strings.Fields(args + " x")[0], "=") {
		// Legacy `ENV K V`: the value is the rest of the line; its first
		// word decides whether it is a literal.
		k, v, _ := strings.Cut(args, " ")
		if f := strings.Fields(v); len(f) > 0 {
			v = f[0]
		}
		return [][2]string{{k, v}}
	}
	var out [][2]string
	for len(args) > 0 {
		args = strings.TrimSpace(args)
		k, rest, ok := strings.Cut(args, "=")
		if !ok {
			out = append(out, [2]string{k, ""})
			break
		}
		var v string
		if strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, `'`) {
			q := rest[0]
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				v, rest = rest, ""
			} else {
				v, rest = rest[:end+2], rest[end+2:]
			}
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		out = append(out, [2]string{k, v})
		args = rest
	}
	return out
}

var dockerRefRe = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

func sec009Dockerfile(pass *rules.Pass, report reportFunc) {
	lines := pass.File.Lines()
	instrs := dockerInstructions(lines)
	lastFrom := -1
	for i, in := range instrs {
		if in.cmd == "FROM" {
			lastFrom = i
		}
	}
	args := map[string]bool{}
	for i, in := range instrs {
		switch in.cmd {
		case "FROM":
			args = map[string]bool{}
		case "ARG", "ENV":
			for _, kv := range dockerKVs(in.args) {
				name, val := kv[0], kv[1]
				if !detect.IsSecretName(name) {
					continue
				}
				if in.cmd == "ARG" {
					args[name] = true
				}
				if m := dockerRefRe.FindStringSubmatch(strings.Trim(val, `"`)); m != nil && in.cmd == "ENV" {
					if args[m[1]] && i > lastFrom {
						report(rules.Diagnostic{Line: in.lineOf(lines, name), Match: "docker arg-env " + name,
							Message: fmt.Sprintf("the final image stage copies build argument %s into %s, so the secret is stored in the image for anyone who can pull it", rules.Code(m[1]), rules.Code("ENV "+name))})
					}
					continue
				}
				if d, ok := bakedDiag(in.lineOf(lines, name), 1, name, val, "Dockerfile "+rules.Code(in.cmd)); ok {
					report(d)
				}
			}
		}
	}
}

// sec009Lines handles TOML, Terraform, vercel.json and shell: a secret
// name assigned a literal.
var assignLineRe = regexp.MustCompile(`^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*[:=]\s*(.+?)\s*,?\s*$`)

func sec009Lines(pass *rules.Pass, report reportFunc) {
	where := rules.Code(path.Base(pass.File.Path))
	for i, l := range pass.File.Lines() {
		m := assignLineRe.FindStringSubmatch(l)
		if m == nil || !detect.IsSecretName(m[1]) {
			continue
		}
		if d, ok := bakedDiag(i+1, 1, m[1], m[2], where); ok {
			report(d)
		}
	}
}

// buildArgRe finds --build-arg NAME[=value] anywhere (scripts, workflow run
// steps, Makefiles).
var buildArgRe = regexp.MustCompile(`--build-arg[= ]\s*["']?([A-Za-z_][A-Za-z0-9_]*)`)

func sec009BuildArgs(pass *rules.Pass, report reportFunc) {
	for i, l := range pass.File.Lines() {
		for _, m := range buildArgRe.FindAllStringSubmatchIndex(l, -1) {
			name := l[m[2]:m[3]]
			if !detect.IsSecretName(name) {
				continue
			}
			d := rules.Diagnostic{Line: i + 1, Column: m[0] + 1, Match: "build-arg " + name,
				Message: fmt.Sprintf("%s passes the Clerk secret as a build argument, which is recorded in the image history", rules.Code("--build-arg "+name))}
			if strings.Contains(pass.File.Path, ".github/workflows/") {
				// https://docs.docker.com/build/ci/github-actions/secrets/
				d.Fix = "Build arguments are recorded in the image history. Keep the key in a GitHub Actions secret and pass it to the build as a BuildKit secret " +
					"(" + rules.Code("docker build --secret id=clerk,env="+name+" .") + ", read with `RUN --mount=type=secret,id=clerk` in the Dockerfile), " +
					"or leave it out of the image and inject it at run time."
			}
			report(d)
		}
	}
}

// sec009YAML walks YAML documents: env maps, compose environment lists,
// ConfigMap data, container env values, GitLab variables, build-args.
func sec009YAML(pass *rules.Pass, report reportFunc) {
	f := pass.File
	dec := yaml.NewDecoder(strings.NewReader(string(f.Content)))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if err.Error() != "EOF" && len(docs) == 0 {
				sec009Lines(pass, report) // templated YAML (Helm): line-wise
				return
			}
			break
		}
		docs = append(docs, &n)
	}
	workflow := strings.Contains(f.Path, ".github/workflows/")
	for _, doc := range docs {
		root := doc
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		kind := yamlScalar(yamlGet(root, "kind"))
		var walk func(n *yaml.Node, parentKey string)
		walk = func(n *yaml.Node, parentKey string) {
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					if v.Kind == yaml.ScalarNode && detect.IsSecretName(k.Value) {
						where := yamlWhere(f.Path, workflow, kind, parentKey)
						if kind == "ConfigMap" && parentKey == "data" {
							report(rules.Diagnostic{Line: k.Line, Column: k.Column, Match: "configmap " + k.Value, Secrets: secretsOf(v.Value),
								Message: fmt.Sprintf("ConfigMap `data` holds the Clerk secret %s; ConfigMaps are not encrypted or access-restricted like Secrets", rules.Code(k.Value))})
							continue
						}
						if d, ok := bakedDiag(v.Line, v.Column, k.Value, v.Value, where); ok && !ciDummy(f.Path, workflow, v.Value) {
							report(ciFix(d, f.Path, workflow, k.Value))
						}
						continue
					}
					if k.Value == "build-args" && v.Kind == yaml.ScalarNode {
						for j, l := range strings.Split(v.Value, "\n") {
							name, _, ok := strings.Cut(strings.TrimSpace(l), "=")
							if ok && detect.IsSecretName(name) {
								line := v.Line + j
								if v.Style == yaml.LiteralStyle || v.Style == yaml.FoldedStyle {
									line = v.Line + 1 + j
								}
								report(rules.Diagnostic{Line: line, Match: "build-args " + name,
									Message: fmt.Sprintf("`build-args` passes the Clerk secret %s as a build argument, which is recorded in the image history", rules.Code(name))})
							}
						}
						continue
					}
					walk(v, k.Value)
				}
				// Kubernetes container env: {name: X, value: literal}.
				if name := yamlScalar(yamlGet(n, "name")); detect.IsSecretName(name) {
					if v := yamlGet(n, "value"); v != nil && v.Kind == yaml.ScalarNode {
						if d, ok := bakedDiag(v.Line, v.Column, name, v.Value, "container `env` value"); ok {
							d.Fix = "Use `valueFrom: { secretKeyRef: { name: clerk, key: secret-key } }` with a Kubernetes Secret instead of a literal `value`."
							report(d)
						}
					}
				}
			case yaml.SequenceNode:
				for _, c := range n.Content {
					if c.Kind == yaml.ScalarNode && (parentKey == "environment" || parentKey == "args" || parentKey == "variables") {
						// compose list form: - CLERK_SECRET_KEY=value
						name, val, ok := strings.Cut(c.Value, "=")
						if ok && detect.IsSecretName(name) {
							if d, ok := bakedDiag(c.Line, c.Column, name, val, yamlWhere(f.Path, workflow, kind, parentKey)); ok && !ciDummy(f.Path, workflow, val) {
								report(ciFix(d, f.Path, workflow, name))
							}
						}
						continue
					}
					walk(c, parentKey)
				}
			}
		}
		walk(root, "")
	}
}

func secretsOf(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	return []string{strings.TrimSpace(v)}
}

func yamlGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func yamlScalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// ciDummy reports a placeholder value (literalKind "dummy") in a CI
// pipeline file: a test or build job that runs with a made-up key holds
// no secret, and unlike a Dockerfile ARG default it bakes nothing into an
// image someone can pull.
func ciDummy(p string, workflow bool, value string) bool {
	ci := workflow || strings.ToLower(path.Base(p)) == ".gitlab-ci.yml"
	return ci && literalKind(value) == "dummy"
}

// ciFix gives a literal in a CI pipeline file the CI system's remedy: a
// GitHub Actions secret (https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions)
// or a masked GitLab CI/CD variable (https://docs.gitlab.com/ee/ci/variables/),
// not the Dockerfile advice of the rule's default fix.
func ciFix(d rules.Diagnostic, p string, workflow bool, name string) rules.Diagnostic {
	dummy := d.Severity == rules.Low
	switch {
	case workflow:
		ref := rules.Code(name + ": ${{ secrets." + name + " }}")
		if dummy {
			d.Fix = "This looks like a dummy value. A Next.js build needs only `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`: drop " + rules.Code(name) +
				" from the workflow, or store the real value as a GitHub Actions secret and reference it (" + ref + "), so that a real key never ends up in the file."
		} else {
			d.Fix = "Workflow files are readable by everyone who can read the repository. Store the key as a GitHub Actions secret " +
				"(repository or environment secret) and reference it: " + ref + "; give it only to the steps that call Clerk at run time " +
				"(a Next.js build needs only `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`). Rotate the key, since it was committed."
		}
	case strings.ToLower(path.Base(p)) == ".gitlab-ci.yml":
		if dummy {
			d.Fix = "This looks like a dummy value. Drop " + rules.Code(name) + " from `.gitlab-ci.yml`, or define it as a masked, protected GitLab CI/CD variable so that a real key never ends up in the file."
		} else {
			d.Fix = "Define " + rules.Code(name) + " as a masked, protected GitLab CI/CD variable (Settings → CI/CD → Variables) instead of writing it in `.gitlab-ci.yml`, " +
				"and give it only to the jobs that call Clerk at run time. Rotate the key, since it was committed."
		}
	}
	return d
}

// yamlWhere names the mechanism for a message.
func yamlWhere(p string, workflow bool, kind, parentKey string) string {
	base := strings.ToLower(path.Base(p))
	switch {
	case workflow:
		return "workflow " + rules.Code(parentKey+":")
	case strings.Contains(base, "compose"):
		return "compose " + rules.Code(parentKey+":")
	case base == ".gitlab-ci.yml":
		return "GitLab CI " + rules.Code(parentKey+":")
	case kind != "":
		return "Kubernetes " + rules.Code(kind)
	}
	return rules.Code(path.Base(p))
}
