package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// cmdRoutes prints the protection map: every entry point with its method,
// path, place, guard verdict and proof, and effects (`clerkguard routes
// [--format text|json] [DIR]`). The JSON form follows
// docs/schema/routes.schema.json. Paths excluded by DIR's
// .github/clerkguard.yml are left out. It exits 0, or 2 on a usage or
// runtime error.
func cmdRoutes(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "clerkguard routes: one directory expected, got %d: %s\n", len(pos), strings.Join(pos, " "))
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "clerkguard routes: unknown format %q (want text or json)\n", *format)
		return 2
	}
	target := "."
	if len(pos) == 1 {
		target = pos[0]
	}
	snap, err := openTarget(target)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard routes: %v\n", err)
		return 2
	}
	var cfg *rules.Config
	if d, ok := snap.(*source.Dir); ok {
		if b, err := d.Read(ctx, rules.ConfigPath); err == nil {
			if cfg, err = rules.ParseConfig(b, nil); err != nil {
				fmt.Fprintf(stderr, "clerkguard routes: invalid configuration %s: %v\n", rules.ConfigPath, err)
				return 2
			}
			d.Skip = cfg.Skip
		}
	}
	all, err := snap.Files(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard routes: list files: %v\n", err)
		return 2
	}
	var paths []string
	for _, p := range all {
		if !cfg.Skip(p) {
			paths = append(paths, p)
		}
	}
	m, files, err := rules.BuildModel(ctx, snap, paths, rules.Budget{})
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard routes: %v\n", err)
		return 2
	}
	rep, err := m.Report(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard routes: %v\n", err)
		return 2
	}
	rep.Redact(files.RedactSecrets)
	if *format == "json" {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard routes: write output: %v\n", err)
		return 2
	}
	return 0
}
