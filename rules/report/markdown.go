package report

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/clerkguard/clerkguard/rules"
)

// MaxOutputBytes is GitHub's limit for a check run's output.summary and
// output.text ("Maximum length: 65535 characters"; budgeted in bytes).
const MaxOutputBytes = 65535

// Budget joins blocks until limit bytes would be exceeded, then ends with a
// "... N more" line. The result never exceeds limit.
func Budget(head string, blocks []string, limit int, noun string) string {
	var b strings.Builder
	b.WriteString(head)
	for i, blk := range blocks {
		more := fmt.Sprintf("\n… %d more %s not shown.\n", len(blocks)-i, noun)
		if b.Len()+len(blk)+len(more) > limit {
			if b.Len()+len(more) <= limit {
				b.WriteString(more)
			}
			return b.String()
		}
		b.WriteString(blk)
	}
	return b.String()
}

// MaxEntryText bounds a finding's rendered message and fix in a Markdown
// entry, so one finding cannot crowd the others out of a check run's
// 65,535 bytes.
const MaxEntryText = 4 << 10

// Clip cuts s to at most n bytes at a UTF-8 boundary, ending with "…"
// when it cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// FindingMarkdown renders one finding as a markdown list item. The path
// is a code span and its link stays on blobURL (each path segment is
// escaped); the message and fix go through Inert.
func FindingMarkdown(f rules.Finding, blobURL string) string {
	loc := rules.Code(fmt.Sprintf("%s:%d", f.Path, f.Line))
	if blobURL != "" {
		loc = fmt.Sprintf("[%s](%s#L%d)", loc, FileURL(blobURL, f.Path), f.Line)
	}
	return fmt.Sprintf("- **%s** [%s](%s) %s: %s\n  - Fix: %s\n", strings.ToUpper(f.Severity.String()), f.Rule, f.DocURL, loc,
		InertClip(f.Message, MaxEntryText), InertClip(f.Fix, MaxEntryText))
}

// FileURL is the address of path under blobURL: every segment is
// percent-encoded, so no character of the path can end the link or leave
// blobURL.
func FileURL(blobURL, path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(blobURL, "/") + "/" + strings.Join(segs, "/")
}

// Inert renders a finding's message or fix, or any text that may quote
// analysed code, so that nothing in it acts as Markdown except code spans:
// rules put analysed code in code spans (rules.Code), and Inert keeps each
// span, rebuilt with rules.Code so that it is well-formed. Everything
// outside a span is shown literally: line breaks are folded, the
// punctuation that starts Markdown or HTML inline markup is
// backslash-escaped (and a list or heading marker at the start), and a
// zero-width space follows '@' (no mention), '#' before a letter or digit
// (no issue reference), ':' before a letter, digit or slash (no
// "https://" autolink or :emoji:) and "www" before '.' (no autolink). A
// backtick run without a closing run of the same length is literal text.
func Inert(text string) string { return InertClip(text, math.MaxInt) }

