package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/baseline"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/report"
	"github.com/clerkguard/clerkguard/rules/source"
)

type scanFlags struct {
	format, config, failOn, base, head string
	output, baseline, writeBaseline    string
	failOnSet                          bool
}

// failNever is the --fail-on none threshold: above every severity.
const failNever = rules.Critical + 1

// newScanFlagSet declares the flags of scan (and review) into f. Its Usage
// is silent: the caller prints the help where it belongs (stdout for
// --help, stderr after a usage error).
func newScanFlagSet(name string, review bool, f *scanFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {}
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fs.StringVar(&f.config, "config", "", "configuration file (default: DIR/"+rules.ConfigPath+" or .yaml; read from --base in review)")
	fs.StringVar(&f.failOn, "fail-on", "high", "lowest severity that makes the exit code 1: critical, high, medium, low, info, or none (never)")
	fs.StringVar(&f.output, "output", "", "write the report to `FILE` (replaced atomically) instead of stdout")
	fs.StringVar(&f.baseline, "baseline", "", "hide the findings whose fingerprints baseline `FILE` lists, and report its entries that match nothing any more")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "record every finding of this run as a baseline in `FILE` (the exit code then ignores findings)")
	if review {
		fs.StringVar(&f.base, "base", "", "base git ref (required)")
		fs.StringVar(&f.head, "head", "", "head git ref (default: the working tree)")
	}
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments (`scan DIR --format json`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			return append(pos, rest...), nil // after "--" every argument is a path
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func parseFailOn(s string) (rules.Severity, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return failNever, nil
	}
	if sev, err := rules.ParseSeverity(s); err == nil {
		return sev, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low, info or none)", s)
}

