package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	composeloader "github.com/compose-spec/compose-go/v2/loader"
	composetypes "github.com/compose-spec/compose-go/v2/types"

	"github.com/clerkguard/clerkguard/app/setup"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd   string // upper case
	args  string
	stage int // index of the FROM it belongs to
	line  int
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	stage, cur, start := -1, "", 0
	for i, l := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(l)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur == "" {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		cmd, args, _ := strings.Cut(cur, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		out = append(out, instruction{cmd: cmd, args: strings.TrimSpace(args), stage: stage, line: start})
		cur = ""
	}
	return out
}

// argDefaults resolves ARG defaults declared before the first FROM.
func argDefaults(ins []instruction) map[string]string {
	m := map[string]string{}
	for _, in := range ins {
		if in.cmd == "ARG" {
			if k, v, ok := strings.Cut(in.args, "="); ok {
				m[k] = strings.Trim(v, `"`)
			}
		}
	}
	return m
}

func expand(s string, vars map[string]string) string {
	return os.Expand(s, func(k string) string { return vars[k] })
}

func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, "Dockerfile")
	args := argDefaults(ins)
	var froms []instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, in)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got %d FROM", len(froms))
	}
	builder := strings.Fields(expand(froms[0].args, args))
	if len(builder) != 3 || builder[0] != "golang:1.26-bookworm" || !strings.EqualFold(builder[1], "AS") {
		t.Errorf("builder stage %q, want golang:1.26-bookworm AS NAME", froms[0].args)
	}
	last := len(froms) - 1
	runtime := strings.Fields(expand(froms[last].args, args))[0]
	for _, bad := range []string{"scratch", "alpine", "static", "busybox"} {
		if strings.Contains(runtime, bad) {
			t.Errorf("runtime image %s: the cgo binary needs glibc", runtime)
		}
	}

	var build, final []instruction
	for _, in := range ins {
		switch in.stage {
		case 0:
			build = append(build, in)
		case last:
			final = append(final, in)
		}
	}
	joined := func(list []instruction, cmd string) string {
		var s []string
		for _, in := range list {
			if in.cmd == cmd {
				s = append(s, in.args)
			}
		}
		return strings.Join(s, "\n")
	}
	if env := joined(build, "ENV"); !regexp.MustCompile(`\bCGO_ENABLED=1\b`).MatchString(env + joined(build, "RUN")) {
		t.Error("builder must set CGO_ENABLED=1 (tree-sitter grammars are C)")
	}
	run := joined(build, "RUN")
	for _, want := range []string{"go build", "-trimpath", "-s -w", "-X main.version=${VERSION}", "./cmd/clerkguard"} {
		if !strings.Contains(run, want) {
			t.Errorf("builder RUN lacks %q", want)
		}
	}

	// Runtime stage.
	user := joined(final, "USER")
	if !regexp.MustCompile(`^[1-9][0-9]*(:[0-9]+)?$`).MatchString(user) {
		t.Errorf("USER %q: want a numeric non-root UID (runAsNonRoot can verify only numbers)", user)
	}
	if user != "65532:65532" {
		t.Errorf("USER %q: the Kubernetes manifests and chart assume 65532", user)
	}
	labels := joined(final, "LABEL")
	for _, k := range []string{"title", "description", "source", "version", "revision", "created"} {
		if !strings.Contains(labels, "org.opencontainers.image."+k+"=") {
			t.Errorf("LABEL org.opencontainers.image.%s missing", k)
		}
	}
	env := joined(final, "ENV")
	if !strings.Contains(env, "CLERKGUARD_DATABASE_URL=sqlite:///data/clerkguard.db") {
		t.Errorf("ENV must point the SQLite default into /data, got %q", env)
	}
	names := appEnvNames(t)
	for _, m := range regexp.MustCompile(`\b(CLERKGUARD_[A-Z0-9_]+)=`).FindAllStringSubmatch(env, -1) {
		if !slices.Contains(names, m[1]) {
			t.Errorf("ENV %s is not read by the App", m[1])
		}
	}
	for cmd, want := range map[string]string{"WORKDIR": "/data", "VOLUME": "/data", "EXPOSE": "8080",
		"ENTRYPOINT": `["/usr/local/bin/clerkguard"]`, "CMD": `["serve"]`} {
		if got := joined(final, cmd); got != want {
			t.Errorf("%s %q, want %q", cmd, got, want)
		}
	}
	hc := joined(final, "HEALTHCHECK")
	if !strings.Contains(hc, "CMD [") || !strings.Contains(hc, "/healthz") {
		t.Errorf("HEALTHCHECK %q: want an exec-form check of /healthz", hc)
	}
	if !strings.Contains(joined(final, "COPY"), "--from=build /out/clerkguard /usr/local/bin/clerkguard") {
		t.Error("runtime stage must copy the binary from the builder")
	}

	// No secrets in build args or the image environment.
	secretish := regexp.MustCompile(`(?i)secret|token|passw|private|credential|api_?key`)
	for _, in := range ins {
		if in.cmd != "ARG" && in.cmd != "ENV" {
			continue
		}
		for _, f := range strings.Fields(in.args) {
			name, _, _ := strings.Cut(f, "=")
			if secretish.MatchString(name) {
				t.Errorf("Dockerfile:%d: %s %s looks like a secret; secrets are runtime configuration", in.line, in.cmd, name)
			}
		}
	}
}

