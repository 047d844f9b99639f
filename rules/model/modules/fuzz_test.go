package modules

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzStandardJSON: reading JSON with comments never panics; standard JSON
// comes back byte for byte; whatever it accepts keeps its length (so byte
// offsets and lines stay those of the input).
func FuzzStandardJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a": [1, 2,], /* c */ "b": "//not a comment",}`, "// only a comment\n{}",
		`{"s": "a\"b\\", "t": "/*"}`, "\xef\xbb\xbf{\"bom\": true}", `{"x": 1 /* unterminated`, `"unterminated`,
		`[1, 2, /`, `{"paths": {"@/*": ["./src/*"],},}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := standardJSON(in)
		if json.Valid(in) && !strings.HasPrefix(string(in), "\xef\xbb\xbf") {
			if err != nil {
				t.Fatalf("valid JSON %q rejected: %v", in, err)
			}
			if string(out) != string(in) {
				t.Fatalf("valid JSON %q changed to %q", in, out)
			}
		}
		if err == nil && len(out) != len(strings.TrimPrefix(string(in), "\xef\xbb\xbf")) {
			t.Fatalf("length changed: %d -> %d", len(in), len(out))
		}
	})
}

// FuzzResolve: any tsconfig, package.json and specifier resolve without
// panicking, and a File result always names a file of the snapshot.
func FuzzResolve(f *testing.F) {
	f.Add(`{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}`, `{"name": "a", "workspaces": ["packages/*"]}`, "@/lib/x")
	f.Add(`{"extends": "./tsconfig.json", "compilerOptions": {"baseUrl": "..", "paths": {"*": ["../../*"]}}}`, `{"imports": {"#*": "./*"}}`, "#x")
	f.Add(`{"references": [{"path": "./packages/a"}], "files": []}`, `{"exports": {"./*": {"import": ["./*.js", null]}}}`, "a/b")
	f.Add(`{}`, `{}`, "../../../../etc/passwd")
	f.Add(`{"compilerOptions": {"paths": {"x": ["${configDir}/src/lib"]}}}`, `{"name": "@a/b"}`, "@a/b/c.js")
	f.Fuzz(func(t *testing.T, tsconfig, pkg, spec string) {
		files := map[string]string{
			"tsconfig.json":            tsconfig,
			"package.json":             pkg,
			"packages/a/package.json":  pkg,
			"packages/a/tsconfig.json": tsconfig,
			"src/lib/x.ts":             "",
			"x.ts":                     "",
			"packages/a/index.ts":      "",
		}
		r := NewResolver(newMemFiles(files))
		for _, from := range []string{"src/app.ts", "packages/a/src/b.ts"} {
			res, err := r.Resolve(context.Background(), from, spec)
			if err != nil {
				if res.Kind != Unknown {
					t.Fatalf("error %v with a %v result", err, res.Kind)
				}
				continue
			}
			if res.Kind == File && files[res.Path] == "" && !r.Has(res.Path) {
				t.Fatalf("Resolve(%q) = %s, not a file of the snapshot", spec, res)
			}
			if res.Kind == Unknown {
				t.Fatalf("Unknown without an error")
			}
		}
	})
}
