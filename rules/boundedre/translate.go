package boundedre

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// translate rewrites an ECMAScript pattern (non-unicode mode, flag i when
// ignoreCase) into Go RE2 syntax with the same match/no-match answer on
// every input, or reports false when the pattern leaves the subset it
// handles: look-around, back-references, non-ASCII source, \c and
// unusual escapes, empty classes, repeat counts over 1000. Captures do not
// change whether a pattern matches, so every group becomes non-capturing.
//
// Where ECMAScript and RE2 differ on the same text, the translation spells
// out ECMAScript's meaning: `.` excludes \r and U+2028/2029 as well as \n,
// \s is ECMAScript's white-space set, and /i folds ASCII letters only (the
// non-unicode Canonicalize never maps a non-ASCII character to an ASCII
// one; non-ASCII code points under /i are left to the backtracking engine).
func translate(src string, ignoreCase bool) (string, bool) {
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			return "", false
		}
	}
	t := translator{src: src, ic: ignoreCase}
	return t.run()
}

type translator struct {
	src string
	ic  bool
	b   strings.Builder
}

const (
	jsSpace = `\x{9}-\x{d}\x{20}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`
	jsDot   = `[^\x{a}\x{d}\x{2028}\x{2029}]`
	// maxRepeat is RE2's largest repeat count.
	maxRepeat = 1000
)

var braceQuantRe = regexp.MustCompile(`^\{([0-9]+)(,([0-9]*))?\}`)

func (t *translator) run() (string, bool) {
	src := t.src
	depth := 0
	atom := false // the last item can take a quantifier
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '\\', '[':
			step := t.escape
			if c == '[' {
				step = t.class
			}
			s, n, isAtom, ok := step(src[i:])
			if !ok {
				return "", false
			}
			t.b.WriteString(s)
			i += n
			atom = isAtom
		case '(':
			n, ok := groupOpen(src[i:])
			if !ok {
				return "", false
			}
			t.b.WriteString("(?:")
			i += n
			depth++
			atom = false
		case ')':
			if depth == 0 {
				return "", false
			}
			depth--
			t.b.WriteByte(')')
			i++
			atom = true
		case '|', '^', '$':
			t.b.WriteByte(c)
			i++
			atom = false
		case '.':
			t.b.WriteString(jsDot)
			i++
			atom = true
		case '*', '+', '?':
			if !atom {
				return "", false
			}
			t.b.WriteByte(c)
			i++
			i = t.lazy(i)
			atom = false
		case '{':
			m := braceQuantRe.FindStringSubmatch(src[i:])
			if m == nil {
				t.b.WriteString(`\{`) // Annex B: a brace that is no quantifier is literal
				i++
				atom = true
				continue
			}
			if !atom {
				return "", false
			}
			q, ok := braceQuantifier(m)
			if !ok {
				return "", false
			}
			t.b.WriteString(q)
			i += len(m[0])
			i = t.lazy(i)
			atom = false
		default:
			s, ok := t.code(rune(c))
			if !ok {
				return "", false
			}
			t.b.WriteString(s)
			i++
			atom = true
		}
	}
	if depth != 0 {
		return "", false
	}
	return t.b.String(), true
}

// lazy copies a lazy-quantifier mark at i.
func (t *translator) lazy(i int) int {
	if i < len(t.src) && t.src[i] == '?' {
		t.b.WriteByte('?')
		return i + 1
	}
	return i
}

// groupOpen accepts `(`, `(?:` and `(?<name>`; look-around and anything
// else starting `(?` are not translated.
func groupOpen(s string) (int, bool) {
	if !strings.HasPrefix(s, "(?") {
		return 1, true
	}
	if strings.HasPrefix(s, "(?:") {
		return 3, true
	}
	if strings.HasPrefix(s, "(?<") && !strings.HasPrefix(s, "(?<=") && !strings.HasPrefix(s, "(?<!") {
		end := strings.IndexByte(s, '>')
		if end < 4 {
			return 0, false
		}
		for j, c := range s[3:end] {
			if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && c >= '0' && c <= '9') {
				return 0, false
			}
		}
		return end + 1, true
	}
	return 0, false
}