// healthcheckArgv returns the exec-form HEALTHCHECK command.
func healthcheckArgv(t *testing.T) []string {
	t.Helper()
	for _, in := range parseDockerfile(t, "Dockerfile") {
		if in.cmd != "HEALTHCHECK" {
			continue
		}
		_, js, ok := strings.Cut(in.args, "CMD ")
		if !ok {
			t.Fatalf("HEALTHCHECK without CMD: %s", in.args)
		}
		var argv []string
		if err := json.Unmarshal([]byte(js), &argv); err != nil {
			t.Fatalf("HEALTHCHECK CMD is not a JSON exec form: %v", err)
		}
		return argv
	}
	t.Fatal("no HEALTHCHECK")
	return nil
}

// runProbe runs a bash /dev/tcp health check against srv instead of port 8080.
func runProbe(t *testing.T, argv []string, srv *httptest.Server) error {
	t.Helper()
	if _, err := exec.LookPath(argv[0]); err != nil {
		t.Skipf("%s not installed", argv[0])
	}
	addr := srv.Listener.Addr().String()
	port := addr[strings.LastIndex(addr, ":")+1:]
	argv = slices.Clone(argv)
	for i := range argv {
		argv[i] = strings.ReplaceAll(argv[i], "/127.0.0.1/8080", "/127.0.0.1/"+port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// TestHealthChecksProbe runs the image's and compose's health check
// commands against a live server: they pass on 200 and fail otherwise.
func TestHealthChecksProbe(t *testing.T) {
	status := map[string]int{"/healthz": 200, "/readyz": 200}
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status[r.URL.Path])
	}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "job store unavailable", http.StatusServiceUnavailable)
	}))
	defer down.Close()

	checks := map[string][]string{"Dockerfile": healthcheckArgv(t)}
	p, err := loadCompose(t, envExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if hc := p.Services["app"].HealthCheck; hc != nil {
		if len(hc.Test) < 2 || hc.Test[0] != "CMD" {
			t.Fatalf("compose app healthcheck %v: want [CMD ...]", hc.Test)
		}
		checks["compose"] = hc.Test[1:]
	}
	for name, argv := range checks {
		if err := runProbe(t, argv, ok); err != nil {
			t.Errorf("%s health check fails against a healthy server: %v", name, err)
		}
		if err := runProbe(t, argv, down); err == nil {
			t.Errorf("%s health check passes against a 503 server", name)
		}
	}
}

