package report

import (
	"encoding/json"
	"io"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/baseline"
)

// jsonFinding is exactly the finding object of DESIGN.md's contract.
type jsonFinding struct {
	Rule        string `json:"rule"`
	Name        string `json:"name"`
	Pack        string `json:"pack"`
	Severity    string `json:"severity"`
	Confidence  string `json:"confidence"`
	Checklist   int    `json:"checklist"`
	Path        string `json:"path"`
	Line        int    `json:"line"`
	EndLine     int    `json:"end_line"`
	Column      int    `json:"column"`
	Message     string `json:"message"`
	Fix         string `json:"fix"`
	Fingerprint string `json:"fingerprint"`
	InDiff      bool   `json:"in_diff"`
	// Related extends the contract: the other places that take part in
	// the finding (the routes a middleware list leaves public, the
	// matcher pattern a route depends on). Absent when there are none.
	Related []rules.Location `json:"related,omitempty"`
}

type jsonStats struct {
	FilesScanned int   `json:"files_scanned"`
	BytesScanned int64 `json:"bytes_scanned"`
	DurationMS   int64 `json:"duration_ms"`
	// Skipped extends the contract: the files not (fully) analysed and
	// why. It is absent when no file was skipped.
	Skipped []rules.SkippedFile `json:"skipped,omitempty"`
	// NoClerk extends the contract: the snapshot shows no sign of Clerk,
	// so its findings were withheld. Absent otherwise.
	NoClerk bool `json:"no_clerk,omitempty"`
}

type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Stats    jsonStats     `json:"stats"`
	// Baseline extends the contract: what --baseline hid and the entries
	// that no longer match. It is absent when no baseline was given.
	Baseline *baseline.Summary `json:"baseline,omitempty"`
}

// JSON writes the contract object.
func JSON(w io.Writer, res *rules.Result, o Options) error {
	out := jsonReport{Version: 1, Findings: []jsonFinding{}}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			Rule: f.Rule, Name: f.Name, Pack: f.Pack, Severity: f.Severity.String(),
			Confidence: f.Confidence.String(), Checklist: f.Checklist, Path: f.Path,
			Line: f.Line, EndLine: f.EndLine, Column: f.Column, Message: f.Message,
			Fix: f.Fix, Fingerprint: f.Fingerprint, InDiff: f.InDiff, Related: f.Related,
		})
	}
	out.Stats = jsonStats{FilesScanned: res.Stats.FilesScanned, BytesScanned: res.Stats.BytesScanned, DurationMS: res.Stats.DurationMS,
		Skipped: res.Skipped, NoClerk: res.Stats.NoClerk}
	if o.Deterministic {
		out.Stats.DurationMS = 0
	}
	out.Baseline = o.Baseline
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
