package source

import (
	"context"
	"reflect"
	"testing"
)

// TestGoPackageNamedBuild: a Go package directory named build/ (or dist/,
// out/) is source, not a JavaScript build's output: its .go files are
// analysed, while the JavaScript and maps beside them, and anything under
// node_modules/ or vendor/, stay skipped.
func TestGoPackageNamedBuild(t *testing.T) {
	for p, want := range map[string]bool{
		"api/controllers/build/build.go": false,
		"cmd/out/main.go":                false,
		"web/build/static/js/main.js":    true,
		"web/dist/index.js":              true,
		"api/vendor/x/y.go":              true,
		"node_modules/pkg/build/a.go":    true,
	} {
		if got := DefaultSkip(p); got != want {
			t.Errorf("DefaultSkip(%q) = %v, want %v", p, got, want)
		}
	}
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"api/controllers/build/build.go": "package build_controller\n",
		"web/build/main.js":              "export {}\n",
		"web/node_modules/x/build/a.go":  "package a\n",
	})
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The walk lists build output too (the secret-value rules scan it,
	// see BuildOutput); never what is vendored.
	if want := []string{"api/controllers/build/build.go", "web/build/main.js"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files = %v, want %v", got, want)
	}
	if BuildOutput("api/controllers/build/build.go") || !BuildOutput("web/build/main.js") {
		t.Error("a Go package named build/ is source, its JavaScript neighbour build output")
	}
}
