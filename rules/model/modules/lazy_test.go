package modules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func lazySnapshot() *memFiles {
	return newMemFiles(map[string]string{
		"package.json":             `{"name": "root", "workspaces": ["apps/*", "packages/*"]}`,
		"tsconfig.base.json":       `{"compilerOptions": {"paths": {"@/*": ["./apps/web/src/*"]}}}`,
		"apps/web/package.json":    `{"name": "web"}`,
		"apps/web/tsconfig.json":   `{"extends": "../../tsconfig.base.json"}`,
		"apps/web/src/a.ts":        `import { b } from './b'`,
		"apps/web/src/b.ts":        `export const b = 1`,
		"apps/web/src/lib/x.ts":    `export const x = 1`,
		"apps/api/package.json":    `{"name": "api"}`,
		"apps/api/tsconfig.json":   `{ this is not JSON`,
		"apps/api/src/index.ts":    `import x from './x'`,
		"apps/api/src/x.ts":        `export default 1`,
		"packages/db/package.json": `{"name": "@acme/db", "main": "src/index.ts"}`,
		"packages/db/src/index.ts": `export const db = {}`,
	})
}

// TestResolveReadsOnlyWhatItNeeds: a relative specifier reads no file; an
// alias reads the nearest tsconfig and its extends chain and nothing else;
// a bare specifier reads package.json files; no source file is ever read
// to resolve.
func TestResolveReadsOnlyWhatItNeeds(t *testing.T) {
	ctx := context.Background()
	fs := lazySnapshot()
	r := NewResolver(fs)
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "./b"); err != nil || res.Path != "apps/web/src/b.ts" {
		t.Fatalf("relative: %v %v", res, err)
	}
	// The broken tsconfig of apps/api does not matter to a relative import.
	if res, err := r.Resolve(ctx, "apps/api/src/index.ts", "./x"); err != nil || res.Path != "apps/api/src/x.ts" {
		t.Fatalf("relative beside a broken tsconfig: %v %v", res, err)
	}
	if got := fs.read(); len(got) != 0 {
		t.Fatalf("relative resolution read %v; want nothing", got)
	}
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "@/lib/x"); err != nil || res.Path != "apps/web/src/lib/x.ts" {
		t.Fatalf("alias: %v %v", res, err)
	}
	if got, want := strings.Join(fs.read(), " "), "apps/web/tsconfig.json tsconfig.base.json"; got != want {
		t.Fatalf("alias resolution read %s; want %s", got, want)
	}
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "@acme/db"); err != nil || res.Path != "packages/db/src/index.ts" {
		t.Fatalf("workspace: %v %v", res, err)
	}
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "react"); err != nil || res.Kind != External {
		t.Fatalf("external: %v %v", res, err)
	}
	for _, p := range fs.read() {
		if !strings.HasSuffix(p, ".json") {
			t.Errorf("resolution read source file %s", p)
		}
	}
	// Each config file is read once, however often it is needed.
	for i := 0; i < 3; i++ {
		if _, err := r.Resolve(ctx, "apps/web/src/b.ts", fmt.Sprintf("@/lib/y%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for p, n := range fs.reads {
		if n != 1 {
			t.Errorf("%s read %d times; want once", p, n)
		}
	}
}

// TestResolveErrorsAreUnknown: when the config a specifier depends on
// cannot be parsed or read, Resolve says so instead of guessing; the
// failure does not leak into other directories.
func TestResolveErrorsAreUnknown(t *testing.T) {
	ctx := context.Background()
	fs := lazySnapshot()
	r := NewResolver(fs)
	res, err := r.Resolve(ctx, "apps/api/src/index.ts", "@/lib/x")
	if err == nil || res.Kind != Unknown || !strings.Contains(err.Error(), "apps/api/tsconfig.json") {
		t.Fatalf("broken tsconfig: %v, %v; want Unknown and an error naming the file", describe(res), err)
	}
	if !errors.Is(err, errJSONC) {
		t.Errorf("error %v does not wrap the parse failure", err)
	}
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "@/lib/x"); err != nil || res.Kind != File {
		t.Fatalf("other app: %v %v", res, err)
	}

	fs = lazySnapshot()
	readErr := errors.New("blob fetch failed")
	fs.fail["tsconfig.base.json"] = readErr
	r = NewResolver(fs)
	if _, err := r.Resolve(ctx, "apps/web/src/a.ts", "@/lib/x"); !errors.Is(err, readErr) {
		t.Fatalf("unreadable base config: %v; want the read error", err)
	}

	// A cancelled context is an error and is not cached: a later call with
	// a live context answers.
	fs = lazySnapshot()
	r = NewResolver(fs)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Resolve(cctx, "apps/web/src/a.ts", "@/lib/x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if res, err := r.Resolve(ctx, "apps/web/src/a.ts", "@/lib/x"); err != nil || res.Kind != File {
		t.Fatalf("after cancel: %v %v", res, err)
	}
}

