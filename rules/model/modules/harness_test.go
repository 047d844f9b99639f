package modules

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules/source"
)

// memFiles is a snapshot in memory that records every read.
type memFiles struct {
	files map[string][]byte
	fail  map[string]error // reads that fail

	mu    sync.Mutex
	reads map[string]int
	cache map[string]*source.File
}

func newMemFiles(files map[string]string) *memFiles {
	m := &memFiles{files: map[string][]byte{}, fail: map[string]error{}, reads: map[string]int{}, cache: map[string]*source.File{}}
	for k, v := range files {
		m.files[k] = []byte(v)
	}
	return m
}

func (m *memFiles) Paths() []string {
	out := make([]string, 0, len(m.files))
	for p := range m.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (m *memFiles) Get(ctx context.Context, p string) (*source.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads[p]++
	if err := m.fail[p]; err != nil {
		return nil, err
	}
	if f, ok := m.cache[p]; ok {
		return f, nil
	}
	b, ok := m.files[p]
	if !ok {
		return nil, fmt.Errorf("read %s: not in snapshot", p)
	}
	f := source.NewFile(p, b)
	m.cache[p] = f
	return f, nil
}

// read returns the sorted paths read so far.
func (m *memFiles) read() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for p := range m.reads {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// archive is a txtar case: the snapshot plus @sections of expectations.
type archive struct {
	name     string
	files    map[string]string
	sections map[string][]string // "@resolve" -> lines
}

func loadArchive(t testing.TB, file string) archive {
	t.Helper()
	a, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := archive{name: strings.TrimSuffix(filepath.Base(file), ".txtar"), files: map[string]string{}, sections: map[string][]string{}}
	for _, f := range a.Files {
		if strings.HasPrefix(f.Name, "@") {
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					out.sections[f.Name] = append(out.sections[f.Name], l)
				}
			}
			continue
		}
		out.files[f.Name] = string(f.Data)
	}
	return out
}

func archives(t *testing.T, dir string) []archive {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no cases in testdata/%s", dir)
	}
	var out []archive
	for _, n := range names {
		out = append(out, loadArchive(t, n))
	}
	return out
}

// fields splits an expectation line "a  b  =>  want" into its parts.
func fields(t *testing.T, line string) ([]string, string) {
	t.Helper()
	lhs, want, ok := strings.Cut(line, "=>")
	if !ok {
		t.Fatalf("expectation %q has no =>", line)
	}
	return strings.Fields(lhs), strings.TrimSpace(want)
}

// describe renders a resolution with how it was found, as the testdata
// spells it: "file: src/lib/auth.ts [paths tsconfig.json]".
func describe(r Resolution) string {
	s := r.String()
	var tags []string
	if r.Via != ViaNone {
		tags = append(tags, string(r.Via))
	}
	if r.Config != "" {
		tags = append(tags, r.Config)
	}
	if r.Guessed {
		tags = append(tags, "guessed")
	}
	if len(tags) > 0 {
		s += " [" + strings.Join(tags, " ") + "]"
	}
	return s
}

// matches compares got with want; a want without a [tag] part compares
// the resolution only.
func matches(got Resolution, want string) bool {
	if strings.Contains(want, " [") {
		return describe(got) == want
	}
	return got.String() == want
}

func describeOrigin(o Origin, ok bool) string {
	if !ok {
		return "none"
	}
	s := o.Module.String() + "#" + o.Name
	if o.Module.Kind == File && o.Name != "*" {
		s += fmt.Sprintf(" %s:%d", dash(o.Binding), o.Line)
	}
	return s
}
