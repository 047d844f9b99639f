package publish

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/report"
)

var (
	codeTextRe = regexp.MustCompile(`(?s)<code>(.*?)</code>`)
	// Our own headings: the checklist items and the list of files not analysed.
	checklistRe = regexp.MustCompile(`^(\d\. |Not analysed \(\d+ file\(s\)\)$)`)
)

const (
	fuzzBlob = "https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567"
	fuzzDocs = "https://github.com/clerkguard/clerkguard/blob/main/docs/"
)

// FuzzPublish feeds analysed text (code a rule quotes with rules.Code,
// raw prose a rule might emit unquoted, a file path, a suggestion) through
// the check run and review publishers and renders the result as GitHub
// does. Oracles: GitHub's size limits hold; the quoted code comes out as
// exactly one intact code span (nothing escapes it); no link except to our
// docs and the reviewed files, no image, no raw HTML but our markers, no
// mention, and no heading but the checklist's.
func FuzzPublish(f *testing.F) {
	f.Add("/admin(`\n\n### ✅ safe to merge @octocat [x](https://evil.example)", "plain words", "app/api/x/route.ts", "fixed()")
	f.Add("``", "@octocat https://evil.example www.evil.example <b>x</b> &#64;a", "a`b @c.ts", "```\nx\n```")
	f.Add(strings.Repeat("`", 70)+" x", "#1 :tada: - 1. > q ![i](u) <!-- c -->", "app/[id]/(x)/page.tsx", "")
	f.Add(" a ", "\n\n- item\n1) two\n    code\n---\n| a | b |\n|---|---|", "lib/x y.ts", "\r\n~~~")
	f.Add(strings.Repeat("x`", 3000), strings.Repeat("@a ", 3000), strings.Repeat("d/", 200)+"f.ts", strings.Repeat("s\n", 4000))
	idx, err := diffindex.Parse([]byte(patch))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code, prose, path, suggestion string) {
		if path == "" {
			path = "a.ts"
		}
		fs := []rules.Finding{finding("CLK-RP-003", rules.High, path, 2, "f1"), finding("CLK-SEC-004", rules.Critical, "a.ts", 2, "f2")}
		for i := range fs {
			fs[i].DocURL = fuzzDocs + "rules/" + fs[i].Rule + ".md"
			fs[i].Message = "route " + rules.Code(code) + " touches data; " + prose
			fs[i].Fix = prose
		}
		fs[1].Suggestion = &rules.Suggestion{StartLine: 2, EndLine: 2, Text: suggestion}
		want := rules.PlainLine(code)
		if want == "" {
			want = " "
		}
		out := BuildOutput(fs, OutputOptions{FailOn: rules.High, MaxAnnotations: 1, BlobURL: fuzzBlob,
			Errors: []rules.RuleError{{Rule: "CLK-RP-003", Path: path, Err: prose}}, Skipped: []rules.SkippedFile{{Path: path, Reason: prose}}})
		for name, md := range map[string]string{"summary": out.Summary, "text": out.Text} {
			if len(md) > report.MaxOutputBytes {
				t.Fatalf("%s of %d bytes exceeds %d", name, len(md), report.MaxOutputBytes)
			}
			checkRendered(t, name, md, want, true, fuzzDocs, fuzzBlob+"/")
		}
		for _, a := range out.Annotations {
			if len(a.GetMessage()) > 64<<10 || len(a.GetRawDetails()) > 64<<10 || len([]rune(a.GetTitle())) > 255 {
				t.Fatalf("annotation over GitHub's limits: message %d, raw details %d, title %d", len(a.GetMessage()), len(a.GetRawDetails()), len(a.GetTitle()))
			}
		}
		p := PlanReview(fs, idx, nil, 25, "0123456789abcdef")
		if len(p.Comments) == 0 {
			t.Fatal("no comments planned")
		}
		for _, c := range p.Comments {
			if len(c.GetBody()) > MaxCommentBytes {
				t.Fatalf("comment of %d bytes exceeds %d", len(c.GetBody()), MaxCommentBytes)
			}
			checkRendered(t, "comment", c.GetBody(), want, false, fuzzDocs)
		}
	})
}

