package rules

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Options configure one run of the engine.
type Options struct {
	Rules  []*Rule
	Config *Config // nil means defaults
	// Diff, when set, puts the run in diff mode: findings on changed lines,
	// or caused by a change, are marked InDiff.
	Diff *diffindex.Index
	// Workers bounds the parallelism across files; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called as files are done.
	Progress func(done, total int)
	// Only, when set, restricts the per-file phase to the files it accepts
	// (the App: changed files plus context). The project model and
	// per-snapshot rules still see every path and read others on demand.
	Only func(path string) bool
	// Budget bounds the cost of the run; zero fields take the defaults.
	Budget Budget
}

// Budget bounds what one run (one review) may cost, so that no pull
// request can exhaust the memory or the time of the process reviewing it.
// A file over budget is skipped and named in Result.Skipped.
type Budget struct {
	// Bytes bounds the file content read in the run.
	Bytes int64
	// Nodes bounds the syntax nodes parsed in the run. Trees of identical
	// content are parsed once and counted once.
	Nodes int64
	// File bounds the parse of each file (nodes and nesting depth).
	File jsast.Limits
}

// Default budget of a run. 32 MiB of source is far more than the code a
// review reads (changed files plus context); 20 million nodes take about
// a minute of parsing.
const (
	DefaultBudgetBytes = 32 << 20
	DefaultBudgetNodes = 20_000_000
)

func (b Budget) orDefault() Budget {
	b.Bytes, b.Nodes = cmp.Or(b.Bytes, DefaultBudgetBytes), cmp.Or(b.Nodes, DefaultBudgetNodes)
	return b
}

// ErrBudget is wrapped by the errors of reads refused because the run's
// byte budget is spent.
var ErrBudget = errors.New("the run's budget is spent")

// Stats are the run's counters, as in the JSON contract.
type Stats struct {
	FilesScanned int   `json:"files_scanned"`
	BytesScanned int64 `json:"bytes_scanned"`
	DurationMS   int64 `json:"duration_ms"`
	FilesSkipped int   `json:"files_skipped,omitempty"`
}

// RuleError is a rule that failed on a file. A failing rule does not abort
// the run; its error is reported next to the findings.
type RuleError struct {
	Rule string `json:"rule"`
	Path string `json:"path,omitempty"`
	Err  string `json:"error"`
}

// SkippedFile is a file the engine did not analyse, or analysed only with
// its line-based rules, with the reason: too large, over the run's budget,
// a syntax tree over the per-file limits, a symbolic link that leaves the
// repository, a FIFO.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Skipped is the former name of SkippedFile.
type Skipped = SkippedFile

// Result is the outcome of a run.
type Result struct {
	Findings []Finding
	Stats    Stats
	Errors   []RuleError
	// Skipped lists the files not (fully) analysed, sorted by path. Every
	// string in a Result is free of the secrets the detector recognises.
	Skipped []SkippedFile
	Project *project.Model
}

// InDiff returns only the findings marked in the diff.
func (r *Result) InDiff() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.InDiff {
			out = append(out, f)
		}
	}
	return out
}

// FileSet is the snapshot's files, read lazily and cached once read by the
// project model or a rule. It implements project.Files and
// project.Parser. It charges every read and parse to the run's budget,
// records the files it refuses, and collects the secrets of every file it
// reads, so the engine can redact them from every finding.
type FileSet struct {
	snap   source.Snapshot
	paths  []string
	parser *jsast.Parser
	bytes  int64 // byte budget
	read   atomic.Int64

	mu      sync.Mutex
	files   map[string]*fileEntry
	skipped map[string]string

	secrets redact.Set
}

type fileEntry struct {
	once sync.Once
	f    *source.File
	err  error
}

// NewFileSet wraps a snapshot whose (filtered) paths are known, with the
// default budget.
func NewFileSet(snap source.Snapshot, paths []string) *FileSet {
	return newFileSet(snap, paths, Budget{})
}

func newFileSet(snap source.Snapshot, paths []string, b Budget) *FileSet {
	b = b.orDefault()
	return &FileSet{snap: snap, paths: paths, bytes: b.Bytes,
		parser: jsast.NewParser(jsast.ParserOptions{Limits: b.File, Budget: b.Nodes}),
		files:  map[string]*fileEntry{}, skipped: map[string]string{}}
}

