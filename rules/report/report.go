// Package report renders engine results: text for people, JSON (the
// published contract), SARIF 2.1.0 for code scanning, GitHub workflow
// commands, and the markdown summary the App posts.
package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/baseline"
)

// Formats the CLI accepts.
var Formats = []string{"text", "json", "sarif", "github"}

// Options tune rendering.
type Options struct {
	Color bool // ANSI colours (text only; the CLI sets it on a TTY)
	// Version is the tool version written into SARIF.
	Version string
	// Deterministic zeroes durations, for golden tests.
	Deterministic bool
	// Category is SARIF's runs[].automationDetails.id, such as
	// "clerkguard/review/": code scanning keeps the alerts of each
	// category apart, so diff and full-scan uploads do not close each
	// other's alerts. Empty leaves automationDetails out.
	Category string
	// Baseline, when a baseline was applied, is written into the JSON
	// report as its `baseline` object.
	Baseline *baseline.Summary
}

// Write renders res in format to w. rs is the full rule set, for SARIF
// rule metadata.
func Write(w io.Writer, format string, res *rules.Result, rs []*rules.Rule, o Options) error {
	switch format {
	case "text":
		return Text(w, res, rs, o)
	case "json":
		return JSON(w, res, o)
	case "sarif":
		return SARIF(w, res, rs, o)
	case "github":
		return GitHub(w, res)
	}
	return fmt.Errorf("unknown format %q (want text, json, sarif or github)", format)
}

// SortBySeverity orders findings most severe first, then by place.
func SortBySeverity(fs []rules.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
}
