package routes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// sampleEndings are the last characters of the values tried for a dynamic
// segment: an id or slug ending in each letter, digit, '-' and '_', so a
// matcher whose exclusion depends on how a path ends is evaluated on every
// ending an id can have.
const sampleEndings = "abcdefghijklmnopqrstuvwxyz0123456789-_"

// maxNamedGaps bounds the entries one finding names.
const maxNamedGaps = 5

// matcherGap is one entry path the app's matcher skips although Clerk's
// documented matchers run on it.
type matcherGap struct {
	path, sample, file string
	line               int
	protected          bool
}

// checkDefaultGaps reports a config.matcher that skips URL paths of the
// app's own pages and route handlers which Clerk's documented matcher of
// every era runs on, when the skip is not the exclusion of a prefix: the
// matcher still runs below the skipped path (a lost escape in the
// static-file exclusion, which skips any path ending in a given letter,
// rather than `(?!api/public)`, which skips the whole subtree). reported
// holds the routes the Clerk-helper check already named.
func checkDefaultGaps(pass *rules.Pass, a *project.NextApp, reported map[string]bool) {
	mw := a.Middleware
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.EntriesFor(pass.Ctx, knowledge.NextJS)
	if err != nil {
		return // no entries: no claim
	}
	inApp := map[string]bool{}
	for _, r := range a.Routes {
		inApp[r.File] = true
	}
	byPath, public := map[string]*model.Entry{}, map[string]bool{}
	for _, e := range es {
		if !e.PathKnown || !inApp[e.File] || reported[e.File] {
			continue
		}
		switch e.Kind {
		case model.RouteHandler, model.Page, model.PagesAPI, model.GetServerSideProps:
		default:
			continue
		}
		if f, ok := byPath[e.Path]; !ok || e.File < f.File || (e.File == f.File && e.Line < f.Line) {
			byPath[e.Path] = e
		}
		if e.Public != "" {
			public[e.Path] = true
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var gaps []matcherGap
	line := 0
	for _, p := range paths {
		q, m := skippedSample(mw, p, public[p])
		if q == "" {
			continue
		}
		e := byPath[p]
		gaps = append(gaps, matcherGap{path: p, sample: q, file: e.File, line: e.Line, protected: a.GateProtects(q)})
		if line == 0 && m != nil {
			line = m.Line
		}
	}
	if len(gaps) == 0 {
		return
	}
	if line == 0 {
		line = mw.MatcherLine
	}
	sev, names, related := rules.Low, make([]string, 0, maxNamedGaps), make([]rules.Location, 0, maxNamedGaps)
	for i, g := range gaps {
		if g.protected {
			sev = rules.Medium
		}
		if i < maxNamedGaps {
			names = append(names, fmt.Sprintf("%s (%s, e.g. %s)", rules.Code(g.path), rules.Code(g.file), rules.Code(g.sample)))
			related = append(related, rules.Location{Path: g.file, Line: max(g.line, 1)})
		}
	}
	if n := len(gaps) - maxNamedGaps; n > 0 {
		names = append(names, fmt.Sprintf("%d more", n))
	}
	what := "Clerk's middleware does not run there, so no middleware protection applies and a call to `auth()` there throws"
	if sev == rules.Medium {
		what = "the middleware's protection of those paths never runs for them, and a call to `auth()` there throws"
	}
	pass.Report(rules.Diagnostic{Path: mw.File, Line: line, Severity: sev, Confidence: rules.MediumConfidence,
		Message: fmt.Sprintf("config.matcher skips paths of the app's own routes that Clerk's documented matcher runs the middleware on, although it still runs below them, so this is not the exclusion of a prefix (an escape lost in copying the static-file exclusion does this): %s; %s",
			strings.Join(names, ", "), what),
		Match:   "matcher skips entry paths",
		Related: related,
	})
}

// skippedSample returns a concrete path of the route path p that the
// middleware's matcher does not run on while every Clerk default matcher
// does, and the matcher entry that still runs one segment below it; ""
// when there is none or an evaluation is unknown. A skip that depends on
// the value of a dynamic segment is never a deliberate exclusion; a static
// path that is public by declaration or convention (public) may be
// excluded on purpose ('(?!about$)'), so it is not sampled.
func skippedSample(mw *project.Middleware, p string, public bool) (string, *project.Matcher) {
	segs := strings.Split(p, "/")
	var candidates []string
	dynamic := false
	for i, s := range segs {
		if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
			continue
		}
		dynamic = true
		for _, v := range append([]string{""}, strings.Split(sampleEndings, "")...) {
			c := append([]string(nil), segs...)
			c[i] = "x" + v
			candidates = append(candidates, project.ProbePath(strings.Join(c, "/"), "x"))
		}
	}
	if !dynamic {
		if public {
			return "", nil
		}
		candidates = []string{p}
	}
	for _, q := range candidates {
		if mw.RunsOn(q) != boundedre.NoMatch {
			continue
		}
		below := strings.TrimSuffix(q, "/") + "/x"
		for _, m := range mw.Matchers {
			if !m.Conditional && m.Pattern.Eval(below) == boundedre.Match {
				if mw.DefaultsRunOn(q) == boundedre.Match {
					return q, m
				}
				break
			}
		}
	}
	return "", nil
}