// Paths implements project.Files.
func (s *FileSet) Paths() []string { return s.paths }

// Get implements project.Files.
func (s *FileSet) Get(ctx context.Context, p string) (*source.File, error) {
	s.mu.Lock()
	e, ok := s.files[p]
	if !ok {
		e = &fileEntry{}
		s.files[p] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		b, err := s.load(ctx, p)
		if err != nil {
			e.err = err
			return
		}
		e.f = source.NewFile(p, b)
	})
	return e.f, e.err
}

// load reads a file against the byte budget and collects its secrets. A
// read that starts before the budget is spent completes, so the total may
// exceed it by one file (source.MaxFileSize).
func (s *FileSet) load(ctx context.Context, p string) ([]byte, error) {
	if s.bytes > 0 && s.read.Load() >= s.bytes {
		err := fmt.Errorf("read %s: %w", p, ErrBudget)
		s.skip(p, fmt.Sprintf("not read: the run's budget of %d bytes of file content is spent", s.bytes))
		return nil, err
	}
	b, err := s.snap.Read(ctx, p)
	if err != nil {
		if errors.Is(err, source.ErrTooLarge) {
			s.skip(p, fmt.Sprintf("larger than %d bytes", source.MaxFileSize))
		}
		return nil, err
	}
	s.read.Add(int64(len(b)))
	if detect.MayHoldSecrets(b) {
		s.secrets.Add(detect.Secrets(string(b))...)
	}
	return b, nil
}

// AST implements project.Parser: the file's syntax tree, through the run's
// parser. A file over the parse limits or the node budget is recorded as
// skipped.
func (s *FileSet) AST(ctx context.Context, f *source.File) (*jsast.File, error) {
	pf, err := s.parser.Parse(ctx, f)
	if err != nil {
		var le *jsast.LimitError
		if errors.As(err, &le) {
			s.skip(f.Path, "syntax tree not built: "+le.Error()+"; only its line-based rules ran")
		}
		return nil, err
	}
	return pf, nil
}

// skip records that p was not (fully) analysed; the first reason stays.
func (s *FileSet) skip(p, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.skipped[p]; !ok {
		s.skipped[p] = reason
	}
}

func (s *FileSet) put(f *source.File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[f.Path]; ok {
		return
	}
	e := &fileEntry{f: f}
	e.once.Do(func() {})
	s.files[f.Path] = e
}

func (s *FileSet) cached(p string) (*source.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[p]
	if !ok {
		return nil, false
	}
	return e.f, e.f != nil
}

// Run analyses a snapshot.
func Run(ctx context.Context, snap source.Snapshot, opts Options) (*Result, error) {
	start := time.Now()
	if err := Validate(opts.Rules); err != nil {
		return nil, err
	}
	all, err := snap.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	var paths []string
	for _, p := range all {
		if opts.Config.Skip(p) {
			continue
		}
		paths = append(paths, p)
	}
	fs := newFileSet(snap, paths, opts.Budget)
	if sk, ok := snap.(source.Skipper); ok {
		for _, x := range sk.Skipped() {
			if !opts.Config.Skip(x.Path) {
				fs.skip(x.Path, x.Reason)
			}
		}
	}
	model, err := project.Build(ctx, fs)
	if err != nil {
		return nil, fmt.Errorf("build project model: %w", err)
	}

	var perFile, perSnap []*Rule
	for _, r := range opts.Rules {
		if !opts.Config.Enabled(r.ID) {
			continue
		}
		if r.Scope == PerSnapshot {
			perSnap = append(perSnap, r)
		} else {
			perFile = append(perFile, r)
		}
	}

	c := &collector{model: model, opts: opts, fs: fs, kw: newKeywordIndex(perFile)}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	scan := paths
	if opts.Only != nil {
		scan = nil
		for _, p := range paths {
			if opts.Only(p) {
				scan = append(scan, p)
			}
		}
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	var done atomic.Int64
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				c.scanFile(ctx, p, perFile)
				n := done.Add(1)
				if opts.Progress != nil {
					opts.Progress(int(n), len(scan))
				}
			}
		}()
	}
feed:
	for _, p := range scan {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range perSnap {
		c.runRule(ctx, r, nil)
	}

	res := c.finish()
	res.Project = model
	res.Stats.DurationMS = time.Since(start).Milliseconds()
	return res, nil
}