func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, want := range []string{".git", "deploy/.env", "deploy/secrets/"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		for _, needed := range []string{"go.mod", "go.sum", "cmd", "app", "rules"} {
			if l == needed || l == "/"+needed || l == needed+"/" {
				t.Errorf(".dockerignore excludes %s, which the build needs", needed)
			}
		}
	}
}

// envExample reads deploy/.env.example as compose reads deploy/.env.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			env[k] = v
		}
	}
	return env
}

// loadCompose loads deploy/compose.yaml with compose-go, the loader Docker
// Compose itself uses: schema validation, interpolation and normalisation.
func loadCompose(t *testing.T, env map[string]string) (*composetypes.Project, error) {
	t.Helper()
	wd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return composeloader.LoadWithContext(ctx, composetypes.ConfigDetails{
		WorkingDir:  wd,
		ConfigFiles: []composetypes.ConfigFile{{Filename: filepath.Join(wd, "compose.yaml")}},
		Environment: env,
	}, func(o *composeloader.Options) { o.SetProjectName("clerkguard", true) })
}

func TestCompose(t *testing.T) {
	env := envExample(t)
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatalf("compose.yaml with .env.example: %v", err)
	}
	if len(p.Services) != 2 {
		t.Fatalf("want services app and postgres, got %v", p.ServiceNames())
	}
	app, okA := p.Services["app"]
	pg, okP := p.Services["postgres"]
	if !okA || !okP {
		t.Fatalf("want services app and postgres, got %v", p.ServiceNames())
	}
	// Build: deploy/Dockerfile with the repository root as context.
	root, _ := filepath.Abs("..")
	if app.Build == nil || app.Build.Context != root || app.Build.Dockerfile != "deploy/Dockerfile" {
		t.Errorf("app build %+v: want context the repository root and dockerfile deploy/Dockerfile", app.Build)
	}
	if !strings.HasPrefix(pg.Image, "postgres:16") {
		t.Errorf("postgres image %q, want postgres:16", pg.Image)
	}
	if d, ok := app.DependsOn["postgres"]; !ok || d.Condition != composetypes.ServiceConditionHealthy {
		t.Errorf("app must depend on postgres being healthy, got %+v", app.DependsOn)
	}
	for _, svc := range []composetypes.ServiceConfig{app, pg} {
		if svc.Restart != "unless-stopped" && svc.Restart != "always" {
			t.Errorf("%s: restart policy %q", svc.Name, svc.Restart)
		}
		hc := svc.HealthCheck
		if hc == nil || len(hc.Test) < 2 || hc.Interval == nil || hc.Retries == nil {
			t.Errorf("%s: healthcheck with test, interval and retries required", svc.Name)
		}
	}
	if !strings.Contains(strings.Join(pg.HealthCheck.Test, " "), "pg_isready") {
		t.Error("postgres healthcheck must use pg_isready")
	}

	// App environment: names the App reads; the DSN points at the postgres
	// service with the password from .env.
	names := appEnvNames(t)
	for k := range app.Environment {
		if !slices.Contains(names, k) {
			t.Errorf("app env %s is not read by the App", k)
		}
	}
	get := func(k string) string {
		if v := app.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	if dsn := get("CLERKGUARD_DATABASE_URL"); dsn != "postgres://clerkguard:"+env["POSTGRES_PASSWORD"]+"@postgres:5432/clerkguard?sslmode=disable" {
		t.Errorf("CLERKGUARD_DATABASE_URL %q", dsn)
	}
	checkComposeSetup(t, p, app)

	// An App registered by hand: the three settings from deploy/.env, the
	// key from deploy/secrets/ (git-ignored), mounted read-only.
	manual := maps.Clone(env)
	manual["CLERKGUARD_APP_ID"], manual["CLERKGUARD_WEBHOOK_SECRET"] = "123456", "whs"
	manual["CLERKGUARD_PRIVATE_KEY_FILE"] = "/run/clerkguard/secrets/github-app.pem"
	pm, err := loadCompose(t, manual)
	if err != nil {
		t.Fatal(err)
	}
	ma := pm.Services["app"]
	for _, k := range []string{"CLERKGUARD_APP_ID", "CLERKGUARD_WEBHOOK_SECRET", "CLERKGUARD_PRIVATE_KEY_FILE"} {
		if v := ma.Environment[k]; v == nil || *v != manual[k] {
			t.Errorf("%s does not come from deploy/.env", k)
		}
	}
	keyMounted := false
	for _, v := range ma.Volumes {
		if v.Type == composetypes.VolumeTypeBind && v.Source == filepath.Join(pm.WorkingDir, "secrets") && v.ReadOnly &&
			strings.HasPrefix(manual["CLERKGUARD_PRIVATE_KEY_FILE"], v.Target+"/") {
			keyMounted = true
		}
	}
	if !keyMounted {
		t.Errorf("no read-only mount of deploy/secrets/ holding CLERKGUARD_PRIVATE_KEY_FILE: %+v", ma.Volumes)
	}
	if _, ok := app.Environment["CLERKGUARD_PRIVATE_KEY"]; ok {
		t.Error("use the key file, not CLERKGUARD_PRIVATE_KEY")
	}

	// compose.yaml holds no secret: without deploy/.env it refuses to load.
	e := maps.Clone(env)
	delete(e, "POSTGRES_PASSWORD")
	if _, err := loadCompose(t, e); err == nil || !strings.Contains(err.Error(), "POSTGRES_PASSWORD") {
		t.Errorf("without POSTGRES_PASSWORD compose must refuse to start, got %v", err)
	}
	gi, _ := os.ReadFile(".gitignore")
	for _, want := range []string{"/.env", "/secrets/"} {
		if !slices.Contains(strings.Split(string(gi), "\n"), want) {
			t.Errorf("deploy/.gitignore lacks %s", want)
		}
	}
}

