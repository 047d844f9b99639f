package deploy_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/strvals"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/clerkguard/clerkguard/app/setup"
)

// installCommands returns every command of docs/install.md's ```sh blocks,
// split into words as sh would (quotes, backslash-newline), without
// comments. The test runs what the page says, so the two cannot drift.
func installCommands(t *testing.T) [][]string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "install.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		for _, line := range strings.Split(strings.ReplaceAll(m[1], "\\\n", " "), "\n") {
			if w := shellWords(t, line); len(w) > 0 {
				cmds = append(cmds, w)
			}
		}
	}
	return cmds
}

// shellWords splits one line like sh: quotes group, '#' at a word's start
// begins a comment. Pipelines are kept as a "|" word.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("docs/install.md: unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// recipe is what the commands so far have set up.
type recipe struct {
	dir        string            // working directory, relative to the repository root
	copied     map[string]string // cp destination -> source
	deployment *appsv1.Deployment
	helmVals   map[string]map[string]any // release -> values
	secrets    map[string][]string       // Secrets created with kubectl -> keys
	binary     bool
}

// TestInstallDocCommands runs every command of docs/install.md against the
// files it names: compose loaded with compose-go, the chart rendered with
// Helm's engine and the documented --set values, the manifests decoded with
// k8s types, kubectl's objects resolved, and serve's environment checked
// against the server's configuration. Each recipe starts in setup mode and
// keeps what setup produces. Before, the documented `helm install` failed
// on the chart's own validation.
func TestInstallDocCommands(t *testing.T) {
	cmds := installCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found %d commands in docs/install.md", len(cmds))
	}
	r := &recipe{copied: map[string]string{}, helmVals: map[string]map[string]any{}, secrets: map[string][]string{}}
	for _, argv := range cmds {
		line := strings.Join(argv, " ")
		if i := slices.Index(argv, "|"); i >= 0 {
			if argv[i+1] != "grep" || argv[len(argv)-1] != "setup_url" {
				t.Errorf("%s: only `| grep setup_url` pipes are expected", line)
			}
			argv = argv[:i]
		}
		env := map[string]string{}
		for len(argv) > 0 && regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(argv[0]) {
			k, v, _ := strings.Cut(argv[0], "=")
			env[k] = v
			argv = argv[1:]
		}
		switch argv[0] {
		case "cd":
			r.dir = filepath.Join(r.dir, argv[1])
			if st, err := os.Stat(filepath.Join("..", r.dir)); err != nil || !st.IsDir() {
				t.Errorf("%s: no directory %s", line, r.dir)
			}
		case "cp":
			if _, err := os.Stat(filepath.Join("..", r.dir, argv[1])); err != nil {
				t.Errorf("%s: %v", line, err)
			}
			r.copied[argv[2]] = argv[1]
		case "docker":
			r.docker(t, line, argv)
		case "helm":
			r.helm(t, line, argv)
		case "kubectl":
			r.kubectl(t, line, argv)
		case "go":
			if len(argv) != 3 || argv[1] != "build" {
				t.Errorf("%s: unexpected go command", line)
			} else if _, err := os.Stat(filepath.Join("..", argv[2])); err != nil {
				t.Errorf("%s: %v", line, err)
			} else {
				r.binary = true
			}
		case "./clerkguard", "clerkguard":
			if !r.binary || !slices.Equal(argv[1:], []string{"serve"}) {
				t.Errorf("%s: build the binary first, then run serve", line)
			}
			names := appEnvNames(t)
			for k := range env {
				if !slices.Contains(names, k) {
					t.Errorf("%s: the server does not read %s", line, k)
				}
			}
			getenv := func(k string) string { return env[k] }
			if !setup.Unconfigured(getenv) || !filepath.IsAbs(setup.CredentialsDir(getenv)) {
				t.Errorf("%s: want setup mode with an absolute credentials directory", line)
			}
		default:
			t.Errorf("docs/install.md runs %q, which this test does not exercise", line)
		}
	}
	// Commands quoted inline in the prose: a recipe command must be in a
	// sh block (run above); a CLI command names a subcommand and flags the
	// CLI defines.
	for _, m := range regexp.MustCompile("`((?:helm|kubectl|docker|go|\\./clerkguard|clerkguard) [^`]+)`").FindAllStringSubmatch(string(mustRead(t, filepath.Join("..", "docs", "install.md"))), -1) {
		argv := shellWords(t, m[1])
		if argv[0] != "clerkguard" {
			if !slices.ContainsFunc(cmds, func(c []string) bool { return strings.Join(c, " ") == strings.Join(argv, " ") }) {
				t.Errorf("docs/install.md quotes %q outside a sh block: put it in one so that this test runs it", m[1])
			}
			continue
		}
		cliDefines(t, m[1], argv[1:])
	}
	// Every CLERKGUARD_ variable the page names is one the server reads.
	doc, _ := os.ReadFile(filepath.Join("..", "docs", "install.md"))
	names := appEnvNames(t)
	for _, n := range regexp.MustCompile(`CLERKGUARD_[A-Z0-9_]+`).FindAllString(string(doc), -1) {
		if !slices.Contains(names, n) {
			t.Errorf("docs/install.md names %s, which the server does not read", n)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cliDefines checks that cmd/clerkguard defines the subcommand and every
// --flag of a quoted CLI command (as string literals: case "review",
// fs.StringVar(..., "base", ...)).
func cliDefines(t *testing.T, cmd string, args []string) {
	t.Helper()
	var src strings.Builder
	files, _ := filepath.Glob(filepath.Join("..", "cmd", "clerkguard", "*.go"))
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			src.Write(mustRead(t, f))
		}
	}
	for i, a := range args {
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if i > 0 && !strings.HasPrefix(a, "-") {
			continue // a flag's value
		}
		if !strings.Contains(src.String(), `"`+name+`"`) {
			t.Errorf("docs/install.md quotes %q: cmd/clerkguard defines no %q", cmd, name)
		}
	}
}