type collector struct {
	model *project.Model
	opts  Options
	fs    *FileSet
	kw    *keywordIndex

	mu       sync.Mutex
	findings []Finding
	errs     []RuleError
	supp     []*Suppression
	stats    Stats
}

func (c *collector) scanFile(ctx context.Context, p string, rs []*Rule) {
	f, cachedOK := c.fs.cached(p)
	if !cachedOK {
		b, err := c.fs.load(ctx, p)
		if err != nil {
			c.fs.skip(p, err.Error())
			return
		}
		f = source.NewFile(p, b)
	}
	c.mu.Lock()
	c.stats.FilesScanned++
	c.stats.BytesScanned += int64(len(f.Content))
	c.mu.Unlock()

	if bytes.Contains(f.Content, []byte(SuppressionMarker)) {
		s := ParseSuppressions(p, f.Lines())
		c.mu.Lock()
		c.supp = append(c.supp, s...)
		c.mu.Unlock()
	}
	interesting := false
	var seen []bool
	seenFn := func() []bool {
		if seen == nil {
			seen = c.kw.present(f.Content)
		}
		return seen
	}
	for _, r := range rs {
		if !c.kw.wants(r, f, f.Binary, func() bool { return r.Files(f) }, seenFn) {
			continue
		}
		if !interesting {
			interesting = true
			c.fs.put(f) // later passes may need it again
		}
		c.runRule(ctx, r, f)
	}
}

func (c *collector) runRule(ctx context.Context, r *Rule, f *source.File) {
	var local []Diagnostic
	pass := &Pass{Ctx: ctx, Rule: r, File: f, Project: c.model, files: c.fs,
		report: func(d Diagnostic) { local = append(local, d) }}
	path := ""
	if f != nil {
		path = f.Path
	}
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return r.Run(pass)
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errs = append(c.errs, RuleError{Rule: r.ID, Path: path, Err: err.Error()})
	}
	for _, d := range local {
		c.findings = append(c.findings, c.finding(r, d))
	}
}

func (c *collector) finding(r *Rule, d Diagnostic) Finding {
	if d.EndLine < d.Line {
		d.EndLine = d.Line
	}
	if d.Column < 1 {
		d.Column = 1
	}
	sev := r.Severity
	if d.Severity != 0 {
		sev = d.Severity
	}
	if c.opts.Config != nil {
		if s, ok := c.opts.Config.Rules.Severity[r.ID]; ok {
			sev = s
		}
	}
	conf := r.Confidence
	if d.Confidence != 0 {
		conf = d.Confidence
	}
	fix := d.Fix
	if fix == "" {
		fix = r.Fix(c.model, d.Path)
	}
	match := d.Match
	if match == "" {
		if f, ok := c.fs.cached(d.Path); ok {
			match = strings.TrimSpace(f.Line(d.Line))
		}
	}
	fd := Finding{
		Rule: r.ID, Name: r.Name, Pack: r.Pack, Severity: sev, Confidence: conf, Checklist: r.Checklist,
		Path: d.Path, Line: d.Line, EndLine: d.EndLine, Column: d.Column,
		Message: redact.All(d.Message, d.Secrets), Fix: redact.All(fix, d.Secrets),
		Related: d.Related, Suggestion: d.Suggestion, DocURL: r.DocURL(),
		match: redact.All(match, d.Secrets),
	}
	if fd.Suggestion != nil {
		s := *fd.Suggestion
		s.Text = redact.All(s.Text, d.Secrets)
		fd.Suggestion = &s
	}
	return fd
}

