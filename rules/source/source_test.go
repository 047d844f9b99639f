package source

import "testing"

func TestIsScriptPath(t *testing.T) {
	for p, want := range map[string]bool{
		"app/api/route.ts": true, "src/App.tsx": true, "server.mjs": true, "lib/x.cjs": true, "a/b.mts": true,
		"c.cts": true, "d.jsx": true, "e.JS": true,
		"types/global.d.ts": false, "x.d.mts": false, "page.astro": false, "main.go": false, "package.json": false,
		"README.md": false,
	} {
		if got := IsScriptPath(p); got != want {
			t.Errorf("IsScriptPath(%q) = %v, want %v", p, got, want)
		}
	}
}