// TestGraphIncomplete: a file that cannot be read makes Importers say the
// answer is incomplete, and an import through a broken config makes Origin
// fail instead of answering "not found".
func TestGraphIncomplete(t *testing.T) {
	ctx := context.Background()
	fs := lazySnapshot()
	fs.files["apps/web/src/c.ts"] = []byte(`import { b } from './b'`)
	fs.files["apps/api/src/uses.ts"] = []byte(`import { x } from '@/x'`)
	fs.fail["apps/web/src/c.ts"] = errors.New("blob fetch failed")
	g := New(fs)
	es, err := g.Importers(ctx, "apps/web/src/b.ts")
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Importers err = %v; want ErrIncomplete", err)
	}
	if len(es) != 1 || es[0].From != "apps/web/src/a.ts" {
		t.Errorf("Importers = %v; want the edge from a.ts", es)
	}
	ims, err := g.Imports(ctx, "apps/api/src/uses.ts")
	if err != nil || len(ims) != 1 || ims[0].Target.Kind != Unknown || ims[0].Err == nil {
		t.Fatalf("Imports through a broken tsconfig = %+v, %v; want one Unknown edge with its error", ims, err)
	}
	if _, ok, err := g.Origin(ctx, "apps/api/src/uses.ts", "x"); err == nil || ok {
		t.Fatalf("Origin through a broken tsconfig = %v, %v; want an error", ok, err)
	}
	if _, err := g.Imports(ctx, "apps/web/src/c.ts"); err == nil {
		t.Fatal("Imports of an unreadable file: no error")
	}
}

// TestConcurrentUse resolves and follows origins from many goroutines at
// once (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	g := New(newMemFiles(syntheticProject(200)))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 200; i += 8 {
				from := fmt.Sprintf("apps/web/app/r%d/route.ts", i)
				if _, err := g.Resolve(ctx, from, "@/lib/guards"); err != nil {
					errs <- err
					return
				}
				if _, _, err := g.Origin(ctx, from, "requireUser"); err != nil {
					errs <- err
					return
				}
				if _, err := g.Importers(ctx, "apps/web/src/lib/guards/session.ts"); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLimits: configs beyond the resolver's limits make the answer
// Unknown with ErrLimit, not a partial or guessed answer.
func TestLimits(t *testing.T) {
	ctx := context.Background()
	var paths []string
	for i := 0; i <= MaxPathRules; i++ {
		paths = append(paths, fmt.Sprintf(`"@p%d/*": ["./src/*"]`, i))
	}
	chain := map[string]string{"a/x.ts": ""}
	for i := 0; i <= MaxExtends; i++ {
		chain[fmt.Sprintf("c%d.json", i)] = fmt.Sprintf(`{"extends": "./c%d.json"}`, i+1)
	}
	chain["a/tsconfig.json"] = `{"extends": "../c0.json"}`
	var refs []string
	for i := 0; i <= MaxReferences; i++ {
		refs = append(refs, fmt.Sprintf(`{"path": "./p%d"}`, i))
	}
	roots := map[string]string{}
	for i := 0; i <= MaxWorkspaceRoots; i++ {
		roots[fmt.Sprintf("r%d/package.json", i)] = `{"workspaces": ["packages/*"]}`
		roots[fmt.Sprintf("r%d/x.ts", i)] = ""
	}
	tests := []struct {
		name  string
		files map[string]string
		froms []string
	}{
		{"paths entries", map[string]string{"tsconfig.json": `{"compilerOptions": {"paths": {` + strings.Join(paths, ",") + `}}}`, "x.ts": ""}, []string{"x.ts"}},
		{"paths targets", map[string]string{"tsconfig.json": `{"compilerOptions": {"paths": {"@/*": [` +
			strings.Repeat(`"./a/*", `, MaxPathTargets) + `"./b/*"]}}}`, "x.ts": ""}, []string{"x.ts"}},
		{"extends chain", chain, []string{"a/x.ts"}},
		{"references", map[string]string{"tsconfig.json": `{"files": [], "references": [` + strings.Join(refs, ",") + `]}`, "x.ts": ""}, []string{"x.ts"}},
		{"workspace roots", roots, nil},
	}
	for i := 0; i <= MaxWorkspaceRoots; i++ {
		tests[len(tests)-1].froms = append(tests[len(tests)-1].froms, fmt.Sprintf("r%d/x.ts", i))
	}
	for _, tt := range tests {
		r := NewResolver(newMemFiles(tt.files))
		var err error
		var res Resolution
		for _, from := range tt.froms {
			if res, err = r.Resolve(ctx, from, "@p0/lib"); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrLimit) || res.Kind != Unknown {
			t.Errorf("%s: Resolve = %s, %v; want Unknown and ErrLimit", tt.name, describe(res), err)
		}
	}
}
