// Command clerkguard-score measures clerkguard on the real-world corpus:
// hand-written labels about public repositories (fixtures/corpus), scored
// against what the engine finds in those repositories at the labelled
// commits.
//
//	clerkguard-score --clones DIR [--labels DIR] [--format text|json] [--repo OWNER/NAME] [--compare OLD.json]
//	clerkguard-score --check | --list
//
// DIR holds git clones (bare or not) named owner+name, owner__name or
// owner/name. A repository without a clone is skipped with a message. The
// scorer needs git and nothing else.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/source"
)

// version is set at build time; the report names the engine it measured.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("clerkguard-score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	labelsDir := fs.String("labels", "fixtures/corpus/labels", "directory of label files")
	clones := fs.String("clones", "", "directory of git clones of the corpus repositories (required)")
	format := fs.String("format", "text", "output format: text or json")
	only := fs.String("repo", "", "score only this repository (owner/name)")
	compare := fs.String("compare", "", "a JSON report of an earlier run: print figures before and after")
	check := fs.Bool("check", false, "only validate the label files")
	list := fs.Bool("list", false, "print each labelled repository and commit (to clone them), and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "clerkguard-score: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "clerkguard-score: unknown format %q (want text or json)\n", *format)
		return 2
	}
	labels, err := LoadLabels(*labelsDir)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard-score: %v\n", err)
		return 2
	}
	if *list {
		for _, l := range labels {
			fmt.Fprintf(stdout, "%s %s\n", l.Repo, l.Commit)
		}
		return 0
	}
	if *check {
		np, nt := 0, 0
		for _, l := range labels {
			np += len(l.Problems)
			nt += len(l.Traps)
		}
		fmt.Fprintf(stdout, "%d repositories, %d problems, %d traps: labels are valid\n", len(labels), np, nt)
		return 0
	}
	if *clones == "" {
		fmt.Fprintln(stderr, "clerkguard-score: --clones DIR is required")
		return 2
	}
	var old *Report
	if *compare != "" {
		b, err := os.ReadFile(*compare)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard-score: --compare: %v\n", err)
			return 2
		}
		old = &Report{}
		if err := json.Unmarshal(b, old); err != nil {
			fmt.Fprintf(stderr, "clerkguard-score: --compare %s: %v\n", *compare, err)
			return 2
		}
	}
	if *only != "" {
		var keep []*RepoLabels
		for _, l := range labels {
			if strings.EqualFold(l.Repo, *only) {
				keep = append(keep, l)
			}
		}
		if len(keep) == 0 {
			fmt.Fprintf(stderr, "clerkguard-score: no labels for %s\n", *only)
			return 2
		}
		labels = keep
	}

	var scores []*RepoScore
	for i, rl := range labels {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "clerkguard-score: interrupted")
			return 2
		}
		fmt.Fprintf(stderr, "[%d/%d] %s@%.12s\n", i+1, len(labels), rl.Repo, rl.Commit)
		s, err := scoreRepo(ctx, *clones, rl)
		if err != nil {
			if errors.Is(err, errNoClone) {
				fmt.Fprintf(stderr, "  skipped: %v\n", err)
				scores = append(scores, &RepoScore{Repo: rl.Repo, Commit: rl.Commit, Stack: rl.Stack, Official: rl.Official, Skipped: err.Error()})
				continue
			}
			fmt.Fprintf(stderr, "clerkguard-score: %s: %v\n", rl.Repo, err)
			return 2
		}
		scores = append(scores, s)
	}
	rep := Aggregate(version, labels, scores)
	var werr error
	switch {
	case old != nil:
		werr = rep.WriteComparison(stdout, old)
	case *format == "json":
		werr = rep.WriteJSON(stdout)
	default:
		werr = rep.WriteText(stdout)
	}
	if werr != nil {
		fmt.Fprintf(stderr, "clerkguard-score: write: %v\n", werr)
		return 2
	}
	return 0
}

// scoreRepo extracts one repository at its labelled commit, runs every rule
// with the default configuration, and judges the findings.
func scoreRepo(ctx context.Context, clones string, rl *RepoLabels) (*RepoScore, error) {
	gitDir, err := findGitDir(clones, rl.Repo)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "clerkguard-score-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	missing, err := extract(ctx, gitDir, rl.Commit, dir)
	if err != nil {
		return nil, err
	}
	d, err := source.NewDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	snap := treeDir{d}
	res, err := rules.Run(ctx, snap, rules.Options{Rules: all.Rules(), RequireClerk: true})
	if err != nil {
		return nil, fmt.Errorf("analyse: %w", err)
	}
	var fs []Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Rule, "CLK-CFG-") {
			continue // the engine's own suppression hygiene, not a Clerk finding
		}
		var related []Place
		for _, r := range f.Related {
			related = append(related, Place{Path: r.Path, Line: r.Line})
		}
		fs = append(fs, Finding{Rule: f.Rule, Path: f.Path, Line: f.Line, Severity: f.Severity.String(), Message: f.Message, Related: related})
	}
	s := Judge(rl, fs)
	if missing > 0 {
		s.Errors = append(s.Errors, fmt.Sprintf("%d blobs are not in the clone (large files a snapshot leaves out); those files were not analysed", missing))
	}
	for _, e := range res.Errors {
		s.Errors = append(s.Errors, fmt.Sprintf("rule %s failed on %s: %s", e.Rule, e.Path, e.Err))
	}
	return s, nil
}

// treeDir is a directory extracted from one commit's tree: every file in it
// is committed, whatever a .gitignore says (a tracked file that a later
// .gitignore pattern matches is still in the repository), as source.Git
// answers for the same commit.
type treeDir struct{ *source.Dir }

// Committed implements source.Committer.
func (t treeDir) Committed(_ context.Context, p string) (bool, bool) {
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return false, true
	}
	fi, err := os.Stat(filepath.Join(t.Root, filepath.FromSlash(p)))
	return err == nil && fi.Mode().IsRegular(), true
}
