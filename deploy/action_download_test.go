package deploy_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeReleases serves GitHub's release download URLs and the releases API
// for a repository, from memory.
type fakeReleases struct {
	mu       sync.Mutex
	assets   map[string][]byte // "/clerkguard/clerkguard/releases/download/v0.2.0/x.tar.gz" -> body
	tags     []string
	requests []string
}

func (f *fakeReleases) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path)
	if r.URL.Path == "/repos/clerkguard/clerkguard/releases" {
		var parts []string
		for _, t := range f.tags {
			parts = append(parts, fmt.Sprintf(`{"tag_name": "%s", "draft": false}`, t))
		}
		fmt.Fprintf(w, "[%s]", strings.Join(parts, ","))
		return
	}
	b, ok := f.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

// release publishes an archive holding the binary at bin, and a
// checksums.txt whose entry for it is sum ("" for the right one).
func (f *fakeReleases) release(t *testing.T, tag, bin, sum string) {
	t.Helper()
	exe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for name, body := range map[string][]byte{"clerkguard": exe, "LICENSE": []byte("Apache-2.0\n")} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.Close()
	gz.Close()
	archive := fmt.Sprintf("clerkguard_%s_linux_amd64.tar.gz", strings.TrimPrefix(tag, "v"))
	if sum == "" {
		h := sha256.Sum256(buf.Bytes())
		sum = hex.EncodeToString(h[:])
	}
	base := "/clerkguard/clerkguard/releases/download/" + tag + "/"
	f.mu.Lock()
	defer f.mu.Unlock()
	f.assets[base+archive] = buf.Bytes()
	f.assets[base+"checksums.txt"] = []byte(fmt.Sprintf("%s  clerkguard_%s_darwin_arm64.tar.gz\n%s  %s\n", strings.Repeat("0", 64), strings.TrimPrefix(tag, "v"), sum, archive))
	f.tags = append([]string{tag}, f.tags...)
}

// testActionDownload runs the action's install step against a fake release
// server: by default it downloads the release the action is pinned to and
// checks its SHA-256; it compiles nothing (before, every run built
// clerkguard from source: minutes of cgo).
func testActionDownload(t *testing.T, a *actionFile, bin string) {
	rel := &fakeReleases{assets: map[string][]byte{}}
	srv := httptest.NewServer(rel)
	defer srv.Close()
	rel.release(t, "v0.1.0", bin, "")
	rel.release(t, "v0.10.2", bin, "")
	rel.release(t, "v0.9.9", bin, "")
	rel.release(t, "v1.0.0", bin, "")
	rel.release(t, "v0.3.0", bin, strings.Repeat("ab", 32)) // tampered
	env := map[string]string{
		"CLERKGUARD_RELEASES_URL": srv.URL + "/clerkguard/clerkguard/releases/download",
		"CLERKGUARD_API_URL":      srv.URL,
		"RUNNER_OS":               "Linux", "RUNNER_ARCH": "X64",
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed; CI must install it")
		}
		t.Skip("SKIP: curl is not installed; the action's download step needs it")
	}
	noGo := t.TempDir() // PATH holds only what the step needs: no Go, no C compiler
	for _, tool := range []string{"bash", "curl", "tar", "gzip", "awk", "sha256sum", "grep", "sed", "sort", "tail", "mkdir", "cat", "dirname"} {
		if p, err := exec.LookPath(tool); err == nil {
			os.Symlink(p, filepath.Join(noGo, tool))
		}
	}
	for _, tc := range []struct {
		name, ref, version, build string
		wantCode                  int
		want                      string // in stdout
		fetched                   string // a request path that must have been made
	}{
		{"pinned release", "v0.1.0", "", "false", 0, "clerkguard ", "/releases/download/v0.1.0/clerkguard_0.1.0_linux_amd64.tar.gz"},
		{"major tag takes the newest of that major", "v0", "", "false", 0, "clerkguard ", "/releases/download/v0.10.2/"},
		{"version input wins", "main", "v0.9.9", "false", 0, "clerkguard ", "/releases/download/v0.9.9/"},
		{"tampered archive refused", "v0.3.0", "", "false", 2, "checksum of clerkguard_0.3.0_linux_amd64.tar.gz does not match", ""},
		{"branch without build asks for a release", "main", "", "false", 2, "not a release tag", ""},
		{"unknown major", "v7", "", "false", 2, "no release of v7", ""},
		{"missing release", "v0.0.9", "", "false", 22, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runStep(t, a, "install", map[string]string{"version": tc.version, "build": tc.build},
				map[string]string{"action_ref": tc.ref, "token": "test-token"}, nil,
				mergeEnv(env, map[string]string{"PATH": noGo}))
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if tc.wantCode == 0 && r.outputs["GITHUB_PATH"] == "" {
				t.Error("the binary's directory is not added to GITHUB_PATH")
			}
			if tc.fetched != "" {
				rel.mu.Lock()
				found := false
				for _, p := range rel.requests {
					found = found || strings.Contains(p, tc.fetched)
				}
				rel.mu.Unlock()
				if !found {
					t.Errorf("no request for %s", tc.fetched)
				}
			}
		})
	}
}

func mergeEnv(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
