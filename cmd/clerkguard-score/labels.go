package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// RepoLabels is one label file: the hand-written facts about one public
// repository at one commit (fixtures/corpus/README.md is the format).
type RepoLabels struct {
	Repo              string   `yaml:"repo"`
	Commit            string   `yaml:"commit"`
	Stack             string   `yaml:"stack"`
	Stacks            []string `yaml:"stacks"`
	Official          bool     `yaml:"official"`
	Clerk             string   `yaml:"clerk"`
	Summary           string   `yaml:"summary"`
	LabelledBeforeRun bool     `yaml:"labelled_before_run"`
	Problems          []Label  `yaml:"problems"`
	Traps             []Label  `yaml:"traps"`
	Notes             string   `yaml:"notes"`

	file string // where it was read from, for messages
}

// Label is a problem or a trap.
type Label struct {
	ID         string `yaml:"id"`
	Path       string `yaml:"path"`
	Line       int    `yaml:"line"`
	EndLine    int    `yaml:"end_line"`
	Category   string `yaml:"category"`
	Rule       string `yaml:"rule"`
	Stack      string `yaml:"stack"`
	Severity   string `yaml:"severity"`
	Confidence string `yaml:"confidence"`
	Source     string `yaml:"source"`
	Reason     string `yaml:"reason"`
	// Also are other places where a report of the same problem may be
	// anchored: the route registration of a handler written in another
	// file, the matcher that leaves a route open.
	Also []Place `yaml:"also"`
}

// Place is a path and a line range.
type Place struct {
	Path    string `yaml:"path"`
	Line    int    `yaml:"line"`
	EndLine int    `yaml:"end_line"`
}

// places are the label's own lines, then its Also places.
func (l *Label) places() []Place {
	return append([]Place{{Path: l.Path, Line: l.Line, EndLine: l.EndLine}}, l.Also...)
}

// Stacks is the closed list of stack names labels may use.
var knownStacks = []string{
	"nextjs-app", "nextjs-pages", "trpc", "express", "fastify", "hono", "remix",
	"react-router", "tanstack-start", "astro", "nuxt", "sveltekit", "expo",
	"vite-spa", "convex", "supabase-deno", "go", "other",
}

var (
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	repoRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$`)
)

// LoadLabels reads every *.yaml and *.yml file in dir, strictly: an unknown
// key, a missing field or a value outside its list is an error naming the
// file and the entry, so a typo never silently drops a label.
func LoadLabels(dir string) ([]*RepoLabels, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	var out []*RepoLabels
	seen := map[string]string{}
	var errs []error
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		p := filepath.Join(dir, n)
		b, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", p, err))
			continue
		}
		rl, err := ParseLabels(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		rl.file = p
		if prev, ok := seen[rl.Repo]; ok {
			errs = append(errs, fmt.Errorf("%s: repository %s is labelled again (first in %s)", p, rl.Repo, prev))
			continue
		}
		seen[rl.Repo] = p
		out = append(out, rl)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Repo < out[j].Repo })
	return out, nil
}

// ParseLabels decodes and validates one label file.
func ParseLabels(b []byte) (*RepoLabels, error) {
	var rl RepoLabels
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&rl); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := rl.validate(); err != nil {
		return nil, err
	}
	return &rl, nil
}

func (rl *RepoLabels) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !repoRE.MatchString(rl.Repo) {
		bad("repo %q is not owner/name", rl.Repo)
	}
	if !commitRE.MatchString(rl.Commit) {
		bad("commit %q is not 40 lower-case hex digits", rl.Commit)
	}
	if !isStack(rl.Stack) {
		bad("stack %q is not one of %s", rl.Stack, strings.Join(knownStacks, ", "))
	}
	for _, s := range rl.Stacks {
		if !isStack(s) {
			bad("stacks: %q is not a known stack", s)
		}
	}
	ids := map[string]bool{}
	check := func(kind string, l Label, problem bool) {
		where := fmt.Sprintf("%s %s", kind, l.ID)
		if l.ID == "" {
			bad("%s at %s:%d has no id", kind, l.Path, l.Line)
		} else if ids[l.ID] {
			bad("%s: id used twice", where)
		}
		ids[l.ID] = true
		for _, pl := range l.places() {
			if pl.Path == "" || strings.HasPrefix(pl.Path, "/") || strings.Contains(pl.Path, `\`) {
				bad("%s: path %q must be repository-relative with forward slashes", where, pl.Path)
			}
			if pl.Line < 0 || (pl.EndLine != 0 && pl.EndLine < pl.Line) {
				bad("%s: lines %d-%d of %s are not a range", where, pl.Line, pl.EndLine, pl.Path)
			}
		}
		if _, ok := categories[l.Category]; !ok {
			bad("%s: category %q is not one of %s", where, l.Category, strings.Join(categoryNames(), ", "))
		}
		if l.Rule != "" && !strings.HasPrefix(l.Rule, "CLK-") {
			bad("%s: rule %q is not a clerkguard rule ID", where, l.Rule)
		}
		if l.Stack != "" && !isStack(l.Stack) {
			bad("%s: stack %q is not a known stack", where, l.Stack)
		}
		switch l.Source {
		case "label", "tool", "review":
		default:
			bad("%s: source %q must be label, tool or review", where, l.Source)
		}
		if strings.TrimSpace(l.Reason) == "" {
			bad("%s: reason is empty", where)
		}
		if problem {
			switch l.Confidence {
			case "high", "medium", "low":
			default:
				bad("%s: confidence %q must be high, medium or low", where, l.Confidence)
			}
			switch l.Severity {
			case "critical", "high", "medium", "low", "info":
			default:
				bad("%s: severity %q must be critical, high, medium, low or info", where, l.Severity)
			}
		}
	}
	for _, l := range rl.Problems {
		check("problem", l, true)
	}
	for _, l := range rl.Traps {
		check("trap", l, false)
	}
	return errors.Join(errs...)
}

func isStack(s string) bool {
	for _, k := range knownStacks {
		if k == s {
			return true
		}
	}
	return false
}

// stackOf is the stack a label counts for.
func (rl *RepoLabels) stackOf(l *Label) string {
	if l != nil && l.Stack != "" {
		return l.Stack
	}
	return rl.Stack
}
