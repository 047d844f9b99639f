package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// A file with a Clerk finding (CLK-HARD-002, severity low) and a clean one.
const (
	debugMiddleware = "import { clerkMiddleware } from '@clerk/nextjs/server'\n\n" +
		"export default clerkMiddleware(async (auth, req) => {}, { debug: true })\n"
	cleanMiddleware = "import { clerkMiddleware } from '@clerk/nextjs/server'\n\n" +
		"export default clerkMiddleware()\n"
	packageJSON = `{"dependencies": {"@clerk/nextjs": "^6.21.0", "next": "15.3.0"}}` + "\n"
)

type actionFile struct {
	Name        string                  `yaml:"name"`
	Description string                  `yaml:"description"`
	Author      string                  `yaml:"author"`
	Branding    map[string]string       `yaml:"branding"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Runs        struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionInput struct {
	Description        string `yaml:"description"`
	Required           bool   `yaml:"required"`
	Default            string `yaml:"default"`
	DeprecationMessage string `yaml:"deprecationMessage"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

// loadAction decodes action.yml strictly: a misspelt key is an error.
func loadAction(t *testing.T) (*actionFile, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, string(raw)
}

func (a *actionFile) step(id string) *actionStep {
	for i := range a.Runs.Steps {
		if a.Runs.Steps[i].ID == id {
			return &a.Runs.Steps[i]
		}
	}
	return nil
}

func TestActionStructure(t *testing.T) {
	a, raw := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs name and description")
	}
	for _, in := range []string{"version", "fail-on", "format", "config", "working-directory", "base", "output", "annotations"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s missing", in)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if in.Required {
			t.Errorf("input %s: every input has a default", name)
		}
	}
	if d := a.Inputs["fail-on"].Default; d != "high" {
		t.Errorf("fail-on default %q, want the CLI's high", d)
	}
	if d := a.Inputs["format"].Default; d != "sarif" {
		t.Errorf("format default %q, want sarif", d)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	for name, out := range map[string]string{"sarif-file": "${{ steps.review.outputs.sarif-file }}", "exit-code": "${{ steps.review.outputs.exit-code }}"} {
		if got := a.Outputs[name].Value; got != out {
			t.Errorf("output %s = %q, want %q", name, got, out)
		}
	}
	if a.step("review") == nil {
		t.Fatal("no step with id review")
	}
	setupGo := false
	expr := regexp.MustCompile(`\$\{\{`)
	for i, s := range a.Runs.Steps {
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("step %d (%s): exactly one of run and uses", i, s.Name)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %d (%s): composite run steps need shell", i, s.Name)
		}
		// Inputs reach scripts through env, never by ${{ }} expansion into
		// the script text (script injection).
		if expr.MatchString(s.Run) {
			t.Errorf("step %d (%s): ${{ }} inside run; pass it through env", i, s.Name)
		}
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			setupGo = true
		}
	}
	if !setupGo {
		t.Error("action must be able to install Go with actions/setup-go (build: true)")
	}
	for _, s := range a.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.If != "inputs.build == 'true'" {
			t.Errorf("setup-go runs unless build is true (if: %q): the default downloads a release and compiles nothing", s.If)
		}
	}
	if d := a.Inputs["build"].Default; d != "false" {
		t.Errorf("build default %q: the action must not compile by default", d)
	}
	for _, doc := range []string{"github/codeql-action/upload-sarif", "security-events: write", "fetch-depth: 0", "sarif_file: ${{ steps.clerkguard.outputs.sarif-file }}"} {
		if !strings.Contains(raw, doc) {
			t.Errorf("action.yml must document %q", doc)
		}
	}
}

// expandExpr evaluates the few ${{ }} forms the action's env blocks use.
func expandExpr(t *testing.T, s string, inputs map[string]string, github map[string]string) string {
	t.Helper()
	return regexp.MustCompile(`\$\{\{\s*(inputs|github)\.([a-z_-]+)\s*\}\}`).ReplaceAllStringFunc(s, func(m string) string {
		sub := regexp.MustCompile(`(inputs|github)\.([a-z_-]+)`).FindStringSubmatch(m)
		src := inputs
		if sub[1] == "github" {
			src = github
		}
		v, ok := src[sub[2]]
		if !ok {
			t.Fatalf("unknown expression %s", m)
		}
		return v
	})
}

type stepResult struct {
	code    int
	stdout  string
	stderr  string
	outputs map[string]string
}