func (r *recipe) docker(t *testing.T, line string, argv []string) {
	t.Helper()
	if len(argv) < 3 || argv[1] != "compose" || r.dir != "deploy" {
		t.Errorf("%s: want docker compose in deploy/", line)
		return
	}
	if r.copied[".env"] != ".env.example" {
		t.Errorf("%s: .env is not created from .env.example first", line)
	}
	p, err := loadCompose(t, envExample(t))
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	switch argv[2] {
	case "up":
		checkComposeSetup(t, p, p.Services["app"])
	case "logs":
		if _, ok := p.Services[argv[3]]; !ok {
			t.Errorf("%s: no service %s", line, argv[3])
		}
	default:
		t.Errorf("%s: unexpected compose command", line)
	}
}

// flags parses --name value, --name=value and -n value; bare flags map to "".
func flags(argv []string, bare ...string) (pos []string, f map[string][]string) {
	f = map[string][]string{}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		name, val, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "n" {
			name = "namespace"
		}
		if !ok && !slices.Contains(bare, name) && i+1 < len(argv) {
			i++
			val = argv[i]
		}
		f[name] = append(f[name], val)
	}
	return pos, f
}

func (r *recipe) helm(t *testing.T, line string, argv []string) {
	t.Helper()
	pos, f := flags(argv[1:], "create-namespace", "reuse-values")
	if len(pos) != 3 || filepath.Clean(pos[2]) != chartDir && filepath.Clean(pos[2]) != filepath.Join("deploy", chartDir) {
		t.Errorf("%s: want helm install|upgrade RELEASE deploy/helm/clerkguard", line)
		return
	}
	release := pos[1]
	vals := map[string]any{}
	switch pos[0] {
	case "install":
	case "upgrade":
		if _, ok := f["reuse-values"]; !ok || r.helmVals[release] == nil {
			t.Errorf("%s: upgrade of a release not installed above, or without --reuse-values", line)
		}
		vals = r.helmVals[release]
	default:
		t.Errorf("%s: unexpected helm command", line)
		return
	}
	for k := range f {
		if !slices.Contains([]string{"set", "namespace", "create-namespace", "reuse-values"}, k) {
			t.Errorf("%s: flag --%s is not exercised", line, k)
		}
	}
	for _, s := range f["set"] {
		if err := strvals.ParseInto(s, vals); err != nil {
			t.Fatalf("%s: --set %s: %v", line, s, err)
		}
	}
	r.helmVals[release] = vals
	c := loadChart(t)
	if err := chartutil.ProcessDependenciesWithMerge(c, vals); err != nil {
		t.Fatal(err)
	}
	rv, err := chartutil.ToRenderValues(c, maps.Clone(vals), chartutil.ReleaseOptions{
		Name: release, Namespace: f["namespace"][0], Revision: 1, IsInstall: pos[0] == "install", IsUpgrade: pos[0] == "upgrade",
	}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	out, err := engine.Render(c, rv)
	if err != nil {
		t.Fatalf("%s: the chart refuses the documented values: %v", line, err)
	}
	var objs []object
	for n, m := range out {
		if strings.HasSuffix(n, ".yaml") {
			objs = append(objs, decodeAll(t, n, []byte(m))...)
		}
	}
	dep := find[*appsv1.Deployment](objs)
	if dep == nil {
		t.Fatalf("%s: no Deployment", line)
	}
	setupOn, _ := vals["setup"].(map[string]any)
	persist, _ := vals["persistence"].(map[string]any)
	want := setWant{replicas: *dep.Spec.Replicas, servicePort: 80, postgres: vals["database"] != nil,
		requireIngressWebhook: true}
	if setupOn["enabled"] == true {
		want.replicas = 1
		if persist["enabled"] == true {
			want.setupDir = true
		} else {
			want.setupSecret = true
		}
	} else if gh, _ := vals["github"].(map[string]any); gh["existingSecret"] != nil {
		want.secretName = gh["existingSecret"].(string)
		// The Secret the setup page printed, applied above, is what the
		// release now reads.
		if _, ok := r.secrets[want.secretName]; !ok {
			t.Errorf("%s: reads Secret %s, which no command above stores", line, want.secretName)
		}
	}
	checkSet(t, objs, want)
	r.checkSecrets(t, line, objs, dep)
	r.deployment = dep
}

func (r *recipe) kubectl(t *testing.T, line string, argv []string) {
	t.Helper()
	pos, f := flags(argv[1:])
	if len(pos) == 0 {
		t.Errorf("%s: no kubectl verb", line)
		return
	}
	depName := func(ref string) {
		name, ok := strings.CutPrefix(ref, "deployment/")
		if !ok || r.deployment == nil || r.deployment.Name != name {
			t.Errorf("%s: %s is not the Deployment the commands above create", line, ref)
		}
	}
	switch pos[0] {
	case "create":
		switch {
		case len(pos) == 2 && pos[1] == "namespace":
		case len(pos) >= 3 && pos[1] == "namespace":
		case len(pos) == 4 && pos[1] == "secret" && pos[2] == "generic":
			for _, l := range f["from-literal"] {
				k, _, _ := strings.Cut(l, "=")
				r.secrets[pos[3]] = append(r.secrets[pos[3]], k)
			}
		default:
			t.Errorf("%s: unexpected kubectl create", line)
		}
	case "apply":
		var objs []object
		for _, file := range f["f"] {
			if r.deployment != nil && file == envValue(r.deployment, "CLERKGUARD_CREDENTIALS_SECRET")+".yaml" {
				// The Secret the setup page shows (TestSetupPrintsKubernetesSecret).
				r.secrets[strings.TrimSuffix(file, ".yaml")] = setup.SecretKeys
				continue
			}
			data, err := os.ReadFile(filepath.Join("..", file))
			if err != nil {
				t.Errorf("%s: %v", line, err)
				continue
			}
			objs = append(objs, decodeAll(t, file, data)...)
		}
		if dep := find[*appsv1.Deployment](objs); dep != nil {
			r.deployment = dep
			checkSet(t, objs, setWant{replicas: *dep.Spec.Replicas, servicePort: 80, requireIngressWebhook: true, setupSecret: true})
			r.checkSecrets(t, line, objs, dep)
		}
	case "logs", "rollout", "scale":
		ref := pos[len(pos)-1]
		depName(ref)
		if pos[0] == "scale" && len(f["replicas"]) != 1 {
			t.Errorf("%s: scale without --replicas", line)
		}
	default:
		t.Errorf("%s: unexpected kubectl verb", line)
	}
	if len(f["namespace"]) == 0 && !(pos[0] == "create" && pos[1] == "namespace") {
		t.Errorf("%s: give the namespace", line)
	}
}

func envValue(d *appsv1.Deployment, name string) string {
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// checkSecrets: every Secret key the pods need (not optional) is stored by
// a command above or by the chart itself.
func (r *recipe) checkSecrets(t *testing.T, line string, objs []object, dep *appsv1.Deployment) {
	t.Helper()
	have := maps.Clone(r.secrets)
	for _, o := range objs {
		if s, ok := o.obj.(*corev1.Secret); ok {
			for k := range s.Data {
				have[s.Name] = append(have[s.Name], k)
			}
			for k := range s.StringData {
				have[s.Name] = append(have[s.Name], k)
			}
		}
	}
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil && (ref.SecretKeyRef.Optional == nil || !*ref.SecretKeyRef.Optional) &&
			!slices.Contains(have[ref.SecretKeyRef.Name], ref.SecretKeyRef.Key) {
			t.Errorf("%s: %s needs Secret %s key %s, which no command above creates", line, e.Name, ref.SecretKeyRef.Name, ref.SecretKeyRef.Key)
		}
	}
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if s := v.Secret; s != nil && (s.Optional == nil || !*s.Optional) {
			for _, it := range s.Items {
				if !slices.Contains(have[s.SecretName], it.Key) {
					t.Errorf("%s: volume %s needs Secret %s key %s, which no command above creates", line, v.Name, s.SecretName, it.Key)
				}
			}
		}
	}
}