// InertClip is Inert cut to at most limit bytes. It cuts between escapes
// and spans, never inside one: a code span that does not fit whole is
// shown with its content cut, still a code span, so no part of it can be
// read as Markdown. "…" marks the cut.
func InertClip(text string, limit int) string {
	const ell = "…"
	text = strings.Trim(rules.PlainLine(text), " ")
	var b strings.Builder
	fits := func(s string) bool { return b.Len()+len(s)+len(ell) <= limit }
	cut := func() string {
		if b.Len()+len(ell) <= limit {
			b.WriteString(ell)
		}
		return b.String()
	}
	for i := 0; i < len(text); {
		if text[i] != '`' {
			j := strings.IndexByte(text[i:], '`')
			if j < 0 {
				j = len(text) - i
			}
			for _, p := range escapeProse(text[i:i+j], i == 0) {
				if !fits(p) {
					return cut()
				}
				b.WriteString(p)
			}
			i += j
			continue
		}
		n := backticks(text[i:])
		end := closingRun(text, i+n, n)
		if end < 0 {
			lit := strings.Repeat("\\`", n)
			if !fits(lit) {
				return cut()
			}
			b.WriteString(lit)
			i += n
			continue
		}
		content := text[i+n : end]
		if len(content) >= 2 && content[0] == ' ' && content[len(content)-1] == ' ' && strings.Trim(content, " ") != "" {
			content = content[1 : len(content)-1]
		}
		span := rules.Code(content)
		if !fits(span) {
			// The longest cut of the content whose span fits.
			lo, hi := 0, len(content)
			for lo < hi {
				mid := (lo + hi + 1) / 2
				if b.Len()+len(rules.Code(Clip(content, mid))) <= limit {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			if span = rules.Code(Clip(content, lo)); b.Len()+len(span) <= limit && lo > 0 {
				b.WriteString(span)
				return b.String()
			}
			return cut()
		}
		b.WriteString(span)
		i = end + n
	}
	return b.String()
}

// backticks is the length of the backtick run s starts with.
func backticks(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	return n
}

// closingRun finds the next backtick run of exactly n at or after from.
func closingRun(s string, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := backticks(s[i:])
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

const zwsp = "\u200b"

// escapeProse renders s, which holds no backtick, as literal text: one
// piece per rune of s, with its escape or zero-width space, so a cut
// between pieces never splits one. start is set when s begins the text,
// where a line's block markers count.
func escapeProse(s string, start bool) []string {
	pieces := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size > 1 || r >= utf8.RuneSelf {
			pieces = append(pieces, s[i:i+size])
			i += size
			continue
		}
		c := s[i]
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		p := string(c)
		switch {
		case c == '@':
			p = "@" + zwsp
		case c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			p = zwsp + "."
		case strings.IndexByte(markdownPunct, c) >= 0:
			p = "\\" + p
		}
		if (c == '#' && isAlnum(next)) || (c == ':' && (isAlnum(next) || next == '/')) {
			p += zwsp
		}
		pieces = append(pieces, p)
		i++
	}
	if start && len(pieces) > 0 {
		digits := 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			digits++
		}
		switch {
		case digits > 0 && digits < len(s) && (s[digits] == '.' || s[digits] == ')'):
			pieces[digits] = "\\" + pieces[digits] // "1." would start a list
		case strings.IndexByte("-+=", s[0]) >= 0:
			pieces[0] = "\\" + pieces[0]
		}
	}
	return pieces
}

// markdownPunct is the ASCII punctuation that opens or closes inline
// Markdown or HTML (emphasis, links, images, autolinks, raw HTML,
// entities, strikethrough, table cells, headings); a backslash makes each
// literal. Line breaks are folded before, so other block markers can only
// occur at the start.
const markdownPunct = "\\`*_[]<>&~|#!"

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Summary renders the check run summary: counts, then findings grouped by
// the eight items of the hardening checklist, in checklist order, most
// severe first within an item. It fits MaxOutputBytes.
func Summary(head string, fs []rules.Finding, blobURL string) string {
	byItem := map[int][]rules.Finding{}
	for _, f := range fs {
		byItem[f.Checklist] = append(byItem[f.Checklist], f)
	}
	var blocks []string
	for item := 1; item <= 8; item++ {
		list := byItem[item]
		if len(list) == 0 {
			continue
		}
		SortBySeverity(list)
		blocks = append(blocks, fmt.Sprintf("\n### %d. %s (%d)\n\n", item, rules.Checklist[item], len(list)))
		for _, f := range list {
			blocks = append(blocks, FindingMarkdown(f, blobURL))
		}
	}
	return Budget(head, blocks, MaxOutputBytes, "entries")
}

// Counts renders "2 critical, 1 high" for a set of findings.
func Counts(fs []rules.Finding) string {
	n := map[rules.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var keys []rules.Severity
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}