// runStep runs one composite run step with bash, as the runner would:
// inputs from their defaults plus overrides, GITHUB_OUTPUT and GITHUB_PATH
// files, and PATH extended by pathDirs.
// hangGuard bounds a subprocess by the test binary's own deadline (go test
// -timeout), less a margin to report which step hung; it is no fixed limit,
// so a slow build on a loaded machine is not a failure.
func hangGuard(t *testing.T) (context.Context, context.CancelFunc) {
	dl, ok := t.Deadline()
	if !ok {
		return context.WithCancel(t.Context())
	}
	return context.WithDeadline(t.Context(), dl.Add(-min(time.Until(dl)/10, 30*time.Second)))
}

func runStep(t *testing.T, a *actionFile, id string, overrides, github map[string]string, pathDirs []string, extraEnv map[string]string) stepResult {
	t.Helper()
	s := a.step(id)
	if s == nil {
		t.Fatalf("no step %s", id)
	}
	if s.Shell != "bash" {
		t.Fatalf("step %s: shell %q", id, s.Shell)
	}
	inputs := map[string]string{}
	for k, in := range a.Inputs {
		inputs[k] = in.Default
	}
	maps.Copy(inputs, overrides)
	tmp := t.TempDir()
	outFile, pathFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "path")
	for _, f := range []string{outFile, pathFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + strings.Join(append(slices.Clone(pathDirs), os.Getenv("PATH")), string(os.PathListSeparator)),
		"HOME=" + os.Getenv("HOME"), "GITHUB_OUTPUT=" + outFile, "GITHUB_PATH=" + pathFile,
		"RUNNER_TEMP=" + tmp, "NO_COLOR=1",
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "CC"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range s.Env {
		env = append(env, k+"="+expandExpr(t, v, inputs, github))
	}
	for k, v := range extraEnv {
		env = append(env, k+"="+v)
	}
	ctx, cancel := hangGuard(t)
	defer cancel()
	// The runner's bash template: bash --noprofile --norc -eo pipefail {0}
	script := filepath.Join(tmp, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Env = env
	cmd.Dir = expandExpr(t, s.WorkingDirectory, inputs, github)
	if cmd.Dir == "" {
		cmd.Dir = github["workspace"]
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := stepResult{stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("step %s: %v", id, err)
	}
	out, _ := os.ReadFile(outFile)
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			r.outputs[k] = v
		}
	}
	p, _ := os.ReadFile(pathFile)
	r.outputs["GITHUB_PATH"] = strings.TrimSpace(string(p))
	return r
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCommandLineIntegrations builds clerkguard once, as the action's
// install step does, and runs the action's review step and the pre-commit
// hook script with it. It also checks the Dockerfile's -ldflags.
func TestCommandLineIntegrations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := loadAction(t)

	// The action's install step, building the action's own revision (build: true).
	inst := runStep(t, a, "install", map[string]string{"build": "true"}, map[string]string{"workspace": root, "action_ref": "main", "token": ""}, nil,
		map[string]string{"GITHUB_ACTION_PATH": root})
	if inst.code != 0 {
		t.Fatalf("install step exit %d\n%s%s", inst.code, inst.stdout, inst.stderr)
	}
	binDir := inst.outputs["GITHUB_PATH"]
	bin := filepath.Join(binDir, "clerkguard")
	if !strings.HasPrefix(inst.stdout, "clerkguard ") {
		t.Errorf("install step should print the version, got %q", inst.stdout)
	}

	t.Run("ActionDownload", func(t *testing.T) { testActionDownload(t, a, bin) })

	t.Run("DockerfileLdflags", func(t *testing.T) {
		df, err := os.ReadFile("Dockerfile")
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`-ldflags "([^"]+)"`).FindSubmatch(df)
		if m == nil {
			t.Fatal("no -ldflags in the Dockerfile")
		}
		flags := strings.ReplaceAll(string(m[1]), "${VERSION}", "v9.9.9-test")
		out := filepath.Join(t.TempDir(), "clerkguard")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", flags, "-o", out, "./cmd/clerkguard")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		v, err := exec.Command(out, "version").Output()
		if err != nil || strings.TrimSpace(string(v)) != "clerkguard v9.9.9-test" {
			t.Errorf("version %q (%v): -X main.version does not reach the binary", v, err)
		}
	})

	t.Run("ActionReview", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git not installed")
		}
		repo := t.TempDir()
		git(t, repo, "init", "-q", "-b", "main")
		writeFiles(t, repo, map[string]string{"package.json": packageJSON, "middleware.ts": cleanMiddleware})
		git(t, repo, "add", ".")
		git(t, repo, "commit", "-q", "-m", "base")
		git(t, repo, "update-ref", "refs/remotes/origin/main", "HEAD")
		git(t, repo, "checkout", "-q", "-b", "feature")
		writeFiles(t, repo, map[string]string{"middleware.ts": debugMiddleware})
		git(t, repo, "commit", "-q", "-am", "debug on")
		pr := map[string]string{"base_ref": "main", "workspace": repo}
		path := []string{binDir}

		r := runStep(t, a, "review", map[string]string{"fail-on": "low", "working-directory": repo}, pr, path, nil)
		if r.code != 1 {
			t.Fatalf("fail-on low: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
		}
		sarifPath := r.outputs["sarif-file"]
		if sarifPath != filepath.Join(repo, "clerkguard.sarif") || r.outputs["exit-code"] != "1" {
			t.Errorf("outputs %v", r.outputs)
		}
		var sarif struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		data, err := os.ReadFile(sarifPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
			t.Fatalf("not SARIF 2.1.0 (%v): %.300s", err, data)
		}
		var ids []string
		for _, res := range sarif.Runs[0].Results {
			ids = append(ids, res.RuleID)
		}
		if !slices.Contains(ids, "CLK-HARD-002") {
			t.Errorf("SARIF results %v lack CLK-HARD-002", ids)
		}
		if !regexp.MustCompile(`(?m)^::(notice|warning|error) file=middleware\.ts,line=3,.*CLK-HARD-002`).MatchString(r.stdout) {
			t.Errorf("no workflow annotation on middleware.ts:3 in stdout:\n%s", r.stdout)
		}

		r = runStep(t, a, "review", map[string]string{"fail-on": "none", "working-directory": repo, "annotations": "false"}, pr, path, nil)
		if r.code != 0 || r.outputs["sarif-file"] == "" || strings.Contains(r.stdout, "::") {
			t.Errorf("fail-on none: exit %d, outputs %v, stdout %q", r.code, r.outputs, r.stdout)
		}
		r = runStep(t, a, "review", map[string]string{"working-directory": repo, "format": "json", "output": "out/cg.json"}, pr, path, nil)
		if r.code != 0 {
			t.Errorf("default fail-on high: a low finding must pass, exit %d", r.code)
		}
		if b, err := os.ReadFile(filepath.Join(repo, "out", "cg.json")); err != nil || !bytes.Contains(b, []byte(`"CLK-HARD-002"`)) {
			t.Errorf("json output: %v %.200s", err, b)
		}

		abs := filepath.Join(t.TempDir(), "abs.sarif")
		r = runStep(t, a, "review", map[string]string{"working-directory": repo, "output": abs, "annotations": "false"}, pr, path, nil)
		if r.code != 0 || r.outputs["sarif-file"] != abs {
			t.Errorf("absolute output: exit %d, outputs %v", r.code, r.outputs)
		}

		// A shallow checkout lacks the base: a clear error, no output file.
		r = runStep(t, a, "review", map[string]string{"working-directory": repo}, map[string]string{"base_ref": "release", "workspace": repo}, path, nil)
		if r.code != 2 || !strings.Contains(r.stdout, "::error") || !strings.Contains(r.stdout, "fetch-depth: 0") || r.outputs["sarif-file"] != "" {
			t.Errorf("missing base: exit %d, stdout %q, outputs %v", r.code, r.stdout, r.outputs)
		}
		// Outside pull_request: a full scan.
		r = runStep(t, a, "review", map[string]string{"working-directory": repo, "fail-on": "low", "annotations": "false"}, map[string]string{"base_ref": "", "workspace": repo}, path, nil)
		if r.code != 1 {
			t.Errorf("push event scan: exit %d, want 1\n%s", r.code, r.stderr)
		}
	})

	t.Run("PreCommit", func(t *testing.T) {
		script := filepath.Join(root, "deploy", "pre-commit.sh")
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"bad.ts": debugMiddleware, "good.ts": cleanMiddleware, "notes.md": "# hi\n"})
		run := func(env []string, args ...string) (int, string) {
			t.Helper()
			ctx, cancel := hangGuard(t)
			defer cancel()
			cmd := exec.CommandContext(ctx, script, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			cmd.Env = append(cmd.Env, env...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), string(out)
			} else if err != nil {
				t.Fatal(err)
			}
			return 0, string(out)
		}
		withBin := []string{"CLERKGUARD_BIN=" + bin}
		for _, tc := range []struct {
			name string
			env  []string
			args []string
			want int
		}{
			{"finding at fail-on low", withBin, []string{"--fail-on", "low", "good.ts", "bad.ts", "notes.md"}, 1},
			{"flag after files", withBin, []string{"good.ts", "bad.ts", "--fail-on=low"}, 1},
			{"clean files", withBin, []string{"--fail-on", "low", "good.ts", "notes.md"}, 0},
			{"below the default fail-on high", withBin, []string{"bad.ts"}, 0},
			{"no files", withBin, nil, 0},
			{"deleted file skipped", withBin, []string{"--fail-on", "low", "gone.ts"}, 0},
			{"usage error", withBin, []string{"--fail-on", "bogus", "bad.ts"}, 2},
			{"missing binary", []string{"CLERKGUARD_BIN=" + filepath.Join(dir, "nope")}, []string{"bad.ts"}, 2},
		} {
			if code, out := run(tc.env, tc.args...); code != tc.want {
				t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.want, out)
			}
		}
		// Findings name the file.
		if _, out := run(withBin, "--fail-on", "low", "bad.ts"); !strings.Contains(out, "CLK-HARD-002") || !strings.Contains(out, "bad.ts") {
			t.Errorf("output lacks the finding:\n%s", out)
		}
		// The repository's .github/clerkguard.yml applies, as in a full scan.
		writeFiles(t, dir, map[string]string{".github/clerkguard.yml": "rules:\n  disable: [CLK-HARD-002]\n"})
		if code, out := run(withBin, "--fail-on", "low", "bad.ts"); code != 0 {
			t.Errorf("config disabling the rule: exit %d\n%s", code, out)
		}
		// On a repository, the hook finds in the staged files what a full
		// scan finds in them: each file is analysed with its project as
		// context, and paths are the repository's. (Before, each file was
		// scanned alone: the demo's route handler, Server Action and webhook
		// findings were missed, and --format json wrote one document per
		// file.)
		t.Run("DemoStaged", func(t *testing.T) {
			if _, err := exec.LookPath("git"); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("git is not installed; CI must install it")
				}
				t.Skip("SKIP: git is not installed")
			}
			repo := t.TempDir()
			if err := os.CopyFS(repo, os.DirFS(filepath.Join(root, "fixtures", "demo"))); err != nil {
				t.Fatal(err)
			}
			git := func(args ...string) string {
				t.Helper()
				out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
				if err != nil {
					t.Fatalf("git %v: %v", args, err)
				}
				return string(out)
			}
			git("init", "-q")
			git("add", "-A")
			staged := strings.Fields(git("diff", "--cached", "--name-only"))
			findings := func(out string) []string {
				t.Helper()
				var rep struct {
					Findings []struct{ Rule, Path, Fingerprint string }
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				var got []string
				for _, f := range rep.Findings {
					if slices.Contains(staged, f.Path) {
						got = append(got, f.Rule+" "+f.Path+" "+f.Fingerprint)
					}
				}
				slices.Sort(got)
				return got
			}
			full, err := exec.Command(bin, "scan", "--format", "json", "--fail-on", "none", repo).Output()
			if err != nil {
				t.Fatalf("full scan: %v", err)
			}
			want := findings(string(full))
			if len(want) < 8 {
				t.Fatalf("the full scan of the demo found only %d findings: %q", len(want), want)
			}
			saved := dir
			dir = repo // the hook runs at the repository's top level
			defer func() { dir = saved }()
			report := filepath.Join(t.TempDir(), "hook.json")
			code, out := run(withBin, append([]string{"--format", "json", "--fail-on", "none", "--output", report}, staged...)...)
			if code != 0 {
				t.Fatalf("hook: exit %d\n%s", code, out)
			}
			js, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(string(js)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the hook on the staged files found:\n%s\n\na full scan finds in them:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})

		// Without CLERKGUARD_BIN the script builds clerkguard from its own
		// checkout (pre-commit clones the pinned rev).
		if err := os.Remove(filepath.Join(dir, ".github", "clerkguard.yml")); err != nil {
			t.Fatal(err)
		}
		if code, out := run(nil, "--fail-on", "low", "bad.ts"); code != 1 {
			t.Errorf("self-built binary: exit %d\n%s", code, out)
		}
	})
}

