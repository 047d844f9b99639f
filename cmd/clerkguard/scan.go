package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/report"
	"github.com/clerkguard/clerkguard/rules/source"
)

type scanFlags struct {
	format, config, failOn, base, head string
	failOnSet                          bool
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
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func cmdScan(ctx context.Context, rs []*rules.Rule, args []string, stdout, stderr io.Writer, review bool) int {
	name := "scan"
	if review {
		name = "review"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f scanFlags
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fs.StringVar(&f.config, "config", "", "configuration file (default: DIR/"+rules.ConfigPath+", read from --base in review)")
	fs.StringVar(&f.failOn, "fail-on", "high", "lowest severity that makes the exit code 1: critical, high, medium, low or info")
	if review {
		fs.StringVar(&f.base, "base", "", "base git ref (required)")
		fs.StringVar(&f.head, "head", "", "head git ref (default: the working tree)")
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "fail-on" {
			f.failOnSet = true
		}
	})
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "clerkguard %s: one target expected, got %d: %s\n", name, len(pos), strings.Join(pos, " "))
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
	failOn, err := rules.ParseSeverity(f.failOn)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard %s: --fail-on: %v\n", name, err)
		return 2
	}
	if review && f.base == "" {
		fmt.Fprintf(stderr, "clerkguard review: --base REF is required\n")
		return 2
	}

	var (
		snap    source.Snapshot
		diff    *diffindex.Index
		cfgData []byte
		cfgName string
	)
	if review {
		rg, err := source.NewRange(ctx, target, f.base, f.head)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard review: %v\n", err)
			return 2
		}
		defer rg.Close()
		snap = rg.Snapshot
		if diff, err = diffindex.Parse(rg.Patch); err != nil {
			fmt.Fprintf(stderr, "clerkguard review: %v\n", err)
			return 2
		}
		if f.config == "" {
			// The base branch's configuration, so a change cannot switch off its own review.
			if b, err := source.RunGit(ctx, target, "show", rg.BaseSHA+":"+rules.ConfigPath); err == nil {
				cfgData, cfgName = b, rules.ConfigPath+" at "+f.base
			}
		}
	} else {
		snap, err = openTarget(target)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard scan: %v\n", err)
			return 2
		}
		if d, ok := snap.(*source.Dir); ok && f.config == "" {
			// Through the snapshot: a FIFO or a link out of DIR is not read.
			if b, err := d.Read(ctx, rules.ConfigPath); err == nil {
				cfgData, cfgName = b, filepath.Join(target, rules.ConfigPath)
			}
		}
	}
	if f.config != "" {
		if cfgData, err = os.ReadFile(f.config); err != nil {
			fmt.Fprintf(stderr, "clerkguard %s: --config: %v\n", name, err)
			return 2
		}
		cfgName = f.config
	}
	cfg, err := rules.ParseConfig(cfgData, rs)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard %s: invalid configuration %s: %v\n", name, cfgName, err)
		return 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "clerkguard %s: warning: %s:%d: %s\n", name, cfgName, w.Line, w.Msg)
	}
	if !f.failOnSet && cfg.FailOn != nil {
		failOn = *cfg.FailOn
	}
	if d, ok := snap.(*source.Dir); ok {
		d.Skip = cfg.Skip
	}

	opts := rules.Options{Rules: rs, Config: cfg, Diff: diff}
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
	if review {
		res.Findings = res.InDiff()
	}
	color := f.format == "text" && isTTY(stdout) && os.Getenv("NO_COLOR") == ""
	if err := report.Write(stdout, f.format, res, rs, report.Options{Color: color, Version: version}); err != nil {
		fmt.Fprintf(stderr, "clerkguard %s: write output: %v\n", name, err)
		return 2
	}
	if f.format != "text" {
		for _, e := range res.Errors {
			fmt.Fprintf(stderr, "warning: rule %s failed on %s: %s\n", e.Rule, e.Path, e.Err)
		}
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