// checkRendered renders md and fails on anything analysed text achieved:
// see FuzzPublish. want is the quoted code's text; a message too long to
// show whole may end inside the span, which then ends with "…".
func checkRendered(t *testing.T, name, md, want string, checklist bool, allowed ...string) {
	t.Helper()
	for _, p := range inertProblems(t, md, nil, allowed...) {
		t.Fatalf("%s: %s\n%s", name, p, md)
	}
	r := render(t, md)
	for _, h := range r.headings {
		if !checklist || !checklistRe.MatchString(h) {
			t.Fatalf("%s: heading %q\n%s", name, h, md)
		}
	}
	for _, m := range codeTextRe.FindAllStringSubmatch(r.html, -1) {
		got := html.UnescapeString(m[1])
		if clipped, ok := strings.CutSuffix(got, "…"); got == want || ok && strings.HasPrefix(want, clipped) {
			return // whole, or cut inside the span where the message was too long
		}
	}
	t.Fatalf("%s: the quoted code %q is not one intact code span\n%s", name, want, md)
}

// TestOutputWithinLimits: findings, rule errors and skipped files whose
// texts are each larger than GitHub accepts still make a check run output
// within its limits (FuzzPublish explores smaller inputs).
func TestOutputWithinLimits(t *testing.T) {
	huge := "reads " + rules.Code(strings.Repeat("x`", 40000)) + strings.Repeat(" @a", 30000)
	var fs []rules.Finding
	var errs []rules.RuleError
	for i := 0; i < 40; i++ {
		f := finding("CLK-RP-003", rules.High, strings.Repeat("d/", 3000)+fmt.Sprint(i)+".ts", 2, fmt.Sprint(i))
		f.Message, f.Fix = huge, huge
		fs = append(fs, f)
		errs = append(errs, rules.RuleError{Rule: "CLK-RP-003", Path: f.Path, Err: huge})
	}
	out := BuildOutput(fs, OutputOptions{FailOn: rules.High, MaxAnnotations: 5, BlobURL: fuzzBlob, Errors: errs,
		Skipped: []rules.SkippedFile{{Path: fs[0].Path, Reason: huge}}})
	for name, s := range map[string]string{"summary": out.Summary, "text": out.Text} {
		if len(s) > report.MaxOutputBytes || !strings.Contains(s, "CLK-RP-003") {
			t.Errorf("%s: %d bytes (limit %d)", name, len(s), report.MaxOutputBytes)
		}
	}
	for _, a := range out.Annotations {
		if len(a.GetMessage()) > 64<<10 || len(a.GetTitle()) > 255 {
			t.Errorf("annotation over the limits: message %d, title %d", len(a.GetMessage()), len(a.GetTitle()))
		}
	}
}

// TestCommentWithinLimit: a finding whose message, fix and suggestion are
// each larger than a comment may be still gets a comment GitHub accepts.
func TestCommentWithinLimit(t *testing.T) {
	idx, err := diffindex.Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	f := finding("CLK-SEC-004", rules.Critical, "a.ts", 2, "fp")
	f.DocURL = fuzzDocs + "rules/CLK-SEC-004.md"
	f.Message = "reads " + rules.Code(strings.Repeat("x`", 40000))
	f.Fix = strings.Repeat("@a ", 30000)
	f.Suggestion = &rules.Suggestion{StartLine: 2, EndLine: 2, Text: strings.Repeat("line\n", 20000)}
	p := PlanReview([]rules.Finding{f}, idx, nil, 25, "abc")
	if len(p.Comments) != 1 {
		t.Fatalf("%d comments", len(p.Comments))
	}
	body := p.Comments[0].GetBody()
	if len(body) > MaxCommentBytes || !strings.Contains(body, Marker(f)) {
		t.Errorf("comment of %d bytes (limit %d), marker kept: %v", len(body), MaxCommentBytes, strings.Contains(body, Marker(f)))
	}
	for _, p := range inertProblems(t, body, nil, fuzzDocs) {
		t.Errorf("clipped comment: %s", p)
	}
}
