package server_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// configAnnotations returns the check run's annotations on the configuration file.
func configAnnotations(cr fakegithub.CheckRun) []fakegithub.Annotation {
	var out []fakegithub.Annotation
	for _, a := range cr.Annotations {
		if a.Path == ".github/clerkguard.yml" {
			out = append(out, a)
		}
	}
	return out
}

// TestConfigProblemsNeverDeadlock: an invalid configuration on the base
// branch is reported (annotated on the file) and the review runs with the
// defaults, so the pull request that fixes the file can pass; unknown rule
// IDs are warnings; a pull request that edits the file gets its new version
// checked.
func TestConfigProblemsNeverDeadlock(t *testing.T) {
	h := start(t, fakegithub.Faults{})
	gh := h.gh
	gh.AddInstallation(1, "acme")
	n := 0
	review := func(base, head map[string][]byte) fakegithub.CheckRun {
		t.Helper()
		n++
		repo := "cfg" + string(rune('a'+n))
		gh.AddRepo("acme", repo, 1, "main")
		if err := gh.AddPR("acme", repo, fakegithub.PR{Number: 1, BaseFiles: base, HeadFiles: head}); err != nil {
			t.Fatal(err)
		}
		h.deliver("pull_request", h.prPayload("opened", "acme", repo, 1, 1))
		sha, _ := gh.HeadSHA("acme", repo, 1)
		return h.waitCompleted("acme", repo, sha, 1)[0]
	}
	const cfgPath = ".github/clerkguard.yml"

	t.Run("invalid base config: reviewed with defaults, annotated", func(t *testing.T) {
		base := with(baseFiles, map[string]string{cfgPath: "rules:\n  disabel: [CLK-RP-003]\n"})
		cr := review(base, with(base, map[string]string{"app/api/invoices/route.ts": unprotected}))
		if cr.Conclusion != "failure" || !strings.Contains(annotationTitles(cr), "CLK-RP-003") {
			t.Errorf("conclusion %q, annotations %s: the review did not run with the defaults", cr.Conclusion, annotationTitles(cr))
		}
		ca := configAnnotations(cr)
		if len(ca) != 1 || ca[0].StartLine != 2 || ca[0].AnnotationLevel != "failure" || !strings.Contains(ca[0].Message, "disabel") {
			t.Errorf("config annotations = %+v, want one failure on line 2 naming the key", ca)
		}
		if !strings.Contains(cr.Output.Title, "reviewed with defaults") || !strings.Contains(cr.Output.Summary, "ran with the default configuration") {
			t.Errorf("title %q / summary do not say the defaults were used:\n%s", cr.Output.Title, cr.Output.Summary)
		}
	})

	t.Run("the PR that fixes an invalid base config is not blocked", func(t *testing.T) {
		base := with(baseFiles, map[string]string{cfgPath: "fail_on: [high]\n"})
		cr := review(base, with(base, map[string]string{cfgPath: "fail_on: high\n"}))
		if cr.Conclusion != "neutral" {
			t.Errorf("conclusion %q, want neutral (no findings; the base config is still invalid)", cr.Conclusion)
		}
		if ca := configAnnotations(cr); len(ca) != 1 || ca[0].StartLine != 1 || !strings.Contains(ca[0].Title, "base branch") {
			t.Errorf("config annotations = %+v, want the base's error only (the new version is valid)", ca)
		}
	})

	t.Run("unknown rule IDs are warnings", func(t *testing.T) {
		base := with(baseFiles, map[string]string{cfgPath: "rules:\n  disable: [CLK-RETIRED-001, CLK-RP-003]\n"})
		cr := review(base, with(base, map[string]string{"app/api/invoices/route.ts": unprotected}))
		if cr.Conclusion != "success" {
			t.Errorf("conclusion %q, want success (CLK-RP-003 disabled, the unknown ID ignored)", cr.Conclusion)
		}
		ca := configAnnotations(cr)
		if len(ca) != 1 || ca[0].AnnotationLevel != "warning" || ca[0].StartLine != 2 || !strings.Contains(ca[0].Message, "CLK-RETIRED-001") {
			t.Errorf("config annotations = %+v, want one warning on line 2", ca)
		}
		if !strings.Contains(cr.Output.Summary, "CLK-RETIRED-001") {
			t.Errorf("summary does not show the warning:\n%s", cr.Output.Summary)
		}
	})

	t.Run("a PR that makes the config invalid fails, annotated", func(t *testing.T) {
		cr := review(baseFiles, with(baseFiles, map[string]string{cfgPath: "comments: true\nfail_on: urgent\n"}))
		if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "in this pull request") {
			t.Errorf("conclusion %q title %q, want failure naming this pull request", cr.Conclusion, cr.Output.Title)
		}
		ca := configAnnotations(cr)
		if len(ca) != 1 || ca[0].StartLine != 2 || ca[0].AnnotationLevel != "failure" || !strings.Contains(ca[0].Title, "this pull request") {
			t.Errorf("config annotations = %+v, want one failure on line 2", ca)
		}
	})

	t.Run("a PR whose new config names an unknown rule gets a warning", func(t *testing.T) {
		cr := review(baseFiles, with(baseFiles, map[string]string{cfgPath: "rules:\n  severity:\n    CLK-FUTURE-009: low\n"}))
		if cr.Conclusion != "success" {
			t.Errorf("conclusion %q, want success", cr.Conclusion)
		}
		if ca := configAnnotations(cr); len(ca) != 1 || ca[0].AnnotationLevel != "warning" || ca[0].StartLine != 3 {
			t.Errorf("config annotations = %+v, want one warning on line 3", ca)
		}
	})
	t.Run("a .yaml configuration is read like .yml", func(t *testing.T) {
		base := with(baseFiles, map[string]string{".github/clerkguard.yaml": "rules:\n  disable: [CLK-RP-003]\n"})
		cr := review(base, with(base, map[string]string{"app/api/invoices/route.ts": unprotected}))
		if cr.Conclusion != "success" || strings.Contains(annotationTitles(cr), "CLK-RP-003") {
			t.Errorf("conclusion %q, annotations %s: .github/clerkguard.yaml disabling CLK-RP-003 was not applied", cr.Conclusion, annotationTitles(cr))
		}
	})

	t.Run("both .yml and .yaml: an error on the .yaml, reviewed with defaults", func(t *testing.T) {
		base := with(baseFiles, map[string]string{cfgPath: "fail_on: high\n", ".github/clerkguard.yaml": "rules:\n  disable: [CLK-RP-003]\n"})
		cr := review(base, with(base, map[string]string{"app/api/invoices/route.ts": unprotected}))
		if !strings.Contains(annotationTitles(cr), "CLK-RP-003") || !strings.Contains(cr.Output.Summary, "keep one of them") {
			t.Errorf("conclusion %q, annotations %s: two configuration files must be reported and the defaults used\n%s", cr.Conclusion, annotationTitles(cr), cr.Output.Summary)
		}
		found := false
		for _, a := range cr.Annotations {
			found = found || a.Path == ".github/clerkguard.yaml"
		}
		if !found {
			t.Error("the configuration error is not annotated on .github/clerkguard.yaml")
		}
	})
	h.assertClean()
}
