package publish

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/report"
)

// Marker hides a finding's identity in a review comment, so later runs
// never repeat it and can tell when it is fixed.
func Marker(f rules.Finding) string {
	return fmt.Sprintf("<!-- clerkguard:v1 fp=%s rule=%s -->", f.Fingerprint, f.Rule)
}

// FixedMarker marks our "fixed" reply to a thread.
const FixedMarker = "<!-- clerkguard:v1 fixed -->"

var markerRe = regexp.MustCompile(`<!-- clerkguard:v1 fp=([0-9a-f]+) rule=(CLK-[A-Z]+-\d{3}) -->`)

// Existing is a review comment already on the pull request.
type Existing struct {
	ID        int64
	InReplyTo int64
	Path      string
	Body      string
	// Ours is set for comments authored by the App's bot user. Markers
	// count only there: fingerprints are public, and anyone can paste a
	// marker into a comment of their own.
	Ours        bool
	Fingerprint string // from our marker in our comment; "" otherwise
	Rule        string
}

// ParseExisting reads our markers out of review comments. bot is the App's
// bot login ("<slug>[bot]"); comments by anyone else never carry a marker
// that counts.
func ParseExisting(cs []*github.PullRequestComment, bot string) []Existing {
	var out []Existing
	for _, c := range cs {
		e := Existing{ID: c.GetID(), InReplyTo: c.GetInReplyTo(), Path: c.GetPath(), Body: c.GetBody(), Ours: IsBot(c.GetUser(), bot)}
		if m := markerRe.FindStringSubmatch(e.Body); m != nil && e.Ours {
			e.Fingerprint, e.Rule = m[1], m[2]
		}
		out = append(out, e)
	}
	return out
}

// IsBot reports whether u is the App's bot user: login "<slug>[bot]" and
// type Bot. Users cannot register logins with brackets, and slugs are
// unique, so no one else matches.
func IsBot(u *github.User, bot string) bool {
	return bot != "" && u.GetLogin() == bot && u.GetType() == "Bot"
}

// Plan is what one run posts to the pull request.
type Plan struct {
	Comments []*github.DraftReviewComment
	// Fixed are our earlier comments whose finding is gone and which have
	// no "fixed" reply yet.
	Fixed []Existing
	// Overflow are in-diff findings that got no inline comment (cap or no
	// commentable line); the check run lists them.
	Overflow []rules.Finding
	Body     string
}

// PlanReview decides the inline comments for in-diff findings: only on
// lines the diff makes commentable, never for a fingerprint already
// commented, at most max, with suggestion blocks where the fix is
// mechanical.
func PlanReview(fs []rules.Finding, idx *diffindex.Index, existing []Existing, max int, headSHA string) Plan {
	commented := map[string]bool{}
	fixedReplied := map[int64]bool{}
	for _, e := range existing {
		if e.Fingerprint != "" && e.InReplyTo == 0 {
			commented[e.Fingerprint] = true
		}
		if e.Ours && e.InReplyTo != 0 && strings.Contains(e.Body, FixedMarker) {
			fixedReplied[e.InReplyTo] = true
		}
	}
	current := map[string]bool{}
	var p Plan
	in := make([]rules.Finding, 0, len(fs))
	for _, f := range fs {
		current[f.Fingerprint] = true
		if f.InDiff {
			in = append(in, f)
		}
	}
	report.SortBySeverity(in)
	perLine := map[string]int{}
	for _, f := range in {
		if line, ok := anchor(f, idx); ok {
			perLine[fmt.Sprintf("%s:%d", f.Path, line)]++
		}
	}
	for _, f := range in {
		if commented[f.Fingerprint] {
			continue
		}
		line, ok := anchor(f, idx)
		if !ok || len(p.Comments) >= max {
			p.Overflow = append(p.Overflow, f)
			continue
		}
		key := fmt.Sprintf("%s:%d", f.Path, line)
		c := &github.DraftReviewComment{Path: github.String(f.Path), Line: github.Int(line), Side: github.String("RIGHT"),
			Body: github.String(commentBody(f, idx, line, perLine[key] == 1))}
		if s := f.Suggestion; s != nil && perLine[key] == 1 && s.StartLine < s.EndLine && s.EndLine == line && sameHunk(idx, f.Path, s.StartLine, s.EndLine) {
			c.StartLine, c.StartSide = github.Int(s.StartLine), github.String("RIGHT")
		}
		p.Comments = append(p.Comments, c)
	}
	for _, e := range existing {
		if e.Fingerprint != "" && e.InReplyTo == 0 && !current[e.Fingerprint] && !fixedReplied[e.ID] {
			p.Fixed = append(p.Fixed, e)
		}
	}
	if len(p.Comments) > 0 {
		p.Body = fmt.Sprintf("clerkguard found %d new Clerk security finding(s) in this change at `%s`. See the **%s** check for the full summary.", len(p.Comments), short(headSHA), CheckName)
		if len(p.Overflow) > 0 {
			p.Body += fmt.Sprintf(" %d more finding(s) are listed there only.", len(p.Overflow))
		}
		p.Body += fmt.Sprintf("\n\n<!-- clerkguard:v1 review sha=%s -->", headSHA)
	}
	return p
}

