package publish

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/report"
)

func finding(rule string, sev rules.Severity, path string, line int, fp string) rules.Finding {
	return rules.Finding{Rule: rule, Name: "n", Pack: "routes", Severity: sev, Confidence: rules.HighConfidence, Checklist: 1,
		Path: path, Line: line, EndLine: line, Column: 1, Message: "m", Fix: "f", Fingerprint: fp, InDiff: true, DocURL: "https://x"}
}

func TestConclusions(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   []rules.Finding
		want string
	}{
		{"none", nil, Success},
		{"below fail_on", []rules.Finding{finding("CLK-HARD-002", rules.Low, "a.ts", 1, "1")}, Neutral},
		{"at fail_on", []rules.Finding{finding("CLK-RP-003", rules.High, "a.ts", 1, "1")}, Failure},
		{"outside diff only", []rules.Finding{func() rules.Finding {
			f := finding("CLK-RP-003", rules.Critical, "a.ts", 1, "1")
			f.InDiff = false
			return f
		}()}, Success},
	} {
		if got := BuildOutput(tc.fs, OutputOptions{FailOn: rules.High}).Conclusion; got != tc.want {
			t.Errorf("%s: conclusion %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := BuildOutput(nil, OutputOptions{FailOn: rules.High, Partial: "too big"}); got.Conclusion != Failure || !strings.Contains(got.Summary, "too big") {
		t.Errorf("partial review: %+v", got)
	}
}

func TestAnnotationCapAndBudget(t *testing.T) {
	var fs []rules.Finding
	for i := 0; i < 5000; i++ {
		f := finding("CLK-RP-003", rules.Severity(1+i%5), fmt.Sprintf("src/file%04d.ts", i), i+1, fmt.Sprint(i))
		f.Message = strings.Repeat("long message ", 20)
		fs = append(fs, f)
	}
	out := BuildOutput(fs, OutputOptions{FailOn: rules.High, MaxAnnotations: 200})
	if len(out.Annotations) != 200 {
		t.Fatalf("%d annotations, want the cap 200", len(out.Annotations))
	}
	if out.Annotations[0].GetAnnotationLevel() != "failure" || out.Annotations[199].GetAnnotationLevel() == "notice" && out.Annotations[0].GetAnnotationLevel() == "notice" {
		t.Error("annotations are not sorted most severe first")
	}
	for _, s := range []string{out.Summary, out.Text} {
		if len(s) > report.MaxOutputBytes {
			t.Errorf("output of %d bytes exceeds %d", len(s), report.MaxOutputBytes)
		}
	}
	if !strings.Contains(out.Summary, "more entries not shown") || !strings.Contains(out.Text, "more findings not shown") {
		t.Error("truncated output has no '… N more' line")
	}
	bs := Batches(out.Annotations)
	if len(bs) != 4 || len(bs[0]) != 50 || len(bs[3]) != 50 {
		t.Errorf("batches %d", len(bs))
	}
}

func TestFence(t *testing.T) {
	for in, want := range map[string]string{"a": "```", "x ``` y": "````", "````` z": "``````"} {
		if got := Fence(in); got != want {
			t.Errorf("Fence(%q) = %q, want %q", in, got, want)
		}
	}
}

const patch = `diff --git a/a.ts b/a.ts
--- a/a.ts
+++ b/a.ts
@@ -1,3 +1,4 @@
 line1
+added2
 line3
 line4
`

func TestPlanReview(t *testing.T) {
	idx, err := diffindex.Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	onLine := finding("CLK-SEC-004", rules.Critical, "a.ts", 2, "fp1")
	onLine.Suggestion = &rules.Suggestion{StartLine: 2, EndLine: 2, Text: "fixed2"}
	outsideHunk := finding("CLK-RP-003", rules.High, "a.ts", 40, "fp2")
	outsideHunk.InDiff = true // caused elsewhere, no commentable line here
	already := finding("CLK-RP-004", rules.High, "a.ts", 3, "fp3")
	otherFile := finding("CLK-RP-004", rules.High, "b.ts", 1, "fp4")
	existing := []Existing{
		{ID: 10, Ours: true, Fingerprint: "fp3", Rule: "CLK-RP-004"},
		{ID: 11, Ours: true, Fingerprint: "gone", Rule: "CLK-RP-003"},
		{ID: 12, Ours: true, Fingerprint: "gone2", Rule: "CLK-RP-003"},
		{ID: 13, Ours: true, InReplyTo: 12, Body: FixedReply("abc") /* already told */},
		{ID: 14, InReplyTo: 11, Body: "a human reply"},
	}
	p := PlanReview([]rules.Finding{onLine, outsideHunk, already, otherFile}, idx, existing, 25, "0123456789")
	if len(p.Comments) != 1 || p.Comments[0].GetLine() != 2 || p.Comments[0].GetSide() != "RIGHT" {
		t.Fatalf("comments = %+v, want one on a.ts:2", p.Comments)
	}
	body := p.Comments[0].GetBody()
	if !strings.Contains(body, "```suggestion\nfixed2\n```") || !strings.Contains(body, "fp=fp1") {
		t.Errorf("comment body:\n%s", body)
	}
	if len(p.Overflow) != 2 {
		t.Errorf("overflow = %d, want the two findings without a commentable line", len(p.Overflow))
	}
	if len(p.Fixed) != 1 || p.Fixed[0].ID != 11 {
		t.Errorf("fixed = %+v, want only comment 11 (12 already has a fixed reply)", p.Fixed)
	}
	// The cap.
	var many []rules.Finding
	for i := 0; i < 10; i++ {
		many = append(many, finding("CLK-SEC-004", rules.High, "a.ts", 2, fmt.Sprint("m", i)))
	}
	if p := PlanReview(many, idx, nil, 3, "x"); len(p.Comments) != 3 || len(p.Overflow) != 7 {
		t.Errorf("cap: %d comments, %d overflow", len(p.Comments), len(p.Overflow))
	}
}

// TestPartialReviewNeverPasses: a review that skipped files or hit a rule
// error concludes the configured partial conclusion (failure by default),
// never success or a silent neutral; blocking findings still win.
func TestPartialReviewNeverPasses(t *testing.T) {
	skipped := []rules.SkippedFile{{Path: "app/api/x/route.ts", Reason: "symlink target is outside the repository"}}
	low := []rules.Finding{finding("CLK-HARD-002", rules.Low, "a.ts", 1, "1")}
	high := []rules.Finding{finding("CLK-RP-003", rules.High, "a.ts", 1, "1")}
	for _, tc := range []struct {
		name   string
		fs     []rules.Finding
		opts   OutputOptions
		want   string
		titled string
	}{
		{"skipped, no findings", nil, OutputOptions{Skipped: skipped}, Failure, "Partial review: 1 file(s) not analysed"},
		{"skipped, low finding", low, OutputOptions{Skipped: skipped}, Failure, "Partial review"},
		{"rule error", nil, OutputOptions{Errors: []rules.RuleError{{Rule: "CLK-RP-003", Path: "a.ts", Err: "panic"}}}, Failure, "Partial review"},
		{"policy neutral", nil, OutputOptions{Skipped: skipped, PartialConclusion: Neutral}, Neutral, "Partial review"},
		{"policy action_required", nil, OutputOptions{Skipped: skipped, PartialConclusion: ActionRequired}, ActionRequired, "Partial review"},
		{"policy success is refused", nil, OutputOptions{Skipped: skipped, PartialConclusion: Success}, Failure, "Partial review"},
		{"blocking finding wins", high, OutputOptions{Skipped: skipped, PartialConclusion: Neutral}, Failure, "1 finding(s) at or above high; partial review"},
	} {
		tc.opts.FailOn = rules.High
		out := BuildOutput(tc.fs, tc.opts)
		if out.Conclusion != tc.want || !strings.HasPrefix(out.Title, tc.titled) {
			t.Errorf("%s: %q %q, want %q %q", tc.name, out.Conclusion, out.Title, tc.want, tc.titled)
		}
		if !strings.Contains(out.Summary, "**Partial review.**") {
			t.Errorf("%s: summary does not say the review is partial", tc.name)
		}
	}
	out := BuildOutput(nil, OutputOptions{FailOn: rules.High, Skipped: skipped})
	if !strings.Contains(out.Summary, "symlink target is outside the repository (1 file(s)):\n\n- `app/api/x/route.ts`") {
		t.Errorf("skipped file not named with its reason:\n%s", out.Summary)
	}
}

// TestSkippedListWithinLimits: thousands of skipped files, with hostile
// paths, fit GitHub's 65,535-byte summary and text; the rare reasons come
// first; no path breaks out of its list line.
func TestSkippedListWithinLimits(t *testing.T) {
	var skipped []rules.SkippedFile
	for i := 0; i < 5000; i++ {
		skipped = append(skipped, rules.SkippedFile{Path: fmt.Sprintf("pad/%05d-%s.ts", i, strings.Repeat("x", 40)), Reason: "not analysed: the review budget (1000 files / 32 MiB) went to higher-priority files"})
	}
	skipped = append(skipped, rules.SkippedFile{Path: "zz/evil`\n# Looks clean\n.ts", Reason: "larger than 2097152 bytes"})
	var fs []rules.Finding
	for i := 0; i < 1500; i++ {
		fs = append(fs, finding("CLK-RP-003", rules.High, fmt.Sprintf("r%04d.ts", i), 1, fmt.Sprint(i)))
	}
	out := BuildOutput(fs, OutputOptions{FailOn: rules.High, MaxAnnotations: 200, Skipped: skipped})
	if len(out.Summary) > report.MaxOutputBytes || len(out.Text) > report.MaxOutputBytes {
		t.Fatalf("summary %d / text %d bytes", len(out.Summary), len(out.Text))
	}
	i, j := strings.Index(out.Summary, "larger than 2097152 bytes (1 file(s))"), strings.Index(out.Summary, "went to higher-priority files (5000 file(s))")
	if i < 0 || j < 0 || i > j {
		t.Errorf("the rare reason is not listed first (%d, %d)", i, j)
	}
	if !strings.Contains(out.Summary, "- `zz/evil??# Looks clean?.ts`") || strings.Contains(out.Summary, "\n# Looks clean") {
		t.Error("a path with a backtick and newlines broke out of its list line")
	}
	if !strings.Contains(out.Summary, "more file(s) not shown") || !strings.Contains(out.Text, "## Not analysed (5001 file(s))") ||
		!strings.Contains(out.Text, "more findings not shown") {
		t.Errorf("long lists are not continued in the text:\n%.500s", out.Text)
	}
}

// FuzzBuildOutput: whatever the skipped paths, reasons and rule errors,
// the summary and text stay within GitHub's limits and a partial review
// never succeeds.
func FuzzBuildOutput(f *testing.F) {
	f.Add("app/api/x/route.ts", "larger than 2097152 bytes", "CLK-RP-003", "boom", 3, 1)
	f.Add("a`b\nc"+strings.Repeat("p", 60), strings.Repeat("r", 400), "", "", 1500, 0)
	f.Add("\x00\xff", "", "CLK-SEC-001", strings.Repeat("e\n", 100), 1, 50)
	f.Fuzz(func(t *testing.T, p, reason, rule, errText string, n, nErr int) {
		if n < 0 || n > 1500 || nErr < 0 || nErr > 100 {
			return
		}
		var skipped []rules.SkippedFile
		for i := 0; i < n; i++ {
			skipped = append(skipped, rules.SkippedFile{Path: fmt.Sprintf("%s/%d", p, i), Reason: reason + strings.Repeat("!", i%3)})
		}
		var errs []rules.RuleError
		for i := 0; i < nErr; i++ {
			errs = append(errs, rules.RuleError{Rule: rule, Path: p, Err: errText})
		}
		out := BuildOutput(nil, OutputOptions{FailOn: rules.High, Skipped: skipped, Errors: errs, Partial: reason})
		if len(out.Summary) > report.MaxOutputBytes || len(out.Text) > report.MaxOutputBytes {
			t.Fatalf("summary %d / text %d bytes", len(out.Summary), len(out.Text))
		}
		if (n > 0 || nErr > 0 || reason != "") && out.Conclusion == Success {
			t.Fatal("a partial review succeeded")
		}
	})
}

// TestOnlyOurMarkersCount: markers in comments by anyone but the App's
// bot user are ignored, both fingerprints and "fixed" replies.
func TestOnlyOurMarkersCount(t *testing.T) {
	const bot = "clerkguard[bot]"
	f := finding("CLK-SEC-004", rules.Critical, "a.ts", 2, "fp1")
	marker := Marker(f)
	user := func(login, typ string) *github.User {
		return &github.User{Login: github.String(login), Type: github.String(typ)}
	}
	cs := []*github.PullRequestComment{
		{ID: github.Int64(1), Body: github.String("fine " + marker), User: user("mallory", "User")},
		{ID: github.Int64(2), Body: github.String(marker), User: user(bot, "User")},         // not a bot account
		{ID: github.Int64(3), Body: github.String(marker), User: user("clerkguard", "Bot")}, // another login
		{ID: github.Int64(4), Body: github.String(Marker(finding("CLK-RP-003", rules.High, "a.ts", 9, "ab12"))), User: user(bot, "Bot")},
		{ID: github.Int64(5), InReplyTo: github.Int64(4), Body: github.String(FixedReply("abc")), User: user("mallory", "User")},
	}
	ex := ParseExisting(cs, bot)
	for _, e := range ex[:3] {
		if e.Ours || e.Fingerprint != "" {
			t.Errorf("comment %d counted as ours: %+v", e.ID, e)
		}
	}
	if !ex[3].Ours || ex[3].Fingerprint != "ab12" {
		t.Errorf("the bot's own comment: %+v", ex[3])
	}
	idx, err := diffindex.Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	p := PlanReview([]rules.Finding{f}, idx, ex, 25, "0123456789")
	if len(p.Comments) != 1 {
		t.Errorf("%d comments, want 1: planted markers suppressed the finding", len(p.Comments))
	}
	if len(p.Fixed) != 1 || p.Fixed[0].ID != 4 {
		t.Errorf("fixed = %+v, want comment 4: a human's copy of the fixed marker is not our reply", p.Fixed)
	}
	if ParseExisting(cs, "")[3].Ours {
		t.Error("an unknown bot login matched")
	}
}
