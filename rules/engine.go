package rules

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
	"github.com/clerkguard/clerkguard/rules/verdictdiff"
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
	// Snippets, when set, fills each Finding's Snippet with its lines and
	// SnippetContext lines around them, redacted like every finding's text.
	Snippets bool
	// PathPrefix, when set (a slash path ending in "/"), is prepended to
	// every path of the result: findings and their related locations,
	// skipped files, rule errors. A scan of one folder of a repository
	// names its files as the repository does, and fingerprints are
	// computed on those names, so they match a scan of the whole
	// repository.
	PathPrefix string
	// RequireClerk, when set, withholds every finding (configuration
	// errors aside) from a snapshot that shows no sign of Clerk: no Clerk
	// SDK in a manifest and no file naming a Clerk package, a CLERK_
	// variable or a Clerk API host (knowledge.MentionsClerk). clerkguard
	// reviews Clerk usage; a project without it gets no finding whatever
	// else it contains (an sk_live_ Stripe key, unguarded routes).
	RequireClerk bool
	// Base, with Diff, is the snapshot the change starts from (review
	// mode): the engine compares the entry points' verdicts of base and
	// head (Pass.ProtectionChanges), and a finding on a changed line that
	// the base already had, as severe, is not marked InDiff (see
	// review.go). Both are computed lazily, only for what the diff can
	// affect.
	Base source.Snapshot
}

// Snippet bounds: the lines shown around a finding, the lines of a long
// finding shown (its first ones), and the characters of one line.
const (
	SnippetContext  = 2
	SnippetMaxLines = 6
	SnippetMaxRunes = 160
)

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
	// NoClerk is set when the run required Clerk (Options.RequireClerk)
	// and found none, so that its findings were withheld.
	NoClerk bool `json:"no_clerk,omitempty"`
}

// RuleError is a rule that failed on a file. A failing rule does not abort
// the run; its error is reported next to the findings. Rule is EngineID
// for the engine's own notes: patterns from the code it could not
// evaluate, and work a stopped analysis did not do.
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

// Result is the outcome of a run.
type Result struct {
	Findings []Finding
	Stats    Stats
	Errors   []RuleError
	// Skipped lists the files not (fully) analysed, sorted by path. Every
	// string in a Result is free of the secrets the detector recognises.
	Skipped []SkippedFile
	Project *project.Model
	// Model is the run's semantic model (nil when the project model was
	// not built).
	Model *model.Model
	// Changes are the entry points whose protection the change made worse,
	// and the new ones left unguarded (review mode, when a rule asked).
	Changes []verdictdiff.Change
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
	once  sync.Once
	f     *source.File
	err   error
	ready atomic.Bool // set once f and err are written
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

// Committed reports whether the snapshot's version control holds the file
// at p (see source.Committer); known is false when the snapshot cannot
// tell.
func (s *FileSet) Committed(ctx context.Context, p string) (committed, known bool) {
	if c, ok := s.snap.(source.Committer); ok {
		return c.Committed(ctx, p)
	}
	return false, false
}

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
	e.ready.Store(true)
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

// RedactSecrets replaces every secret found in the files read so far by
// its redacted form.
func (s *FileSet) RedactSecrets(text string) string { return s.secrets.Redact(text) }

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
	e.ready.Store(true)
	s.files[f.Path] = e
}

func (s *FileSet) cached(p string) (*source.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[p]
	if !ok || !e.ready.Load() { // still being read by Get
		return nil, false
	}
	return e.f, e.f != nil
}

// newModel builds the semantic model of the run over its file set, which
// shares parses and the budget with the rules. It reads nothing until a
// rule asks.
func newModel(fs *FileSet, proj *project.Model) *model.Model { return model.New(fs, proj) }

// BuildModel builds the project model and the semantic model of a
// snapshot without running rules, for commands that only need the model
// (clerkguard routes). paths are the snapshot's (filtered) paths.
func BuildModel(ctx context.Context, snap source.Snapshot, paths []string, b Budget) (*model.Model, *FileSet, error) {
	fs := newFileSet(snap, paths, b)
	proj, err := project.Build(ctx, fs)
	if err != nil {
		return nil, nil, fmt.Errorf("build project model: %w", err)
	}
	return newModel(fs, proj), fs, nil
}

// EngineID is the Rule of the engine's own RuleErrors.
const EngineID = "engine"

