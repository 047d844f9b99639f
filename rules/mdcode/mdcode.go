// Package mdcode renders text taken from analysed code as Markdown that
// nothing in the text can break out of. It is a leaf package, so that every
// part of the engine (the secret detector included) can use it; package
// rules re-exports it as rules.Code and rules.PlainLine.
package mdcode

import (
	"strings"
	"unicode"
)

// Code renders s, text taken from analysed code (a path, a route pattern,
// an expression, a package name), as a Markdown inline code span that
// nothing in s can leave. Every string from analysed code that goes into a
// message goes through Code where the message is assembled; messages are
// then Markdown whose only markup is code spans (report.Inert renders them).
//
// The span's backtick fence is longer than any backtick run in s, and is
// padded with a space where s starts or ends with a backtick or a space
// (CommonMark strips one space on each side). Line breaks and other
// control characters, which would end a paragraph or start a new block,
// become spaces, and bidirectional controls, which reorder what a reader
// sees, become U+FFFD. Inside a code span, GitHub links, mentions and
// renders nothing.
func Code(s string) string {
	s = PlainLine(s)
	if s == "" {
		return "` `"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// PlainLine folds s onto one line: line breaks, tabs and other control
// characters become spaces, bidirectional formatting characters U+FFFD.
func PlainLine(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case isBidi(r) || r == unicode.ReplacementChar:
			return unicode.ReplacementChar
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || isBidi(r) || r == unicode.ReplacementChar
}

// isBidi reports the bidirectional formatting characters (the "Trojan
// Source" set).
func isBidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}
