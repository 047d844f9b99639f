package main

import (
	"regexp"
	"strings"
)

// featureSpec is a member feature that fix texts name ("auth.protect"):
// a release of pkg has it when one of its declaration files whose path
// contains file matches every regular expression of res (comments
// removed).
type featureSpec struct {
	pkg, name, file string
	res             []*regexp.Regexp
}

// featureSpecs are the member features fix texts name. Sources: the
// declarations of @clerk/nextjs (dist/types/app-router/server/auth.d.ts):
// v5 declares `auth: () => Auth` with protect and redirectToSignIn on the
// returned object; v6 declares `auth: AuthFn`, an async function with
// protect as its own member.
var featureSpecs = []featureSpec{
	{pkg: "@clerk/nextjs", name: "auth.protect", file: "app-router/server/auth.d",
		res: []*regexp.Regexp{regexp.MustCompile(`declare const auth\s*:\s*AuthFn\b`), regexp.MustCompile(`(?:type AuthFn\s*=[^;]*?|interface AuthFn\b(?:[^\n]|\n[^}])*?)\bprotect\s*:`)}},
	{pkg: "@clerk/nextjs", name: "auth().protect", file: "app-router/server/auth.d",
		res: []*regexp.Regexp{regexp.MustCompile(`declare const auth\s*:\s*\(\)\s*=>\s*(\w+)`), regexp.MustCompile(`type Auth\s*=[^;]*?\bprotect\s*:`)}},
	{pkg: "@clerk/nextjs", name: "auth().redirectToSignIn", file: "app-router/server/auth.d",
		res: []*regexp.Regexp{regexp.MustCompile(`\bredirectToSignIn\s*:`)}},
}

var comments = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)

// features returns the member features a release has.
func features(pkg string, files map[string][]byte) map[string]bool {
	out := map[string]bool{}
	for _, ft := range featureSpecs {
		if ft.pkg != pkg {
			continue
		}
		for p, b := range files {
			if !isDecl(p) || !strings.Contains(p, ft.file) {
				continue
			}
			text := comments.ReplaceAllString(string(b), "")
			all := true
			for _, re := range ft.res {
				all = all && re.MatchString(text)
			}
			if all {
				out[ft.name] = true
			}
		}
	}
	return out
}