// IncompleteError is Run's error when ctx ended (a deadline, a signal)
// before the analysis finished. Run returns it promptly, with the partial
// result, even when a rule never returns: that rule's goroutine is
// abandoned and named here.
type IncompleteError struct {
	Err   error // ctx.Err()
	Cause error // context.Cause(ctx)
	// Unfinished are the rule runs that had started and not returned, and
	// a note when the project model was not built.
	Unfinished []RuleError
	// FilesNotDone counts files whose rules did not all run.
	FilesNotDone, Files int
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "analysis stopped before it finished (%v)", e.Cause)
	if len(e.Unfinished) > 0 {
		var names []string
		for _, u := range e.Unfinished {
			if u.Path != "" {
				names = append(names, u.Rule+" on "+u.Path)
			} else {
				names = append(names, u.Rule)
			}
		}
		fmt.Fprintf(&b, "; still running: %s", strings.Join(limitNames(names, 5), ", "))
	}
	if e.FilesNotDone > 0 {
		fmt.Fprintf(&b, "; %d of %d files not fully analysed", e.FilesNotDone, e.Files)
	}
	return b.String()
}

func (e *IncompleteError) Unwrap() error { return e.Err }

func limitNames(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// Run analyses a snapshot. When ctx ends first, Run returns at once with
// the findings of the rule runs that completed and an *IncompleteError
// naming the ones that did not; rule goroutines that do not return are
// abandoned, never waited for.
func Run(ctx context.Context, snap source.Snapshot, opts Options) (*Result, error) {
	start := time.Now()
	if err := Validate(opts.Rules); err != nil {
		return nil, err
	}
	all, err := snap.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	var paths, built []string
	for _, p := range all {
		if opts.Config.Skip(p) {
			if source.BuildOutput(p) && !opts.Config.Excluded(p) && committedOrUnknown(ctx, snap, p) {
				built = append(built, p)
			}
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
	c := &collector{opts: opts, fs: fs, running: map[*ruleRun]bool{}}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.analyse(ctx, paths, built)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		if o.err == nil || ctx.Err() == nil {
			if o.res != nil {
				o.res.Stats.DurationMS = time.Since(start).Milliseconds()
			}
			return o.res, o.err
		}
	case <-ctx.Done():
	}
	res, ierr := c.abandon(ctx)
	res.Stats.DurationMS = time.Since(start).Milliseconds()
	return res, ierr
}

// analyse builds the model and runs the rules; Run may stop waiting for it.
// committedOrUnknown reports whether version control holds p, or the
// snapshot cannot tell: local, ignored build output is no leak.
func committedOrUnknown(ctx context.Context, snap source.Snapshot, p string) bool {
	c, ok := snap.(source.Committer)
	if !ok {
		return true
	}
	committed, known := c.Committed(ctx, p)
	return committed || !known
}

// analyse runs the rules over paths; built (committed build output, not
// in the project model) is shown only to the per-file rules that ask for
// it (Rule.BuildOutput).
func (c *collector) analyse(ctx context.Context, paths, built []string) (*Result, error) {
	opts, fs := c.opts, c.fs
	model, err := project.Build(ctx, fs)
	if err != nil {
		return nil, fmt.Errorf("build project model: %w", err)
	}
	c.mu.Lock()
	c.model = model
	c.sem = newModel(fs, model)
	c.mu.Unlock()

	var perFile, perSnap, perBuilt []*Rule
	for _, r := range opts.Rules {
		if !opts.Config.Enabled(r.ID) {
			continue
		}
		if r.Scope == PerSnapshot {
			perSnap = append(perSnap, r)
		} else {
			perFile = append(perFile, r)
			if r.BuildOutput {
				perBuilt = append(perBuilt, r)
			}
		}
	}

	c.kw = newKeywordIndex(perFile)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		path  string
		rules []*Rule
	}
	var scan []job
	add := func(ps []string, rs []*Rule) {
		for _, p := range ps {
			if opts.Only == nil || opts.Only(p) {
				scan = append(scan, job{p, rs})
			}
		}
	}
	// Files that are not JavaScript or TypeScript (environment files,
	// configuration, CI workflows, Dockerfiles) are scanned first: they
	// are small and where committed secrets live, and a rule on a code
	// file may ask the model about the whole snapshot, whose reads would
	// otherwise spend the byte budget on code before them. The order is
	// stable, so a run stays deterministic.
	ordered := append([]string(nil), paths...)
	sort.SliceStable(ordered, func(i, j int) bool {
		return !source.IsScriptPath(ordered[i]) && source.IsScriptPath(ordered[j])
	})
	add(ordered, perFile)
	if len(perBuilt) > 0 {
		add(built, perBuilt)
	}
	c.mu.Lock()
	c.files = len(scan)
	c.mu.Unlock()
	jobs := make(chan job)
	var wg sync.WaitGroup
	var done atomic.Int64
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c.scanFile(ctx, j.path, j.rules)
				n := done.Add(1)
				c.mu.Lock()
				c.filesDone = int(n)
				closed := c.closed
				c.mu.Unlock()
				if opts.Progress != nil && !closed {
					opts.Progress(int(n), len(scan))
				}
			}
		}()
	}