func cmdScan(ctx context.Context, rs []*rules.Rule, args []string, stdout, stderr io.Writer, review bool) int {
	name := "scan"
	if review {
		name = "review"
	}
	var f scanFlags
	flags := newScanFlagSet(name, review, &f)
	flags.SetOutput(stderr)
	pos, err := parseInterleaved(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(stdout, name)
		return 0
	}
	if err != nil {
		commandHelp(stderr, name)
		return 2
	}
	flags.Visit(func(fl *flag.Flag) {
		if fl.Name == "fail-on" {
			f.failOnSet = true
		}
	})
	if review && len(pos) > 1 {
		fmt.Fprintf(stderr, "clerkguard %s: one repository expected, got %d: %s\n", name, len(pos), strings.Join(pos, " "))
		return 2
	}
	target := "."
	if len(pos) == 1 {
		target = pos[0]
	}
	if !validFormat(f.format) {
		fmt.Fprintf(stderr, "clerkguard %s: unknown format %q (want text, json, sarif or github)\n", name, f.format)
		return 2
	}
	failOn, err := parseFailOn(f.failOn)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard %s: --fail-on: %v\n", name, err)
		return 2
	}
	if review && f.base == "" {
		fmt.Fprintf(stderr, "clerkguard review: --base REF is required\n")
		return 2
	}
	var bl *baseline.File
	if f.baseline != "" {
		if bl, err = baseline.Load(f.baseline); err != nil {
			fmt.Fprintf(stderr, "clerkguard %s: --baseline: %v\n", name, err)
			return 2
		}
	}

	var (
		snap source.Snapshot
		tg   targets         // scan: what was asked for
		base source.Snapshot // review: the merge base
		diff *diffindex.Index
		read func(p string) ([]byte, error) // the repository's configuration
		at   func(p string) string          // its name in messages
	)
	if review {
		rg, err := source.NewRange(ctx, target, f.base, f.head)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard review: %v\n", err)
			return 2
		}
		defer rg.Close()
		snap, base = rg.Snapshot, rg.Base
		if diff, err = diffindex.Parse(rg.Patch); err != nil {
			fmt.Fprintf(stderr, "clerkguard review: %v\n", err)
			return 2
		}
		// The base branch's configuration, so a change cannot switch off its own review.
		read = func(p string) ([]byte, error) {
			if _, err := source.RunGit(ctx, target, "cat-file", "-e", rg.BaseSHA+":"+p); err != nil {
				return nil, fmt.Errorf("%s at %s: %w", p, f.base, fs.ErrNotExist)
			}
			return source.RunGit(ctx, target, "show", rg.BaseSHA+":"+p)
		}
		at = func(p string) string { return p + " at " + f.base }
	} else {
		if tg, err = resolveTargets(ctx, pos); err != nil {
			fmt.Fprintf(stderr, "clerkguard scan: %v\n", err)
			return 2
		}
		d, err := source.NewDir(tg.root)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard scan: %v\n", err)
			return 2
		}
		snap = d
		// The repository's configuration, through a snapshot of its top
		// level: a FIFO or a link out of the repository is not read.
		cd, err := source.NewDir(tg.configRoot())
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard scan: %v\n", err)
			return 2
		}
		read = func(p string) ([]byte, error) { return cd.Read(ctx, p) }
		at = func(p string) string { return filepath.Join(tg.configRoot(), p) }
	}
	cfg, code := loadConfig(name, f.config, read, at, rs, stderr)
	if cfg == nil {
		return code
	}
	if !f.failOnSet && cfg.FailOn != nil {
		failOn = *cfg.FailOn
	}
	if d, ok := snap.(*source.Dir); ok {
		d.Skip = cfg.Skip
	}

	opts := rules.Options{Rules: rs, Config: cfg, Diff: diff, Base: base, Snippets: f.format == "text",
		Only: tg.only(), PathPrefix: tg.prefix, RequireClerk: true}
	stopProgress := startProgress(stderr, &opts)
	res, err := rules.Run(ctx, snap, opts)
	stopProgress()
	if err != nil {
		// An IncompleteError names the rules still running when the
		// analysis was stopped; their goroutines end with the process.
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "clerkguard %s: interrupted: %v\n", name, err)
		} else {
			fmt.Fprintf(stderr, "clerkguard %s: %v\n", name, err)
		}
		return 2
	}
	if !review && tg.rels != nil {
		res.Findings = slices.DeleteFunc(res.Findings, func(f rules.Finding) bool { return !tg.shows(f.Path) })
	}
	analysed := res.Findings // the whole snapshot's, in review too
	if review {
		res.Findings = res.InDiff()
	}
	var sum *baseline.Summary
	if bl != nil {
		// Unmatched entries against every finding of the analysis; hidden
		// ones among the findings reported.
		scope := baselineScope(snap)
		if !review && tg.rels != nil {
			scope = tg.shows // entries of files not asked for are not judged
		}
		_, sum = bl.Apply(f.baseline, analysed, scope)
		var shown *baseline.Summary
		res.Findings, shown = bl.Apply(f.baseline, res.Findings, func(string) bool { return false })
		sum.Hidden = shown.Hidden
	}
	if f.writeBaseline != "" {
		if err := writeFileAtomic(f.writeBaseline, baseline.New(analysed).Write); err != nil {
			fmt.Fprintf(stderr, "clerkguard %s: --write-baseline: %v\n", name, err)
			return 2
		}
	}
	ro := report.Options{Version: version, Category: "clerkguard/" + name + "/", Baseline: sum,
		Color: f.format == "text" && f.output == "" && isTTY(stdout) && os.Getenv("NO_COLOR") == ""}
	write := func(w io.Writer) error { return report.Write(w, f.format, res, rs, ro) }
	if f.output != "" {
		err = writeFileAtomic(f.output, write)
	} else {
		err = write(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard %s: write output: %v\n", name, err)
		return 2
	}
	if f.format != "text" {
		for _, e := range res.Errors {
			fmt.Fprintf(stderr, "warning: rule %s failed on %s: %s\n", e.Rule, e.Path, e.Err)
		}
	}
	if sum != nil && f.format != "json" {
		baselineNote(stderr, sum)
	}
	if f.writeBaseline != "" {
		fmt.Fprintf(stderr, "clerkguard %s: wrote a baseline of %d findings to %s\n", name, len(baseline.New(analysed).Findings), f.writeBaseline)
		return 0
	}
	for _, fd := range res.Findings {
		if fd.Severity >= failOn {
			return 1
		}
	}
	return 0
}

func validFormat(s string) bool {
	for _, f := range report.Formats {
		if f == s {
			return true
		}
	}
	return false
}

// openTarget opens a directory, or a single file as a one-file snapshot.
func openTarget(target string) (source.Snapshot, error) {
	st, err := os.Stat(target)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", target, errors.Unwrap(err))
	}
	if st.IsDir() {
		return source.NewDir(target)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is neither a directory nor a regular file", target)
	}
	if st.Size() > source.MaxFileSize {
		return nil, fmt.Errorf("%s is too large to analyse (%d bytes; the limit is %d)", target, st.Size(), source.MaxFileSize)
	}
	b, err := os.ReadFile(target)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", target, errors.Unwrap(err))
	}
	if source.NewFile(target, b).Binary {
		return nil, fmt.Errorf("%s is a binary or non-UTF-8 file; clerkguard analyses text", target)
	}
	return source.Mem{filepath.ToSlash(filepath.Base(target)): b}, nil
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress shows a progress line on a terminal for long scans.
func startProgress(stderr io.Writer, opts *rules.Options) func() {
	if !isTTY(stderr) {
		return func() {}
	}
	var mu sync.Mutex
	var last time.Time
	shown := false
	startT := time.Now()
	opts.Progress = func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(startT) < 500*time.Millisecond || time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		shown = true
		fmt.Fprintf(stderr, "\rscanning: %d/%d files", done, total)
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if shown {
			fmt.Fprint(stderr, "\r\x1b[K")
		}
	}
}
