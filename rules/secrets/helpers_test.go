package secrets

import "testing"

func TestGitignore(t *testing.T) {
	g := &gitignore{files: map[string][]ignorePattern{
		"":    parseGitignore("node_modules\n# env files\n.env*\n!.env.example\n/.clerk/\nbuild/\n"),
		"web": parseGitignore("*.local\n!keep.local\n"),
	}}
	for p, want := range map[string]bool{
		".env":                           true,
		".env.local":                     true,
		"apps/api/.env.production":       true,
		".env.example":                   false,
		".clerk/.tmp/keyless.json":       true,
		"apps/web/.clerk/.tmp/keys.json": false, // anchored to the root
		"web/.env.local":                 true,
		"web/keep.local":                 false,
		"web/x.local":                    true,
		"src/build/out.js":               true,
		"src/build":                      false, // build/ matches directories only
		"node_modules/a/index.js":        true,
		"src/app.ts":                     false,
	} {
		if got := g.Ignored(p); got != want {
			t.Errorf("Ignored(%s) = %v, want %v", p, got, want)
		}
	}
}

// TestGitignoreParentExcluded: git cannot re-include a file whose parent
// directory is excluded; it can when only the directory's contents are.
func TestGitignoreParentExcluded(t *testing.T) {
	g := &gitignore{files: map[string][]ignorePattern{
		"":         parseGitignore("secrets/\n!secrets/app.env\nconf/*\n!conf/public/\n**/tmp/**\n\\!bang.env\n"),
		"apps/api": parseGitignore(".env*\n!.env.shared\n"),
	}}
	for p, want := range map[string]bool{
		"secrets/app.env":        true, // the parent directory is excluded
		"conf/local.env":         true,
		"conf/public/site.env":   false, // conf/public/ is re-included, its parent is not excluded
		"a/tmp/b/.env":           true,
		"!bang.env":              true,
		"apps/api/.env.local":    true,
		"apps/api/.env.shared":   false,
		"apps/api/src/.env":      true, // unanchored: any depth below apps/api
		"apps/web/.env":          false,
		"apps/api/.env.shared/x": false,
	} {
		if got := g.Ignored(p); got != want {
			t.Errorf("Ignored(%s) = %v, want %v", p, got, want)
		}
	}
}

func TestRenameSuggestion(t *testing.T) {
	for in, want := range map[string]string{
		"  secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY,":       "  secretKey: process.env.CLERK_SECRET_KEY,",
		"NUXT_PUBLIC_CLERK_SECRET_KEY=":                                "NUXT_CLERK_SECRET_KEY=",
		"const a = import.meta.env.VITE_CLERK_WEBHOOK_SECRET ?? ''":    "const a = import.meta.env.CLERK_WEBHOOK_SECRET ?? ''",
		"      NEXT_PUBLIC_CLERK_SECRET_KEY: ${{ secrets.CLERK_KEY }}": "      CLERK_SECRET_KEY: ${{ secrets.CLERK_KEY }}",
	} {
		s := renameSuggestion(3, in)
		if s == nil || s.Text != want || s.StartLine != 3 || s.EndLine != 3 {
			t.Errorf("renameSuggestion(%q) = %+v, want %q", in, s, want)
		}
	}
	// A line that holds a secret value gets no suggestion: the value must
	// be removed, not carried over under a new name.
	if s := renameSuggestion(1, "NEXT_PUBLIC_CLERK_SECRET_KEY=sk_live_"+"0123456789abcdefghijABCDEFGHIJ0123456789ab"); s != nil {
		t.Errorf("suggestion for a line with a secret: %+v", s)
	}
}

func TestEnvFileKind(t *testing.T) {
	for p, want := range map[string]string{
		".env": "env", ".env.local": "env", "apps/web/.env.production": "env", "deploy/app.env": "env",
		".env.example": "template", ".env.sample": "template", ".env.template": "template", ".env.dist": "template",
		".env.production.example": "template", "env.ts": "", "README.md": "",
	} {
		if got := envFileKind(p); got != want {
			t.Errorf("envFileKind(%s) = %q, want %q", p, got, want)
		}
	}
}