feed:
	for _, j := range scan {
		select {
		case jobs <- j:
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

	c.mu.Lock()
	res := c.finish(false)
	c.mu.Unlock()
	c.dropPreexisting(ctx, res)
	foldIntoProtection(res)
	return res, nil
}

// abandon stops collecting and returns what the finished rule runs found,
// with the error naming the unfinished ones.
func (c *collector) abandon(ctx context.Context) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	ie := &IncompleteError{Err: ctx.Err(), Cause: context.Cause(ctx), Files: c.files, FilesNotDone: c.files - c.filesDone}
	if c.model == nil {
		ie.Unfinished = append(ie.Unfinished, RuleError{Rule: EngineID, Err: "the project model was not built before the analysis stopped"})
	}
	var runs []RuleError
	for r := range c.running {
		runs = append(runs, RuleError{Rule: r.rule, Path: r.path, Err: fmt.Sprintf("did not finish before the analysis stopped (%v)", ie.Cause)})
	}
	sort.Slice(runs, func(i, j int) bool {
		if runs[i].Rule != runs[j].Rule {
			return runs[i].Rule < runs[j].Rule
		}
		return runs[i].Path < runs[j].Path
	})
	ie.Unfinished = append(ie.Unfinished, runs...)
	// finish sorts and filters in place: work on copies, since abandoned
	// goroutines may still hold the collector.
	part := &collector{model: c.model, sem: c.sem, opts: c.opts, fs: c.fs,
		findings: append([]Finding(nil), c.findings...), errs: append(append([]RuleError(nil), c.errs...), ie.Unfinished...),
		supp: append([]*Suppression(nil), c.supp...), stats: c.stats}
	return part.finish(true), ie
}

type collector struct {
	opts Options
	// clerkSeen is set once a file read in the run names Clerk.
	clerkSeen atomic.Bool
	fs        *FileSet
	kw        *keywordIndex

	mu       sync.Mutex
	model    *project.Model // set once built
	sem      *model.Model   // the semantic model over model, set with it
	findings []Finding
	errs     []RuleError
	supp     []*Suppression
	stats    Stats
	// running are the rule runs in progress; closed is set when Run has
	// returned without them, and drops whatever they report later.
	running          map[*ruleRun]bool
	closed           bool
	files, filesDone int

	base review // review mode: the base side, computed on demand
}

type ruleRun struct{ rule, path string }

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
	if c.opts.RequireClerk && !c.clerkSeen.Load() && knowledge.MentionsClerk(f.Content) {
		c.clerkSeen.Store(true)
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
	path := ""
	if f != nil {
		path = f.Path
	}
	run := &ruleRun{rule: r.ID, path: path}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.running[run] = true
	proj, sem := c.model, c.sem
	c.mu.Unlock()
	pass := &Pass{Ctx: ctx, Rule: r, File: f, Project: proj, Model: sem, files: c.fs,
		report: func(d Diagnostic) { local = append(local, d) }, changes: c.protectionChanges}
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
	delete(c.running, run)
	if c.closed {
		return
	}
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
		Protection: d.Protection, changedHere: d.ChangedHere,
		match: redact.All(match, d.Secrets),
	}
	if fd.Suggestion != nil {
		s := *fd.Suggestion
		s.Text = redact.All(s.Text, d.Secrets)
		fd.Suggestion = &s
	}
	return fd
}