// checkComposeSetup: with deploy/.env.example as documented (no App
// credentials), the App starts in setup mode and setup stores the
// credentials in a named volume that outlives the container, at a path
// that volume makes writable. Before, compose refused to start without
// CLERKGUARD_APP_ID and had nowhere to keep what setup produced.
func checkComposeSetup(t *testing.T, p *composetypes.Project, app composetypes.ServiceConfig) {
	t.Helper()
	get := func(k string) string {
		if v := app.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	env := func(k string) string { return get(k) }
	if !setup.Unconfigured(env) {
		t.Errorf("with .env.example the App has credentials: it must start in setup mode")
	}
	dir := setup.CredentialsDir(env)
	if dir == "." || !filepath.IsAbs(dir) {
		t.Fatalf("CLERKGUARD_CREDENTIALS_DIR %q: want an absolute path on a volume", dir)
	}
	var vol *composetypes.ServiceVolumeConfig
	for i, v := range app.Volumes {
		if v.Type == composetypes.VolumeTypeVolume && (dir == v.Target || strings.HasPrefix(dir, v.Target+"/")) {
			vol = &app.Volumes[i]
		}
	}
	if vol == nil {
		t.Fatalf("CLERKGUARD_CREDENTIALS_DIR %s is on no named volume: %+v", dir, app.Volumes)
	}
	if vol.ReadOnly {
		t.Error("the credentials volume is read-only")
	}
	if _, ok := p.Volumes[vol.Source]; !ok {
		t.Errorf("volume %s not declared", vol.Source)
	}
	// A new named volume copies the image's directory, owner included: the
	// Dockerfile must create it for the container user.
	df, _ := os.ReadFile("Dockerfile")
	if !strings.Contains(string(df), "chown 65532:65532 "+vol.Target) {
		t.Errorf("the image does not create %s for UID 65532, so the volume would not be writable", vol.Target)
	}
	if get("CLERKGUARD_PUBLIC_URL") == "" {
		t.Error("CLERKGUARD_PUBLIC_URL: the setup page needs the public address for the App's webhook")
	}
}

func secretLike(name string) bool {
	return regexp.MustCompile(`SECRET|PASSWORD|PRIVATE_KEY$|TOKEN`).MatchString(name)
}
