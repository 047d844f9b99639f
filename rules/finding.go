package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Location is a place in the snapshot.
type Location struct {
	Path string `json:"path"`
	Line int    `json:"line"`
}

// Suggestion is a mechanical replacement of whole lines, posted as a
// GitHub suggestion block when the lines are in the diff.
type Suggestion struct {
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Text      string `json:"text"` // replacement lines, joined by "\n"
}

// SnippetLine is one line of a finding's code snippet.
type SnippetLine struct {
	Line    int
	Text    string // redacted; cut at SnippetMaxRunes
	Finding bool   // the line is one of the finding's own
}

// Finding is one reported problem, in the shape of DESIGN.md's JSON
// contract plus internal fields that are not serialised by the contract.
type Finding struct {
	Rule        string     `json:"rule"`
	Name        string     `json:"name"`
	Pack        string     `json:"pack"`
	Severity    Severity   `json:"severity"`
	Confidence  Confidence `json:"confidence"`
	Checklist   int        `json:"checklist"`
	Path        string     `json:"path"`
	Line        int        `json:"line"`
	EndLine     int        `json:"end_line"`
	Column      int        `json:"column"`
	Message     string     `json:"message"`
	Fix         string     `json:"fix"`
	Fingerprint string     `json:"fingerprint"`
	InDiff      bool       `json:"in_diff"`

	// Related are other places that take part in the finding, such as the
	// middleware matcher that leaves a route uncovered.
	Related    []Location  `json:"related,omitempty"`
	Suggestion *Suggestion `json:"suggestion,omitempty"`
	DocURL     string      `json:"-"`
	// CausedBy is set in diff mode when the finding was moved to the
	// changed line that caused it; it names the original place.
	CausedBy *Location `json:"caused_by,omitempty"`
	// Snippet is the code around the finding, redacted; only when the run
	// asked for it (Options.Snippets).
	Snippet []SnippetLine `json:"-"`
	// Protection lists the entry points whose protection the change made
	// worse, for a finding that reports it (review mode).
	Protection []ProtectionChange `json:"-"`

	match       string
	changedHere bool   // caused by the change at its own place (Diagnostic.ChangedHere)
	key         string // the finding before diff mode moved it (review.go)
}

// ProtectionChange is one entry point whose protection a change made
// worse, or a new one left unguarded.
type ProtectionChange struct {
	// Entry is "METHOD /path" (or "action name").
	Entry string
	// Path and Line locate the entry in the head.
	Path string
	Line int
	// Was and Now are the verdicts ("yes", "no (role check removed)").
	Was, Now string
	// Why is the head verdict's sentence.
	Why string
	// New is set for an entry the base did not have.
	New bool
}

// fingerprint hashes the rule, the path and the normalised matched text.
// It holds no line number, so it survives line moves; n disambiguates
// identical matches in one file.
func fingerprint(rule, path, match string, n int) string {
	h := sha256.New()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write([]byte(strings.Join(strings.Fields(match), " ")))
	if n > 0 {
		h.Write([]byte{0, byte(n), byte(n >> 8)})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
