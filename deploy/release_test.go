package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// tool finds a checker installed by .ci/run (goreleaser, actionlint). It
// skips loudly without it, and fails under CI=true.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run installs it", name)
		}
		t.Skipf("SKIP: %s is not on PATH; .ci/run installs it (see .ci/run for the version)", name)
	}
	return p
}

func runTool(t *testing.T, dir, bin string, args ...string) {
	t.Helper()
	ctx, cancel := hangGuard(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

// A tag must produce binaries, image, checksums and SBOMs: the
// configuration passes GoReleaser's own checker (offline).
func TestReleaseConfigChecks(t *testing.T) {
	root, _ := filepath.Abs("..")
	runTool(t, root, tool(t, "goreleaser"), "check", "--config", "deploy/goreleaser.yaml")
}

// The release workflow and the documented workflows pass actionlint.
func TestWorkflowsLint(t *testing.T) {
	root, _ := filepath.Abs("..")
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	examples, _ := filepath.Glob(filepath.Join(root, "docs", "examples", "*.yml"))
	files = append(files, examples...)
	if len(files) < 3 {
		t.Fatalf("workflows %v: want the release workflow and the two documented ones", files)
	}
	runTool(t, root, tool(t, "actionlint"), append([]string{"-no-color"}, files...)...)
}

// What the release publishes is what the action downloads and the docs
// promise: linux and darwin on amd64 and arm64, archives named as the
// action expects, checksums, SBOMs, a multi-arch image.
func TestReleaseMatchesTheAction(t *testing.T) {
	raw, err := os.ReadFile("goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Builds []struct {
			Main   string   `yaml:"main"`
			Goos   []string `yaml:"goos"`
			Goarch []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			NameTemplate string   `yaml:"name_template"`
			Formats      []string `yaml:"formats"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
		SBOMs   []map[string]any `yaml:"sboms"`
		Dockers []struct {
			Dockerfile string   `yaml:"dockerfile"`
			Images     []string `yaml:"images"`
			Platforms  []string `yaml:"platforms"`
		} `yaml:"dockers_v2"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Builds) != 1 || cfg.Builds[0].Main != "./cmd/clerkguard" ||
		strings.Join(cfg.Builds[0].Goos, ",") != "linux,darwin" || strings.Join(cfg.Builds[0].Goarch, ",") != "amd64,arm64" {
		t.Errorf("builds %+v: want ./cmd/clerkguard for linux and darwin on amd64 and arm64", cfg.Builds)
	}
	if len(cfg.Archives) != 1 || cfg.Archives[0].NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" ||
		strings.Join(cfg.Archives[0].Formats, ",") != "tar.gz" {
		t.Errorf("archives %+v: the action downloads clerkguard_VERSION_OS_ARCH.tar.gz", cfg.Archives)
	}
	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v: the action checks SHA-256 sums in checksums.txt", cfg.Checksum)
	}
	if len(cfg.SBOMs) == 0 {
		t.Error("no SBOMs")
	}
	if len(cfg.Dockers) != 1 || strings.Join(cfg.Dockers[0].Platforms, ",") != "linux/amd64,linux/arm64" ||
		len(cfg.Dockers[0].Images) != 1 || cfg.Dockers[0].Images[0] != "ghcr.io/clerkguard/clerkguard" {
		t.Errorf("dockers_v2 %+v: want one multi-arch image ghcr.io/clerkguard/clerkguard", cfg.Dockers)
	}
	if _, err := os.Stat(cfg.Dockers[0].Dockerfile[len("deploy/"):]); err != nil {
		t.Errorf("image Dockerfile: %v", err)
	}
	_, action := loadAction(t)
	if !strings.Contains(action, `archive="clerkguard_${tag#v}_${os}_${arch}.tar.gz"`) || !strings.Contains(action, `"$releases/$tag/checksums.txt"`) {
		t.Error("action.yml no longer downloads the archive and checksums.txt the release publishes")
	}
}

// README shows the documented workflows as they are in docs/examples
// (which actionlint checks), not a copy that drifts.
func TestREADMEShowsTheExampleWorkflows(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"clerkguard-pull-request.yml", "clerkguard-scheduled.yml"} {
		b, err := os.ReadFile(filepath.Join("..", "docs", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, append([]byte("```yaml\n"), b...)) {
			t.Errorf("README.md does not show docs/examples/%s verbatim", f)
		}
		for _, must := range []string{"security-events: write", "upload-sarif", "steps.clerkguard.outputs.sarif-file != ''", "category: clerkguard/"} {
			if !bytes.Contains(b, []byte(must)) {
				t.Errorf("docs/examples/%s lacks %q", f, must)
			}
		}
	}
	pr, _ := os.ReadFile(filepath.Join("..", "docs", "examples", "clerkguard-pull-request.yml"))
	if !regexp.MustCompile(`fetch-depth: 0`).Match(pr) {
		t.Error("the pull-request workflow must check out with fetch-depth: 0")
	}
}