// anchor picks the commentable line for a finding: its own line, or the
// first changed commentable line in its span.
func anchor(f rules.Finding, idx *diffindex.Index) (int, bool) {
	if idx.Commentable(f.Path, f.Line) {
		return f.Line, true
	}
	end := f.EndLine
	if end < f.Line {
		end = f.Line
	}
	for l := f.Line; l <= end; l++ {
		if idx.Commentable(f.Path, l) && idx.Changed(f.Path, l, l) {
			return l, true
		}
	}
	return 0, false
}

// sameHunk reports whether every line of [from, to] is commentable, which
// for consecutive right-side lines means one hunk.
func sameHunk(idx *diffindex.Index, path string, from, to int) bool {
	for l := from; l <= to; l++ {
		if !idx.Commentable(path, l) {
			return false
		}
	}
	return true
}

// MaxCommentBytes is GitHub's limit for a comment body (65,536
// characters), budgeted in bytes.
const MaxCommentBytes = 65536

// maxCommentText bounds a comment's rendered message and fix each, so
// that both with the header and marker stay within MaxCommentBytes.
const maxCommentText = 16 << 10

// commentBody renders a finding's inline comment within MaxCommentBytes:
// message and fix are cut between escapes and spans (report.InertClip),
// and a suggestion that does not fit as well is left out.
func commentBody(f rules.Finding, idx *diffindex.Index, line int, suggest bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** · [%s %s](%s) · checklist #%d\n\n%s\n\n**Fix:** %s\n", strings.ToUpper(f.Severity.String()), f.Rule, f.Name, f.DocURL, f.Checklist,
		report.InertClip(f.Message, maxCommentText), report.InertClip(f.Fix, maxCommentText))
	marker := "\n" + Marker(f)
	if s := f.Suggestion; suggest && s != nil && s.EndLine == line && (s.StartLine == s.EndLine || sameHunk(idx, f.Path, s.StartLine, s.EndLine)) {
		fence := Fence(s.Text)
		block := fmt.Sprintf("\n%ssuggestion\n%s\n%s\n", fence, s.Text, fence)
		if b.Len()+len(block)+len(marker) <= MaxCommentBytes {
			b.WriteString(block)
		}
	}
	b.WriteString(marker)
	return b.String()
}

// Fence returns a backtick fence longer than any backtick run in text.
func Fence(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	n := 3
	if longest >= n {
		n = longest + 1
	}
	return strings.Repeat("`", n)
}

// FixedReply is the reply posted under a thread whose finding is gone.
func FixedReply(headSHA string) string {
	return fmt.Sprintf("✅ Fixed in `%s`: clerkguard no longer reports this finding.\n\n%s", short(headSHA), FixedMarker)
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
