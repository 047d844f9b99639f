package project

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/boundedre"
)

// This file compiles path patterns the way Next.js and Clerk do: both use
// path-to-regexp 6.x (Next.js for config.matcher, Clerk for
// createRouteMatcher and authMiddleware's publicRoutes/ignoredRoutes). The
// result is an ECMAScript regular expression, compiled and matched by the
// model's boundedre.Set: linear time where the syntax allows, otherwise
// bounded per match and per review, and "unknown" rather than a guess when
// a pattern cannot be evaluated.

type ptrTokenKind int

const (
	tokChar ptrTokenKind = iota
	tokEscaped
	tokModifier
	tokName
	tokPattern
	tokOpen
	tokClose
	tokEnd
)

type ptrToken struct {
	kind  ptrTokenKind
	value string
}

// ptrLex is path-to-regexp 6's lexer.
func ptrLex(s string) ([]ptrToken, error) {
	var out []ptrToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '*' || c == '+' || c == '?':
			out = append(out, ptrToken{tokModifier, string(c)})
			i++
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("trailing backslash at %d", i)
			}
			out = append(out, ptrToken{tokEscaped, s[i+1 : i+2]})
			i += 2
		case c == '{':
			out = append(out, ptrToken{tokOpen, "{"})
			i++
		case c == '}':
			out = append(out, ptrToken{tokClose, "}"})
			i++
		case c == ':':
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= '0' && s[j] <= '9' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("missing parameter name at %d", i)
			}
			out = append(out, ptrToken{tokName, s[i+1 : j]})
			i = j
		case c == '(':
			count, j := 1, i+1
			var pat strings.Builder
			if j < len(s) && s[j] == '?' {
				return nil, fmt.Errorf("pattern cannot start with \"?\" at %d", j)
			}
			for j < len(s) {
				if s[j] == '\\' && j+1 < len(s) {
					pat.WriteString(s[j : j+2])
					j += 2
					continue
				}
				if s[j] == ')' {
					count--
					if count == 0 {
						j++
						break
					}
				} else if s[j] == '(' {
					count++
					if j+1 >= len(s) || s[j+1] != '?' {
						return nil, fmt.Errorf("capturing groups are not allowed at %d", j)
					}
				}
				pat.WriteByte(s[j])
				j++
			}
			if count != 0 {
				return nil, fmt.Errorf("unbalanced pattern at %d", i)
			}
			if pat.Len() == 0 {
				return nil, fmt.Errorf("missing pattern at %d", i)
			}
			out = append(out, ptrToken{tokPattern, pat.String()})
			i = j
		default:
			out = append(out, ptrToken{tokChar, string(c)})
			i++
		}
	}
	return append(out, ptrToken{tokEnd, ""}), nil
}

// ptrKey is one parameter of a parsed path.
type ptrKey struct {
	prefix, suffix, pattern, modifier string
	literal                           string // set for a plain text token
}

const ptrDefaultDelimiter = "/#?"

// ptrParse is path-to-regexp 6's parse with the default options.
func ptrParse(s string) ([]ptrKey, error) {
	toks, err := ptrLex(s)
	if err != nil {
		return nil, err
	}
	defaultPattern := "[^" + ptrEscape(ptrDefaultDelimiter) + "]+?"
	var out []ptrKey
	i := 0
	try := func(k ptrTokenKind) (string, bool) {
		if i < len(toks) && toks[i].kind == k {
			i++
			return toks[i-1].value, true
		}
		return "", false
	}
	consumeText := func() string {
		var b strings.Builder
		for {
			if v, ok := try(tokChar); ok {
				b.WriteString(v)
				continue
			}
			if v, ok := try(tokEscaped); ok {
				b.WriteString(v)
				continue
			}
			return b.String()
		}
	}
	path := ""
	for i < len(toks) {
		char, hasChar := try(tokChar)
		_, hasName := try(tokName)
		pattern, hasPattern := try(tokPattern)
		if hasName || hasPattern {
			prefix := char
			if !strings.Contains("./", prefix) || prefix == "" {
				path += prefix
				prefix = ""
			}
			if path != "" {
				out = append(out, ptrKey{literal: path})
				path = ""
			}
			if !hasPattern {
				pattern = defaultPattern
			}
			mod, _ := try(tokModifier)
			out = append(out, ptrKey{prefix: prefix, pattern: pattern, modifier: mod})
			continue
		}
		if hasChar {
			path += char
			continue
		}
		if v, ok := try(tokEscaped); ok {
			path += v
			continue
		}
		if path != "" {
			out = append(out, ptrKey{literal: path})
			path = ""
		}
		if _, ok := try(tokOpen); ok {
			prefix := consumeText()
			_, hasName := try(tokName)
			pattern, _ := try(tokPattern)
			suffix := consumeText()
			if _, ok := try(tokClose); !ok {
				return nil, fmt.Errorf("expected \"}\" in %q", s)
			}
			if hasName && pattern == "" {
				pattern = defaultPattern
			}
			mod, _ := try(tokModifier)
			out = append(out, ptrKey{prefix: prefix, suffix: suffix, pattern: pattern, modifier: mod})
			continue
		}
		if _, ok := try(tokEnd); !ok {
			return nil, fmt.Errorf("unexpected %q in %q", toks[i].value, s)
		}
	}
	return out, nil
}

func ptrEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`.+*?=^!:${}()[]|/\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ptrRegexp is path-to-regexp 6's tokensToRegexp with the default options
// (start, end, not strict): the source of the regular expression.
func ptrRegexp(keys []ptrKey) string {
	var b strings.Builder
	b.WriteString("^")
	for _, k := range keys {
		if k.pattern == "" && k.literal != "" {
			b.WriteString(ptrEscape(k.literal))
			continue
		}
		prefix, suffix := ptrEscape(k.prefix), ptrEscape(k.suffix)
		switch {
		case k.pattern == "":
			fmt.Fprintf(&b, "(?:%s%s)%s", prefix, suffix, k.modifier)
		case prefix != "" || suffix != "":
			if k.modifier == "+" || k.modifier == "*" {
				mod := ""
				if k.modifier == "*" {
					mod = "?"
				}
				fmt.Fprintf(&b, "(?:%s((?:%s)(?:%s%s(?:%s))*)%s)%s", prefix, k.pattern, suffix, prefix, k.pattern, suffix, mod)
			} else {
				fmt.Fprintf(&b, "(?:%s(%s)%s)%s", prefix, k.pattern, suffix, k.modifier)
			}
		default:
			if k.modifier == "+" || k.modifier == "*" {
				fmt.Fprintf(&b, "((?:%s)%s)", k.pattern, k.modifier)
			} else {
				fmt.Fprintf(&b, "(%s)%s", k.pattern, k.modifier)
			}
		}
	}
	b.WriteString("[" + ptrEscape(ptrDefaultDelimiter) + "]?$")
	return b.String()
}

// PathPattern is a compiled path-to-regexp pattern or RegExp literal.
type PathPattern struct {
	Source string // the pattern as written
	File   string // the file it is written in
	Line   int
	// Err is set when the pattern does not compile: Next.js fails the
	// build on such a matcher, Clerk throws at startup.
	Err error
	re  *boundedre.Regexp
	// everyPath is set for a route pattern that matches every URL path
	// ('/(.*)', '(.*)'): see MatchesEveryPath.
	everyPath bool
	// joined are the paths of a route pattern written as one string
	// holding several ('/a, /b(.*)'): see JoinedPaths.
	joined []string
}

// JoinedPaths returns the paths a createRouteMatcher string pattern holds
// when it is several paths joined by commas in one string ('/perfil,
// /api(.*)', a missing pair of quotes): path-to-regexp reads the comma as
// a literal, so the pattern matches only a URL path containing ", /" and
// none of the paths it names. nil for a pattern naming one path; commas
// inside a group ('/(\d{1,3})', '/x{/a,b}') do not split it.
func (p *PathPattern) JoinedPaths() []string {
	if p == nil {
		return nil
	}
	return p.joined
}

// joinedPaths splits source at the commas outside groups and escapes,
// returning the parts when there are several and each is a path (starts
// with '/').
func joinedPaths(source string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(source); i++ {
		switch source[i] {
		case '\\':
			i++
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(source[start:i]))
				start = i + 1
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	parts = append(parts, strings.TrimSpace(source[start:]))
	for _, s := range parts {
		if !strings.HasPrefix(s, "/") {
			return nil
		}
	}
	return parts
}

// MatchesEveryPath reports whether the pattern matches every URL path a
// request can have: a createRouteMatcher pattern made of one group whose
// pattern is `.*`, optionally after the leading '/' (`/(.*)`, `(.*)`).
// Every pathname starts with '/', so no crafted path escapes it. Named
// parameters (`/:path*`) do not count: their default pattern stops at
// empty segments.
func (p *PathPattern) MatchesEveryPath() bool { return p != nil && p.Err == nil && p.everyPath }

// catchAll reports whether parsed keys are the one `.*` group of
// MatchesEveryPath.
func catchAll(keys []ptrKey) bool {
	if len(keys) != 1 {
		return false
	}
	k := keys[0]
	return k.literal == "" && k.pattern == ".*" && k.suffix == "" &&
		(k.prefix == "" || k.prefix == "/") && (k.modifier == "" || k.modifier == "?" || k.modifier == "*")
}

// Eval matches a URL path: Match, NoMatch, or Unknown when the pattern
// could not be evaluated (too slow, too large). An invalid pattern matches
// nothing.
func (p *PathPattern) Eval(urlPath string) boundedre.Verdict {
	if p == nil || p.Err != nil {
		return boundedre.NoMatch
	}
	return p.re.Match(urlPath)
}

// Match reports whether the pattern certainly matches a URL path: false
// when it does not, and when it could not be evaluated. Use Eval where
// "does not match" would lead to a finding.
func (p *PathPattern) Match(urlPath string) bool { return p.Eval(urlPath) == boundedre.Match }

// Regexp returns the ECMAScript source of the compiled pattern.
func (p *PathPattern) Regexp() string {
	if p == nil || p.re == nil {
		return ""
	}
	return p.re.String()
}

func compileECMA(set *boundedre.Set, src string, ignoreCase bool, file string, line int) (*boundedre.Regexp, error) {
	return set.Compile(src, ignoreCase, file+":"+strconv.Itoa(line))
}

// CompileNextMatcher compiles a config.matcher source as Next.js does: the
// source is wrapped to also match `/_next/data/<build>/...` data requests
// and a `.json` suffix (or `/index` for the root), then compiled with
// path-to-regexp and matched case-sensitively against the pathname. The
// locale and basePath prefixes are not modelled.
func CompileNextMatcher(set *boundedre.Set, file, source string, line int) *PathPattern {
	p := &PathPattern{Source: source, File: file, Line: line}
	if !strings.HasPrefix(source, "/") {
		p.Err = fmt.Errorf("matcher %q must start with /", source)
		return p
	}
	wrapped := "/:nextData(_next/data/[^/]{1,})?" + source
	if source == "/" {
		wrapped += `(/?index|/?index\.json)?`
	} else {
		wrapped += `{(\.json)}?`
	}
	keys, err := ptrParse(wrapped)
	if err != nil {
		p.Err = fmt.Errorf("matcher %q: %w", source, err)
		return p
	}
	re, err := compileECMA(set, ptrRegexp(keys), false, file, line)
	if err != nil {
		p.Err = fmt.Errorf("matcher %q: %w", source, err)
		return p
	}
	p.re = re
	return p
}

// CompileRoutePattern compiles a createRouteMatcher / publicRoutes string
// pattern as Clerk does: path-to-regexp 6 with its defaults, which is case
// insensitive and allows one trailing delimiter. `/dashboard(.*)` therefore
// also matches `/dashboardxyz`.
func CompileRoutePattern(set *boundedre.Set, file, source string, line int) *PathPattern {
	p := &PathPattern{Source: source, File: file, Line: line, joined: joinedPaths(source)}
	keys, err := ptrParse(source)
	if err != nil {
		p.Err = fmt.Errorf("route pattern %q: %w", source, err)
		return p
	}
	re, err := compileECMA(set, ptrRegexp(keys), true, file, line)
	if err != nil {
		p.Err = fmt.Errorf("route pattern %q: %w", source, err)
		return p
	}
	p.re = re
	p.everyPath = catchAll(keys)
	return p
}

// CompileRegExpLiteral compiles a JavaScript RegExp literal (`/^\/api/i`)
// used as a route pattern.
func CompileRegExpLiteral(set *boundedre.Set, file, literal string, line int) *PathPattern {
	p := &PathPattern{Source: literal, File: file, Line: line}
	end := strings.LastIndexByte(literal, '/')
	if !strings.HasPrefix(literal, "/") || end <= 0 {
		p.Err = fmt.Errorf("not a regular expression literal: %q", literal)
		return p
	}
	body, flags := literal[1:end], literal[end+1:]
	re, err := compileECMA(set, body, strings.Contains(flags, "i"), file, line)
	if err != nil {
		p.Err = fmt.Errorf("regexp %s: %w", literal, err)
		return p
	}
	p.re = re
	return p
}
