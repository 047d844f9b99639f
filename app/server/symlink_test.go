package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestSymlinkedFilesAreReviewed (issue 9 point 10): a symlink inside the
// repository is analysed at its own path with its target's content, as a
// checkout (and so Next.js) sees it; a link that leads out of the
// repository, nowhere or in a circle is not followed, and the review says
// so and does not pass.
func TestSymlinkedFilesAreReviewed(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	n := 0
	review := func(t *testing.T, base, head map[string][]byte, kinds map[string]fakegithub.FileKind, pr fakegithub.PR) fakegithub.CheckRun {
		t.Helper()
		n++
		repo := fmt.Sprintf("links%d", n)
		gh.AddRepo("acme", repo, 1, "main")
		pr.Number, pr.BaseFiles, pr.HeadFiles, pr.Kinds = 1, base, head, kinds
		if err := gh.AddPR("acme", repo, pr); err != nil {
			t.Fatal(err)
		}
		sha, _ := gh.HeadSHA("acme", repo, 1)
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		return h.waitCompleted("acme", repo, sha, 1)[0]
	}
	hasFinding := func(cr fakegithub.CheckRun, rule, path string) bool {
		for _, a := range cr.Annotations {
			if a.Path == path && strings.Contains(a.Title, rule) {
				return true
			}
		}
		return false
	}
	base := with(baseFiles, map[string]string{"lib/handlers/admin.ts": adminRoute})
	link := func(paths ...string) map[string]fakegithub.FileKind {
		k := map[string]fakegithub.FileKind{}
		for _, p := range paths {
			k[p] = fakegithub.KindSymlink
		}
		return k
	}

	for _, diffTooLarge := range []bool{false, true} {
		t.Run(fmt.Sprintf("an unguarded route added as a symlink (diff too large: %v)", diffTooLarge), func(t *testing.T) {
			head := with(base, map[string]string{"app/api/admin/route.ts": "../../../lib/handlers/admin.ts"})
			cr := review(t, base, head, link("app/api/admin/route.ts"), fakegithub.PR{DiffTooLarge: diffTooLarge})
			if cr.Conclusion != "failure" || !hasFinding(cr, "CLK-RP-003", "app/api/admin/route.ts") {
				t.Errorf("conclusion %q, annotations %s: the symlinked route was not reviewed", cr.Conclusion, annotationTitles(cr))
			}
		})
	}

	t.Run("a route reached through a symlinked directory", func(t *testing.T) {
		b := with(baseFiles, map[string]string{"lib/admin/route.ts": adminRoute})
		head := with(b, map[string]string{"app/api/admin": "../../lib/admin"})
		cr := review(t, b, head, link("app/api/admin"), fakegithub.PR{})
		if cr.Conclusion != "failure" || !hasFinding(cr, "CLK-RP-003", "app/api/admin/route.ts") {
			t.Errorf("conclusion %q, annotations %s", cr.Conclusion, annotationTitles(cr))
		}
	})

	t.Run("an unchanged symlink whose target loses its guard", func(t *testing.T) {
		guarded := strings.Replace(protected, "db.invoice.findMany({ where: { userId } })", "db.user.deleteMany()", 1)
		b := with(baseFiles, map[string]string{"lib/handlers/admin.ts": guarded, "app/api/admin/route.ts": "../../../lib/handlers/admin.ts"})
		head := with(b, map[string]string{"lib/handlers/admin.ts": adminRoute})
		cr := review(t, b, head, link("app/api/admin/route.ts"), fakegithub.PR{})
		if cr.Conclusion != "failure" || !hasFinding(cr, "CLK-RP-003", "app/api/admin/route.ts") {
			t.Errorf("conclusion %q, annotations %s: the route behind the link changed", cr.Conclusion, annotationTitles(cr))
		}
	})

	for _, tc := range []struct{ name, target, reason string }{
		{"out of the repository", "../../../../../etc/passwd", "outside the repository"},
		{"absolute", "/etc/passwd", "outside the repository"},
		{"dangling", "../../../lib/handlers/missing.ts", "not in the tree"},
	} {
		t.Run("a route symlinked "+tc.name, func(t *testing.T) {
			head := with(baseFiles, map[string]string{"app/api/evil/route.ts": tc.target})
			cr := review(t, baseFiles, head, link("app/api/evil/route.ts"), fakegithub.PR{})
			if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "app/api/evil/route.ts") || !strings.Contains(cr.Output.Summary, tc.reason) {
				t.Errorf("conclusion %q, summary:\n%s", cr.Conclusion, cr.Output.Summary)
			}
		})
	}

	t.Run("a symlink loop", func(t *testing.T) {
		head := with(baseFiles, map[string]string{"app/api/loop/route.ts": "other.ts", "app/api/loop/other.ts": "route.ts"})
		cr := review(t, baseFiles, head, link("app/api/loop/route.ts", "app/api/loop/other.ts"), fakegithub.PR{})
		if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "app/api/loop/route.ts") || !strings.Contains(cr.Output.Summary, "loop") {
			t.Errorf("conclusion %q, summary:\n%s", cr.Conclusion, cr.Output.Summary)
		}
	})
	h.assertClean()
}
