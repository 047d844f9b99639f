package routes

import (
	"strings"
	"testing"
)

func TestReadNPMLockKeepsOnlyWatched(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"name":"x","lockfileVersion":3,"packages":{"":{"dependencies":{"next":"^15"}},`)
	for i := 0; i < 2000; i++ {
		b.WriteString(`"node_modules/filler-` + strings.Repeat("a", i%7) + `x` + string(rune('a'+i%26)) + `":{"version":"1.0.0","dependencies":{"y":"1"}},`)
	}
	b.WriteString(`"node_modules/next":{"version":"15.1.7"},"apps/web/node_modules/@clerk/nextjs":{"version":"6.30.0"}},`)
	b.WriteString(`"dependencies":{"next":{"version":"15.1.7","requires":{"react":"19"}}}}`)
	got, err := readNPMLock([]byte(b.String()), watchedSet())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"node_modules/next": "15.1.7", "apps/web/node_modules/@clerk/nextjs": "6.30.0", "next": "15.1.7"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestReadNPMLockInvalid(t *testing.T) {
	if _, err := readNPMLock([]byte(`{"packages": {"node_modules/next": `), watchedSet()); err == nil {
		t.Fatal("a truncated lockfile must be an error, not an empty answer")
	}
}

func TestReadBunLock(t *testing.T) {
	src := `{
  "lockfileVersion": 1,
  "workspaces": { "": { "dependencies": { "next": "^15", }, }, "apps/web": { "dependencies": { "@clerk/nextjs": "^6", }, }, },
  "packages": {
    "next": ["next@15.2.0", "", {}, "sha512-x,]"],
    "apps/web/@clerk/nextjs": ["@clerk/nextjs@6.30.0", "", {}, "sha512-y"],
    "react": ["react@19.0.0", "", {}, "sha512-z"],
  },
}`
	got, err := readBunLock([]byte(src), watchedSet())
	if err != nil {
		t.Fatal(err)
	}
	if got["next"] != "15.2.0" || got["apps/web/@clerk/nextjs"] != "6.30.0" || len(got) != 2 {
		t.Fatalf("got %v", got)
	}
}

func TestPnpmHeadCutsPackages(t *testing.T) {
	src := "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      next:\n        specifier: ^15\n        version: 15.2.0\npackages:\n  next@15.2.0:\n    resolution: {integrity: x}\n"
	head := string(pnpmHead([]byte(src)))
	if strings.Contains(head, "resolution") || !strings.Contains(head, "version: 15.2.0") {
		t.Fatalf("head = %q", head)
	}
}
