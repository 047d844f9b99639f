package all

import (
	"strings"
	"testing"
)

// codeWords are names whose casing a rule title must keep: Clerk and
// framework APIs, and the names of products and formats.
var codeWords = []string{"currentUser()", "currentUser", "authMiddleware", "clerkMiddleware", "createRouteMatcher",
	"getServerSideProps", "getAuth", "unsafeMetadata", "publicMetadata", "privateMetadata", "userId", "orgId",
	"useReverification()", "signUp.create()", "verifyWebhook()", "locals.auth()", "event.context.auth()",
	"Clerk", "Clerk's", "API", "APIs", "SDK", "HTML", "CI", "tRPC", "Next.js", "Nuxt", "Astro", "SvelteKit",
	"Express", "Fastify", "Hono", "JWT", "Auth"}

// titleCasingProblems lists the words of a title that are a code word
// with its casing lost ("currentuser()" for "currentUser()").
func titleCasingProblems(title string) []string {
	var out []string
	for _, w := range strings.Fields(title) {
		w = strings.TrimRight(w, ",;:")
		for _, c := range codeWords {
			if w != c && strings.EqualFold(w, c) && !(c == "Auth" && w == "auth") {
				out = append(out, w+" (should be "+c+")")
			}
		}
	}
	return out
}

func TestRuleTitlesKeepCodeCasing(t *testing.T) {
	for _, r := range Rules() {
		if p := titleCasingProblems(r.Doc.Title); len(p) > 0 {
			t.Errorf("%s: title %q lost the casing of %s", r.ID, r.Doc.Title, strings.Join(p, ", "))
		}
	}
	// The check itself: a lower-cased code span is caught.
	if len(titleCasingProblems("auth() or currentuser() not awaited")) == 0 || len(titleCasingProblems("legacy authmiddleware options")) == 0 {
		t.Error("titleCasingProblems misses a lower-cased code span")
	}
	if len(titleCasingProblems("auth(), auth.protect() or currentUser() not awaited, or v5 and v6 APIs mixed")) != 0 {
		t.Error("titleCasingProblems flags a correctly cased title")
	}
}

func TestRulesListReferences(t *testing.T) {
	for _, r := range Rules() {
		if len(r.Doc.References) == 0 {
			t.Errorf("%s: the doc lists no references (Clerk docs pages or SDK source files)", r.ID)
		}
		for _, ref := range r.Doc.References {
			if strings.TrimSpace(ref) == "" {
				t.Errorf("%s: empty reference", r.ID)
			}
		}
	}
}