func TestPreCommitHooks(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type hook struct {
		ID                      string   `yaml:"id"`
		Name                    string   `yaml:"name"`
		Description             string   `yaml:"description"`
		Entry                   string   `yaml:"entry"`
		Language                string   `yaml:"language"`
		PassFilenames           *bool    `yaml:"pass_filenames"`
		Types                   []string `yaml:"types"`
		RequireSerial           bool     `yaml:"require_serial"`
		MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	}
	var hooks []hook
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	if len(hooks) != 1 || hooks[0].ID != "clerkguard" {
		t.Fatalf("want one hook clerkguard, got %+v", hooks)
	}
	h := hooks[0]
	if h.Language != "script" || h.Entry != "deploy/pre-commit.sh" {
		t.Errorf("hook runs %s (%s), want the script deploy/pre-commit.sh", h.Entry, h.Language)
	}
	if h.PassFilenames == nil || !*h.PassFilenames {
		t.Error("pass_filenames must be true: the hook scans the staged files")
	}
	if !h.RequireSerial {
		t.Error("require_serial: the script may build the binary; parallel runs would race")
	}
	st, err := os.Stat(filepath.Join("..", filepath.FromSlash(h.Entry)))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o111 == 0 {
		t.Errorf("%s is not executable", h.Entry)
	}
}
