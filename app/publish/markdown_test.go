package publish

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// gfm renders Markdown as GitHub does for comments and check runs:
// CommonMark with tables, strikethrough, task lists and autolinks
// (linkify), raw HTML not passed through.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

var (
	hrefRe    = regexp.MustCompile(`<a href="([^"]*)"`)
	codeRe    = regexp.MustCompile(`(?s)<code[^>]*>.*?</code>`)
	tagRe     = regexp.MustCompile(`<[^>]*>`)
	headingRe = regexp.MustCompile(`(?s)<h[1-6][^>]*>(.*?)</h[1-6]>`)
	mentionRe = regexp.MustCompile(`(^|[^A-Za-z0-9_\x60])[@＠][A-Za-z0-9]`)
	ourMarker = regexp.MustCompile(`<!-- clerkguard:v1 [^>]*-->`)
)

// rendered is what GitHub would show for a Markdown document.
type rendered struct {
	html     string
	links    []string
	headings []string
	rawHTML  int    // raw HTML fragments (goldmark omits them)
	prose    string // the visible text outside code spans and blocks
}

func render(t testing.TB, md string) rendered {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	r := rendered{html: b.String()}
	for _, m := range hrefRe.FindAllStringSubmatch(r.html, -1) {
		r.links = append(r.links, html.UnescapeString(m[1]))
	}
	for _, m := range headingRe.FindAllStringSubmatch(r.html, -1) {
		r.headings = append(r.headings, html.UnescapeString(tagRe.ReplaceAllString(m[1], "")))
	}
	r.rawHTML = strings.Count(r.html, "<!-- raw HTML omitted -->")
	r.prose = html.UnescapeString(tagRe.ReplaceAllString(codeRe.ReplaceAllString(r.html, " "), " "))
	return r
}

// inertProblems lists what analysed text achieved in md: a link that is
// not to one of the allowed prefixes, an image, raw HTML other than our
// hidden markers, an @mention, or any of the hostile phrases in prose
// rather than in code.
func inertProblems(t testing.TB, md string, hostile []string, allowedLinks ...string) []string {
	t.Helper()
	r := render(t, md)
	var out []string
	for _, l := range r.links {
		ok := false
		for _, p := range allowedLinks {
			ok = ok || strings.HasPrefix(l, p)
		}
		if !ok {
			out = append(out, "link to "+l)
		}
	}
	if strings.Contains(r.html, "<img") {
		out = append(out, "image")
	}
	if n := len(ourMarker.FindAllString(md, -1)); r.rawHTML > n {
		out = append(out, "raw HTML")
	}
	if m := mentionRe.FindString(r.prose); m != "" {
		out = append(out, "mention "+m)
	}
	for _, h := range hostile {
		if strings.Contains(r.prose, h) {
			out = append(out, "prose says "+h)
		}
	}
	return out
}
