package source

import (
	"context"
	"slices"
	"testing"
)

// TestBuildOutput: build-output text files are kept for the secret-value
// rules; vendored trees, minified bundles, maps and lockfiles are not.
func TestBuildOutput(t *testing.T) {
	for p, want := range map[string]bool{
		".netlify/build/_astro-internal_middleware.mjs": true,
		"dist/server/entry.mjs":                         true,
		"apps/web/.next/server/app/page.js":             true,
		"src/build.ts":                                  false, // a file named build, not in build output
		"src/app.ts":                                    false, // not skipped at all
		"node_modules/pkg/dist/index.js":                false, // vendored
		"dist/node_modules/pkg/index.js":                false,
		"dist/assets/app.min.js":                        false,
		".next/server/page.js.map":                      false,
		"dist/logo.png":                                 false,
		"build/package-lock.json":                       false,
	} {
		if got := BuildOutput(p); got != want {
			t.Errorf("BuildOutput(%s) = %v; want %v", p, got, want)
		}
		if BuildOutput(p) && !DefaultSkip(p) {
			t.Errorf("DefaultSkip(%s) = false for build output; every other rule must still skip it", p)
		}
	}
}

// TestDirListsBuildOutput: a directory walk enters build directories for
// their build-output files, never vendored ones; in a git working tree an
// ignored build directory is known to be uncommitted (rules.Run drops it).
func TestDirListsBuildOutput(t *testing.T) {
	needGit(t)
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".gitignore":               "dist/\n",
		"src/a.ts":                 "export {}\n",
		"dist/server.mjs":          "export {}\n",
		".netlify/build/entry.mjs": "export {}\n",
		"node_modules/pkg/a.js":    "export {}\n",
		"dist/app.min.js":          "export {}\n",
	})
	gitIn(t, dir, "init", "-q")
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", ".netlify/build/entry.mjs", "dist/server.mjs", "src/a.ts"}
	if !slices.Equal(got, want) {
		t.Errorf("Files = %v; want %v", got, want)
	}
	if c, known := d.Committed(ctx, "dist/server.mjs"); c || !known {
		t.Errorf("Committed(dist/server.mjs) = %v, %v; want false, true (ignored)", c, known)
	}
	if c, known := d.Committed(ctx, ".netlify/build/entry.mjs"); !c || !known {
		t.Errorf("Committed(.netlify/build/entry.mjs) = %v, %v; want true, true", c, known)
	}
}
