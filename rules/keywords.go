package rules

import (
	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// keywordIndex finds, in one pass over a file, which of all rules'
// prefilter keywords it contains. One Aho-Corasick automaton replaces a
// bytes.Contains per rule and keyword, which matters on large monorepos.
type keywordIndex struct {
	ac       ahocorasick.AhoCorasick
	ids      map[string]int // keyword -> index
	ruleKeys map[*Rule][]int
	ruleReq  map[*Rule][]int
	n        int
}

func newKeywordIndex(rs []*Rule) *keywordIndex {
	k := &keywordIndex{ids: map[string]int{}, ruleKeys: map[*Rule][]int{}, ruleReq: map[*Rule][]int{}}
	var pats []string
	intern := func(w string) int {
		id, ok := k.ids[w]
		if !ok {
			id = len(pats)
			k.ids[w] = id
			pats = append(pats, w)
		}
		return id
	}
	for _, r := range rs {
		for _, w := range r.Keywords {
			k.ruleKeys[r] = append(k.ruleKeys[r], intern(w))
		}
		for _, w := range r.Requires {
			k.ruleReq[r] = append(k.ruleReq[r], intern(w))
		}
	}
	k.n = len(pats)
	if k.n > 0 {
		b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
		k.ac = b.Build(pats)
	}
	return k
}

// present returns which keywords occur in content.
func (k *keywordIndex) present(content []byte) []bool {
	seen := make([]bool, k.n)
	if k.n == 0 {
		return seen
	}
	left := k.n
	it := k.ac.IterOverlappingByte(content)
	for m := it.Next(); m != nil; m = it.Next() {
		if !seen[m.Pattern()] {
			seen[m.Pattern()] = true
			left--
			if left == 0 {
				break
			}
		}
	}
	return seen
}

// wants applies a rule's file selector and keyword prefilter. seen is
// computed on first use.
func (k *keywordIndex) wants(r *Rule, f interface {
	IsJS() bool
}, binary bool, sel func() bool, seen func() []bool) bool {
	if r.Files != nil {
		if !sel() {
			return false
		}
	} else if !f.IsJS() || binary {
		return false
	}
	return k.anyOf(k.ruleKeys[r], seen) && k.anyOf(k.ruleReq[r], seen)
}

// anyOf reports whether one of ids is present; an empty set passes.
func (k *keywordIndex) anyOf(ids []int, seen func() []bool) bool {
	if len(ids) == 0 {
		return true
	}
	s := seen()
	for _, id := range ids {
		if s[id] {
			return true
		}
	}
	return false
}
