package model

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// The client boundary: which modules of the snapshot run in the browser
// although nothing in them says so. An Astro component rendered with a
// client:* directive is an island, hydrated in the browser with the
// modules it imports; a non-inline <script> of an .astro file is bundled
// for the browser with the modules it imports
// (https://docs.astro.build/en/reference/directives-reference/#client-directives,
// https://docs.astro.build/en/guides/client-side-scripts/). A 'use client'
// module says so itself; rules read that directive from the file.

var (
	astroIslandRe = regexp.MustCompile(`<([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\b[^>]*\sclient:(?:load|idle|visible|media|only)\b`)
	astroScriptRe = regexp.MustCompile(`(?s)<script\b([^>]*)>(.*?)</script>`)
	jsImportRe    = regexp.MustCompile(`(?m)^\s*import\s+(?:[^'";]+?\s+from\s+)?['"]([^'"]+)['"]`)
)

// ClientModule says why the module at p runs in the browser, when the
// model knows it does from another file: an island an .astro file renders
// with a client:* directive, or a module a <script> of an .astro file
// imports.
//
// A Pages Router page is one too: Next.js bundles it for the browser,
// except the code only its getServerSideProps, getStaticProps and
// getStaticPaths use (BrowserBinding;
// https://nextjs.org/docs/pages/building-your-application/data-fetching/get-server-side-props:
// "imports used in getServerSideProps will not be bundled for the client side").
func (m *Model) ClientModule(ctx context.Context, p string) (string, bool) {
	cm, _ := m.client.get(func() (map[string]string, error) { return m.clientModules(ctx), nil })
	if why, ok := cm[p]; ok {
		return why, true
	}
	if r := m.proj.RouteOf(p); r != nil && r.Kind == project.PagesPage {
		return "a Pages Router page, bundled for the browser", true
	}
	return "", false
}

func (m *Model) clientModules(ctx context.Context) map[string]string {
	out := map[string]string{}
	for _, p := range m.fs.Paths() {
		if ctx.Err() != nil {
			return out
		}
		if source.DetectLang(p) != source.LangAstro || strings.Contains("/"+p, "/node_modules/") {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so the modules it runs in the browser are not known: %v", err)})
			continue
		}
		template := astroTemplate(string(sf.Content))
		mark := func(spec, why string) {
			res, err := m.graph.Resolve(ctx, p, spec)
			if err != nil || res.Kind != modules.File {
				return
			}
			if _, dup := out[res.Path]; !dup {
				out[res.Path] = why
			}
		}
		if islands := astroIslandRe.FindAllStringSubmatchIndex(template.text, -1); len(islands) > 0 {
			f, err := m.parse(ctx, p)
			if err != nil {
				m.notes.add(Note{Where: p, What: err.Error()})
			} else {
				for _, ix := range islands {
					name := template.text[ix[2]:ix[3]]
					root, _, _ := strings.Cut(name, ".")
					if im, ok := f.ImportOf(root); ok {
						line := template.line(ix[0])
						mark(im.Source, fmt.Sprintf("rendered with a client: directive in %s:%d", p, line))
					}
				}
			}
		}
		for _, ix := range astroScriptRe.FindAllStringSubmatchIndex(template.text, -1) {
			attrs, body := template.text[ix[2]:ix[3]], template.text[ix[4]:ix[5]]
			if strings.Contains(attrs, "is:inline") {
				continue // not bundled: its imports are URLs
			}
			line := template.line(ix[0])
			for _, im := range jsImportRe.FindAllStringSubmatch(body, -1) {
				mark(im[1], fmt.Sprintf("imported by a <script> in %s:%d", p, line))
			}
		}
	}
	return out
}

// astroText is the template of an .astro file (what follows the
// frontmatter) and where it starts.
type astroText struct {
	text      string
	startLine int
}

func (t astroText) line(off int) int { return t.startLine + strings.Count(t.text[:off], "\n") }

func astroTemplate(s string) astroText {
	trim := strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(trim, "---") {
		return astroText{text: s, startLine: 1}
	}
	start := len(s) - len(trim) + 3
	end := strings.Index(s[start:], "\n---")
	if end < 0 {
		return astroText{text: s, startLine: 1}
	}
	off := start + end + 4
	return astroText{text: s[off:], startLine: 1 + strings.Count(s[:off], "\n")}
}
