// Package redact turns secret values into a form that is safe to print:
// the known prefix, an ellipsis and the last four characters.
package redact

import (
	"strings"
	"sync"
)

var prefixes = []string{"sk_live_", "sk_test_", "pk_live_", "pk_test_", "whsec_", "ak_live_", "ak_test_", "ak_", "rk_live_", "rk_test_", "mt_", "oat_", "live_", "test_"}

func prefixOf(s string) string {
	for _, pre := range prefixes {
		if strings.HasPrefix(s, pre) {
			return pre
		}
	}
	return ""
}

// Secret returns the redacted form of a secret: `sk_live_…ab12`. Values of
// eight characters or fewer after the prefix show no tail at all; shorter
// than 16 (a password, not a generated key) show two characters, so the
// tail never gives away a quarter of the value.
func Secret(s string) string {
	p := prefixOf(s)
	rest := s[len(p):]
	switch {
	case len(rest) <= 8:
		return p + "…"
	case len(rest) < 16:
		return p + "…" + rest[len(rest)-2:]
	}
	return p + "…" + rest[len(rest)-4:]
}

// clipped is how many characters after its prefix a secret's start must
// show to be redacted when the rest of the secret is cut off.
const clipped = 8

// anchor is the shortest start of s that is redacted: the prefix and
// `clipped` characters, or all of s.
func anchor(s string) int { return min(len(s), len(prefixOf(s))+clipped) }

// All replaces every secret in text with its redacted form. A clipped
// start of a secret (a message that quotes `sign("whsec_abcdefgh...` and
// cuts it) is redacted too, once it shows its prefix and eight characters.
func All(text string, secrets []string) string {
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		text = replaceRuns(text, s)
	}
	return text
}

// replaceRuns replaces each run of text that starts like s (at least its
// anchor) and follows s as far as it goes.
func replaceRuns(text, s string) string {
	a := s[:anchor(s)]
	if !strings.Contains(text, a) {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, a)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		n := len(a)
		for n < len(s) && i+n < len(text) && text[i+n] == s[n] {
			n++
		}
		b.WriteString(text[:i])
		b.WriteString(Secret(s))
		text = text[i+n:]
	}
}

// headLen is the length of the index key of a Set: every secret the
// detector recognises is longer.
const headLen = 8

// Set is a growing set of secrets, redacted from any text in one pass over
// the text, however many secrets it holds. It is safe for concurrent use.
type Set struct {
	mu     sync.RWMutex
	byHead map[string][]string
	short  []string // secrets too short to index
}

// Add adds secrets to the set.
func (s *Set) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byHead == nil {
		s.byHead = map[string][]string{}
	}
	for _, v := range secrets {
		switch {
		case len(v) < 4:
		case anchor(v) < headLen:
			s.short = appendNew(s.short, v)
		default:
			s.byHead[v[:headLen]] = appendNew(s.byHead[v[:headLen]], v)
		}
	}
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Len returns how many secrets the set holds.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := len(s.short)
	for _, l := range s.byHead {
		n += len(l)
	}
	return n
}

// Redact replaces every secret of the set in text, and every clipped start
// of one, with its redacted form (as All does).
func (s *Set) Redact(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	text = All(text, s.short)
	if len(s.byHead) == 0 || len(text) < headLen {
		return text
	}
	var b strings.Builder
	done := 0 // text[:done] is written
	for i := 0; i+headLen <= len(text); {
		best, n := "", 0
		for _, v := range s.byHead[text[i:i+headLen]] {
			if m := runLen(text[i:], v); m > n {
				best, n = v, m
			}
		}
		if n == 0 {
			i++
			continue
		}
		b.WriteString(text[done:i])
		b.WriteString(Secret(best))
		i += n
		done = i
	}
	if done == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// runLen returns how far text follows v from its start, or 0 when that is
// shorter than v's anchor.
func runLen(text, v string) int {
	n := 0
	for n < len(v) && n < len(text) && text[n] == v[n] {
		n++
	}
	if n < anchor(v) {
		return 0
	}
	return n
}