// finish builds the result; c.mu is held (or c is private). A partial
// result reports no unused suppressions: the rule that would have used one
// may not have run.
func (c *collector) finish(partial bool) *Result {
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

	// Suppressions, at the finding's place or where diff mode shows it
	// (the changed line that caused it).
	linker, _ := c.fs.snap.(source.Linker)
	kept := fs[:0]
	for _, f := range fs {
		suppressed := false
		shown := f
		if d := c.opts.Diff; d != nil {
			markDiff(&shown, d, linker)
		}
		for _, s := range c.supp {
			if s.matches(&f) || s.matches(&shown) {
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
		case !s.used && !partial && c.ruleEnabled(s.Rules):
			fs = append(fs, c.meta(&SuppressionUnused, s, fmt.Sprintf("suppression of %s matches no finding on this line or the next; remove it", strings.Join(s.Rules, ", "))))
		}
	}

	c.redactSecrets(fs)
	if c.opts.Snippets {
		for i := range fs {
			fs[i].Snippet = c.snippet(&fs[i])
		}
	}

	if c.opts.RequireClerk && !c.clerkSeen.Load() && (c.model == nil || !c.model.UsesClerk()) {
		fs = slices.DeleteFunc(fs, func(f Finding) bool { return !strings.HasPrefix(f.Rule, "CLK-CFG-") })
		c.stats.NoClerk = true
	}
	if pre := c.opts.PathPrefix; pre != "" {
		for i := range fs {
			prefixFinding(&fs[i], pre)
		}
	}

	// Fingerprints: rule + path + match, with an occurrence counter.
	seen := map[string]int{}
	for i := range fs {
		k := fs[i].Rule + "\x00" + fs[i].Path + "\x00" + strings.Join(strings.Fields(fs[i].match), " ")
		n := seen[k]
		seen[k] = n + 1
		fs[i].Fingerprint = fingerprint(fs[i].Rule, fs[i].Path, fs[i].match, n)
	}

	if d := c.opts.Diff; d != nil {
		for i := range fs {
			fs[i].key = reviewKey(&fs[i])
			markDiff(&fs[i], d, linker)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
	errs := c.errs
	if c.model != nil {
		errs = append(errs, patternNotes(c.model)...)
	}
	res := &Result{Findings: fs, Stats: c.stats, Errors: errs, Project: c.model, Model: c.sem, Changes: c.base.list()}
	for p, reason := range c.fs.skipped {
		res.Skipped = append(res.Skipped, SkippedFile{Path: p, Reason: c.fs.secrets.Redact(reason)})
	}
	if pre := c.opts.PathPrefix; pre != "" {
		for i := range res.Skipped {
			res.Skipped[i].Path = pre + res.Skipped[i].Path
		}
		for i := range res.Errors {
			if res.Errors[i].Path != "" {
				res.Errors[i].Path = pre + res.Errors[i].Path
			}
		}
	}
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	res.Stats.FilesSkipped = len(res.Skipped)
	return res
}

// prefixFinding prepends pre to every path of f.
func prefixFinding(f *Finding, pre string) {
	f.Path = pre + f.Path
	for i := range f.Related {
		f.Related[i].Path = pre + f.Related[i].Path
	}
	if f.CausedBy != nil {
		cb := *f.CausedBy
		cb.Path = pre + cb.Path
		f.CausedBy = &cb
	}
}

// redactSecrets enforces the engine's invariant that no finding and no rule error
// shows a secret: every value the detector recognises in any file the run
// read, and in the text itself, is replaced by its redacted form (clipped
// starts included) in every message, fix, match and suggestion.
func (c *collector) redactSecrets(fs []Finding) {
	clean := c.clean
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

// clean redacts every secret of the run's files, and any the detector
// recognises in s itself.
func (c *collector) clean(s string) string {
	s = c.fs.secrets.Redact(s)
	if detect.MayHoldSecrets([]byte(s)) {
		s = redact.All(s, detect.Secrets(s))
	}
	return s
}

// snippet returns the lines of f's file around it, each redacted (before
// it is cut, so no cut leaves a secret's start unredacted), or nil when
// the file was not read in the run.
func (c *collector) snippet(f *Finding) []SnippetLine {
	file, ok := c.fs.cached(f.Path)
	if !ok || file.Binary || f.Line < 1 {
		return nil
	}
	lines := file.Lines()
	last := min(f.EndLine, f.Line+SnippetMaxLines-1)
	from, to := max(1, f.Line-SnippetContext), min(len(lines), last+SnippetContext)
	var out []SnippetLine
	for n := from; n <= to; n++ {
		text := c.clean(strings.TrimRight(lines[n-1], "\r"))
		if r := []rune(text); len(r) > SnippetMaxRunes {
			text = string(r[:SnippetMaxRunes]) + "…"
		}
		out = append(out, SnippetLine{Line: n, Text: text, Finding: n >= f.Line && n <= f.EndLine})
	}
	return out
}

// patternNotes reports the patterns from the code that could not be
// evaluated, so a review says what it did not judge.
func patternNotes(m *project.Model) []RuleError {
	var out []RuleError
	for _, f := range m.Patterns().Failures() {
		path := ""
		if len(f.Where) > 0 {
			path = f.Where[0]
			if i := strings.LastIndexByte(path, ':'); i >= 0 {
				path = path[:i]
			}
		}
		out = append(out, RuleError{Rule: EngineID, Path: path, Err: f.Describe()})
	}
	return out
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
	if f.changedHere || d.Changed(f.Path, f.Line, f.EndLine) {
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