func braceQuantifier(m []string) (string, bool) {
	lo, err := strconv.Atoi(m[1])
	if err != nil || lo > maxRepeat {
		return "", false
	}
	switch {
	case m[2] == "":
		return fmt.Sprintf("{%d}", lo), true
	case m[3] == "":
		return fmt.Sprintf("{%d,}", lo), true
	}
	hi, err := strconv.Atoi(m[3])
	if err != nil || hi > maxRepeat || hi < lo {
		return "", false
	}
	return fmt.Sprintf("{%d,%d}", lo, hi), true
}

// code renders one character of the pattern, folded under /i.
func (t *translator) code(c rune) (string, bool) {
	if c >= 0xD800 && c <= 0xDFFF {
		return "", false // a lone surrogate has no RE2 spelling
	}
	if t.ic {
		if c >= 0x80 {
			return "", false
		}
		if lo, up, ok := asciiCases(c); ok {
			return fmt.Sprintf("[%c%c]", lo, up), true
		}
	}
	return hexRune(c), true
}

func hexRune(c rune) string { return fmt.Sprintf(`\x{%x}`, c) }

func asciiCases(c rune) (lower, upper rune, ok bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return c, c - 32, true
	case c >= 'A' && c <= 'Z':
		return c + 32, c, true
	}
	return 0, 0, false
}

// escapeKind is what a backslash sequence denotes.
type escapeKind int

const (
	escCode  escapeKind = iota // one character
	escClass                   // \d \w \s and their complements
	escWordB                   // \b \B (outside classes)
	escNone                    // not translated
)

// parseEscape reads the escape at the start of s (s[0] is the backslash).
// inClass selects the meaning of \b (backspace in a class).
func parseEscape(s string, inClass bool) (kind escapeKind, code rune, letter byte, n int) {
	if len(s) < 2 {
		return escNone, 0, 0, 0
	}
	e := s[1]
	switch e {
	case 'd', 'D', 'w', 'W', 's', 'S':
		return escClass, 0, e, 2
	case 'b':
		if inClass {
			return escCode, 0x08, 0, 2
		}
		return escWordB, 0, e, 2
	case 'B':
		if inClass {
			return escNone, 0, 0, 0
		}
		return escWordB, 0, e, 2
	case 'n':
		return escCode, '\n', 0, 2
	case 'r':
		return escCode, '\r', 0, 2
	case 't':
		return escCode, '\t', 0, 2
	case 'v':
		return escCode, '\v', 0, 2
	case 'f':
		return escCode, '\f', 0, 2
	case '0':
		if len(s) > 2 && s[2] >= '0' && s[2] <= '9' {
			return escNone, 0, 0, 0 // a legacy octal escape
		}
		return escCode, 0, 0, 2
	case 'x':
		if v, ok := hexDigits(s[2:], 2); ok {
			return escCode, v, 0, 4
		}
		return escNone, 0, 0, 0
	case 'u':
		if v, ok := hexDigits(s[2:], 4); ok {
			return escCode, v, 0, 6
		}
		return escNone, 0, 0, 0
	}
	if e >= '0' && e <= '9' || e >= 'a' && e <= 'z' || e >= 'A' && e <= 'Z' {
		return escNone, 0, 0, 0 // back-references, \c, \k, and letters whose meaning differs by engine
	}
	return escCode, rune(e), 0, 2 // an identity escape of punctuation
}

