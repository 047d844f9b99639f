package jsast

import (
	"cmp"
	"errors"
	"fmt"
)

// Limits bound what parsing one file may cost. A file over a limit is not
// parsed: Parse returns an error wrapping ErrLimit, and the engine names
// the file among the skipped ones.
type Limits struct {
	// MaxNodes bounds the syntax nodes of one file's tree. It also bounds
	// tree-sitter's own work: a source with more tokens than MaxNodes is
	// refused before tree-sitter sees it.
	MaxNodes int
	// MaxDepth bounds the nesting depth of one file's tree.
	MaxDepth int
}

// Default limits. Real application code stays far below them: across the
// real-world corpus and a set of large minified bundles, the deepest tree
// had 52 levels and the densest file 0.63 nodes per byte, so MaxNodes
// admits files of about 400 KB of dense code. At the limit, a parse peaks
// near 100 MB of Go heap (go-tree-sitter's node cache and the Go copy)
// plus about 50 MB of tree-sitter's own memory, where the unbounded parse
// of one 2 MB file cost 1.5 GB.
const (
	DefaultMaxNodes = 250_000
	DefaultMaxDepth = 1_000
)

// DefaultLimits returns the default per-file limits.
func DefaultLimits() Limits { return Limits{MaxNodes: DefaultMaxNodes, MaxDepth: DefaultMaxDepth} }

// orDefault fills zero fields with the defaults.
func (l Limits) orDefault() Limits {
	l.MaxNodes, l.MaxDepth = cmp.Or(l.MaxNodes, DefaultMaxNodes), cmp.Or(l.MaxDepth, DefaultMaxDepth)
	return l
}

// ErrLimit is wrapped by the errors of parses refused for their cost: a
// file over a per-file limit, or a review whose node budget is spent.
var ErrLimit = errors.New("over the parse budget")

// LimitError is a parse refused because the file is over a limit.
type LimitError struct {
	What  string // "syntax nodes", "levels of nesting", ...
	Limit int64
}

func (e *LimitError) Error() string { return fmt.Sprintf("more than %d %s", e.Limit, e.What) }

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// Prescan refuses a source before parsing when a cheap upper estimate of
// its cost is over lim: the count of tokens (runs of word characters and
// single punctuation characters, strings and comments included, so no
// lexing mistake can hide tokens) against MaxNodes, and the nesting of
// brackets against MaxDepth (every bracket pair is at least one level of
// the tree). It reads the source once and allocates nothing.
func Prescan(src []byte, lim Limits) error {
	lim = lim.orDefault()
	tokens, depth, maxDepth := 0, 0, 0
	inWord := false
	for _, b := range src {
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			inWord = false
			continue
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '$' || b >= 0x80:
			if !inWord {
				tokens++
				inWord = true
			}
			continue
		}
		inWord = false
		tokens++
		switch b {
		case '(', '[', '{':
			depth++
			if depth > maxDepth {
				maxDepth = depth
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	if maxDepth > lim.MaxDepth {
		return &LimitError{What: "levels of nesting", Limit: int64(lim.MaxDepth)}
	}
	if tokens > lim.MaxNodes {
		return &LimitError{What: "tokens (the syntax-node limit)", Limit: int64(lim.MaxNodes)}
	}
	return nil
}