func (c *collector) finish() *Result {
	fs := c.findings
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	// Drop exact duplicates (the same rule at the same place and message).
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := fs[i-1]
			if p.Rule == f.Rule && p.Path == f.Path && p.Line == f.Line && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	fs = out

	// Suppressions.
	kept := fs[:0]
	for _, f := range fs {
		suppressed := false
		for _, s := range c.supp {
			if s.matches(&f) {
				s.used = true
				suppressed = true
			}
		}
		if !suppressed {
			kept = append(kept, f)
		}
	}
	fs = kept
	for _, s := range c.supp {
		switch {
		case len(s.Rules) == 0:
			fs = append(fs, c.meta(&SuppressionMalformed, s, "clerkguard:ignore needs a rule ID and a reason: `clerkguard:ignore CLK-XXX-NNN -- reason`"))
		case s.Reason == "":
			fs = append(fs, c.meta(&SuppressionMalformed, s, fmt.Sprintf("suppression of %s has no reason, so it does not apply; write `-- why this is safe`", strings.Join(s.Rules, ", "))))
		case !s.used && c.ruleEnabled(s.Rules):
			fs = append(fs, c.meta(&SuppressionUnused, s, fmt.Sprintf("suppression of %s matches no finding on this line or the next; remove it", strings.Join(s.Rules, ", "))))
		}
	}

	c.redactSecrets(fs)

	// Fingerprints: rule + path + match, with an occurrence counter.
	seen := map[string]int{}
	for i := range fs {
		k := fs[i].Rule + "\x00" + fs[i].Path + "\x00" + strings.Join(strings.Fields(fs[i].match), " ")
		n := seen[k]
		seen[k] = n + 1
		fs[i].Fingerprint = fingerprint(fs[i].Rule, fs[i].Path, fs[i].match, n)
	}

	if d := c.opts.Diff; d != nil {
		linker, _ := c.fs.snap.(source.Linker)
		for i := range fs {
			markDiff(&fs[i], d, linker)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
	res := &Result{Findings: fs, Stats: c.stats, Errors: c.errs}
	for p, reason := range c.fs.skipped {
		res.Skipped = append(res.Skipped, SkippedFile{Path: p, Reason: c.fs.secrets.Redact(reason)})
	}
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	res.Stats.FilesSkipped = len(res.Skipped)
	return res
}

// redactSecrets enforces the engine's invariant that no finding and no rule error
// shows a secret: every value the detector recognises in any file the run
// read, and in the text itself, is replaced by its redacted form (clipped
// starts included) in every message, fix, match and suggestion.
func (c *collector) redactSecrets(fs []Finding) {
	clean := func(s string) string {
		s = c.fs.secrets.Redact(s)
		if detect.MayHoldSecrets([]byte(s)) {
			s = redact.All(s, detect.Secrets(s))
		}
		return s
	}
	for i := range fs {
		f := &fs[i]
		f.Message, f.Fix, f.match = clean(f.Message), clean(f.Fix), clean(f.match)
		if f.Suggestion != nil {
			s := *f.Suggestion
			s.Text = clean(s.Text)
			f.Suggestion = &s
		}
	}
	for i := range c.errs {
		c.errs[i].Err = clean(c.errs[i].Err)
	}
}

// ruleEnabled reports whether any of ids is a rule of this run, so a
// suppression of a disabled rule is not called unused.
func (c *collector) ruleEnabled(ids []string) bool {
	for _, id := range ids {
		for _, r := range c.opts.Rules {
			if r.ID == id && c.opts.Config.Enabled(id) {
				return true
			}
		}
	}
	return false
}

func (c *collector) meta(r *Rule, s *Suppression, msg string) Finding {
	f := c.finding(r, Diagnostic{Path: s.Path, Line: s.Line, Message: msg})
	return f
}

// markDiff decides whether a finding belongs to the change. A finding on
// a changed line is in the diff; a finding at the path of a symbolic link
// whose target file changed on those lines is moved to the target; a
// finding elsewhere whose related place (a matcher, an imported helper)
// changed is moved to that changed line.
func markDiff(f *Finding, d *diffindex.Index, links source.Linker) {
	if d.Changed(f.Path, f.Line, f.EndLine) {
		f.InDiff = true
		return
	}
	if links != nil {
		if t, ok := links.Target(f.Path); ok && d.Changed(t, f.Line, f.EndLine) {
			f.CausedBy = &Location{Path: f.Path, Line: f.Line}
			f.Message = fmt.Sprintf("%s (%s is a symbolic link to %s, changed here)", f.Message, f.Path, t)
			f.Path = t
			f.InDiff = true
			return
		}
	}
	for _, r := range f.Related {
		if d.Changed(r.Path, r.Line, r.Line) {
			f.CausedBy = &Location{Path: f.Path, Line: f.Line}
			f.Message = fmt.Sprintf("%s (%s is affected by this change)", f.Message, Code(fmt.Sprintf("%s:%d", f.Path, f.Line)))
			f.Path, f.Line, f.EndLine, f.Column = r.Path, r.Line, r.Line, 1
			f.Suggestion = nil
			f.InDiff = true
			return
		}
	}
}