func hexDigits(s string, n int) (rune, bool) {
	if len(s) < n {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:n], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// perlClass is the body (without brackets) of \d, \w, \s; their
// complements are handled by the caller.
func perlClass(letter byte) string {
	switch letter | 0x20 {
	case 'd':
		return `0-9`
	case 'w':
		return `0-9A-Za-z_`
	}
	return jsSpace
}

// escape translates a backslash sequence outside a class.
func (t *translator) escape(s string) (out string, n int, atom, ok bool) {
	kind, code, letter, n := parseEscape(s, false)
	switch kind {
	case escClass:
		neg := ""
		if letter >= 'A' && letter <= 'Z' {
			neg = "^"
		}
		return "[" + neg + perlClass(letter) + "]", n, true, true
	case escWordB:
		return `\` + string(letter), n, false, true
	case escCode:
		out, ok := t.code(code)
		return out, n, true, ok
	}
	return "", 0, false, false
}

type runeRange struct{ lo, hi rune }

// class translates a character class at the start of s (an atom).
func (t *translator) class(s string) (out string, n int, atom, ok bool) {
	i := 1
	neg := false
	if i < len(s) && s[i] == '^' {
		neg = true
		i++
	}
	if i < len(s) && s[i] == ']' {
		return "", 0, false, false // [] and [^]: no RE2 spelling needed often enough to translate
	}
	var ranges []runeRange
	var extra strings.Builder // \d \w \s \D \W inside the class
	for {
		if i >= len(s) {
			return "", 0, false, false
		}
		if s[i] == ']' {
			i++
			break
		}
		lo, isCode, n, ok := t.classAtom(s[i:], &extra)
		if !ok {
			return "", 0, false, false
		}
		i += n
		if !isCode {
			continue
		}
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			r, isCode, n, ok := t.classAtom(s[i+1:], &extra)
			if !ok || !isCode || r < lo {
				return "", 0, false, false // Annex B ranges with a class escape, or a reversed range
			}
			hi = r
			i += 1 + n
		}
		ranges = append(ranges, runeRange{lo, hi})
	}
	var b strings.Builder
	b.WriteByte('[')
	if neg {
		b.WriteByte('^')
	}
	for _, r := range ranges {
		if t.ic && r.hi >= 0x80 {
			return "", 0, false, false
		}
		if r.lo >= 0xD800 && r.lo <= 0xDFFF || r.hi >= 0xD800 && r.hi <= 0xDFFF || r.lo < 0xD800 && r.hi > 0xDFFF {
			return "", 0, false, false
		}
		writeRange(&b, r)
		if t.ic {
			for _, f := range foldRange(r) {
				writeRange(&b, f)
			}
		}
	}
	b.WriteString(extra.String())
	b.WriteByte(']')
	return b.String(), i, true, true
}

func writeRange(b *strings.Builder, r runeRange) {
	b.WriteString(hexRune(r.lo))
	if r.hi != r.lo {
		b.WriteByte('-')
		b.WriteString(hexRune(r.hi))
	}
}

// foldRange returns the other-case ASCII letters of r.
func foldRange(r runeRange) []runeRange {
	var out []runeRange
	for _, span := range []struct{ lo, hi, shift rune }{{'a', 'z', -32}, {'A', 'Z', 32}} {
		lo, hi := max(r.lo, span.lo), min(r.hi, span.hi)
		if lo <= hi {
			out = append(out, runeRange{lo + span.shift, hi + span.shift})
		}
	}
	return out
}

// classAtom reads one class member: a character (isCode) or a class
// escape, which it appends to extra.
func (t *translator) classAtom(s string, extra *strings.Builder) (code rune, isCode bool, n int, ok bool) {
	if s[0] != '\\' {
		return rune(s[0]), true, 1, true
	}
	kind, code, letter, n := parseEscape(s, true)
	switch kind {
	case escCode:
		return code, true, n, true
	case escClass:
		switch letter {
		case 'd', 'w', 's':
			extra.WriteString(perlClass(letter))
		case 'D', 'W':
			// RE2's \D and \W are the same sets as ECMAScript's.
			extra.WriteString(`\` + string(letter))
		default:
			return 0, false, 0, false // \S: RE2's differs and has no short spelling in a class
		}
		return 0, false, n, true
	}
	return 0, false, 0, false
}
