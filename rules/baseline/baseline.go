// Package baseline records the findings a repository accepts for now, so
// that clerkguard can be adopted on a legacy codebase without fixing
// everything first: a later run hides the findings whose fingerprints the
// baseline lists and reports the entries that no longer match anything.
//
// The file is JSON:
//
//	{"version": 1, "tool": "clerkguard",
//	 "findings": [{"fingerprint": "…", "rule": "CLK-RP-003", "path": "app/api/x/route.ts"}]}
//
// Only the fingerprint matches; the rule and the path are for the people
// who review the file. Fingerprints hold no line numbers, so a baseline
// survives edits above a finding.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
)

// Version is the version of the file format written.
const Version = 1

// MaxSize bounds the baseline file read: 16 MiB holds over 100,000
// entries.
const MaxSize = 16 << 20

// Entry is one accepted finding.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Path        string `json:"path"`
}

// File is a baseline.
type File struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"`
	Findings []Entry `json:"findings"`
}

// New records every finding of fs, sorted by path, rule and fingerprint so
// that a rewritten baseline diffs well.
func New(fs []rules.Finding) *File {
	b := &File{Version: Version, Tool: "clerkguard", Findings: []Entry{}}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Fingerprint == "" || seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		b.Findings = append(b.Findings, Entry{Fingerprint: f.Fingerprint, Rule: f.Rule, Path: f.Path})
	}
	sort.Slice(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		return x.Fingerprint < y.Fingerprint
	})
	return b
}

// Write writes b as indented JSON.
func (b *File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// Parse decodes a baseline strictly: unknown fields, another version and
// an entry without a fingerprint are errors.
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("not a clerkguard baseline: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a clerkguard baseline: data after the JSON object")
	}
	if b.Version != Version {
		return nil, fmt.Errorf("baseline version %d is not supported (want %d; rewrite it with --write-baseline)", b.Version, Version)
	}
	for i, e := range b.Findings {
		if strings.TrimSpace(e.Fingerprint) == "" {
			return nil, fmt.Errorf("baseline entry %d (%s %s) has no fingerprint", i+1, e.Rule, e.Path)
		}
	}
	return &b, nil
}

// Load reads and parses the baseline file at path.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, MaxSize)
	}
	b, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Summary is what applying a baseline did: the JSON report's `baseline`
// object.
type Summary struct {
	File string `json:"file"`
	// Hidden counts the findings the baseline hid.
	Hidden int `json:"hidden"`
	// Unmatched are the entries that match no finding of the run: fixed,
	// or the code changed; the baseline can be rewritten without them.
	Unmatched []Entry `json:"unmatched"`
}

// Apply returns the findings of fs that b does not list, and the summary.
// inScope, when not nil, restricts the unmatched entries reported to the
// paths the run analysed (a scan of one file says nothing of the others).
func (b *File) Apply(name string, fs []rules.Finding, inScope func(path string) bool) ([]rules.Finding, *Summary) {
	listed := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		listed[e.Fingerprint] = true
	}
	s := &Summary{File: name, Unmatched: []Entry{}}
	matched := map[string]bool{}
	var kept []rules.Finding
	for _, f := range fs {
		if listed[f.Fingerprint] {
			matched[f.Fingerprint] = true
			s.Hidden++
			continue
		}
		kept = append(kept, f)
	}
	for _, e := range b.Findings {
		if !matched[e.Fingerprint] && (inScope == nil || inScope(e.Path)) {
			s.Unmatched = append(s.Unmatched, e)
		}
	}
	return kept, s
}
