package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Further limits of one review's reads.
const (
	// maxLinks bounds the symlinks whose targets a review reads.
	maxLinks = 1000
	// maxLinkedFiles bounds the paths a review adds for files reached through
	// symlinked directories.
	maxLinkedFiles = 20000
	// maxOnDemand bounds the requests the engine's reads make beyond what
	// the review selected up front. Rules read context they discover (the
	// pages under a gated component, the handler a fetch calls), so a miss
	// reads a batch: the file and the unread files of its priority class
	// that follow it by path, within the budget.
	maxOnDemand = 10
	// maxLinkReads bounds the single reads of symlink targets not read in
	// the first batch.
	maxLinkReads = 16
)

// gathered is what a review reads before it runs the engine.
type gathered struct {
	snap *apiSnapshot
	// base is the merge base, read only when the engine asks.
	base *baseSnapshot
	// idx holds the changed lines the engine marks findings with: GitHub's
	// hunks, or hunks computed here from the two blobs where GitHub's do not
	// describe the analysed content (symlinks, a diff GitHub refused).
	idx *diffindex.Index
	// anchors holds GitHub's own hunks, the only valid review comment
	// anchors (nil: none).
	anchors *diffindex.Index
	only    map[string]bool     // files the engine analyses
	skipped []rules.SkippedFile // wanted files not analysed, with the reason
	notes   []string            // why the review is partial, beyond single files
	changed map[string]bool     // changed head paths
	stats   func() (int, int)   // GraphQL queries, raw blob reads
	lister  *treeLister         // tree listings made
	links   map[string][]string // paths reached through symlinks -> the links followed
	// ruleFailed holds the paths a rule failed on (set by skippedAfter).
	ruleFailed map[string]bool
}

// gatherer holds one gather's state.
type gatherer struct {
	rv      *Reviewer
	gh      GitHub
	req     Request
	baseSHA string
	log     *slog.Logger
	lister  *treeLister
	fetch   *blobFetcher
	budget  Budget
	used    Budget
	cfg     *rules.Config
	// readAhead is true until the first read: it fills its request.
	readAhead bool

	head *gitTree
	// diff is GitHub's diff of the pull request when it gave the change
	// list (nil: the trees were compared); the base is rebuilt from it.
	diff     *diffindex.Index
	base     *gitTree // listed when needed
	baseErr  error
	baseDone bool
	g        *gathered
}

// gather lists what changed, chooses what to analyse within the budget,
// reads it in batches and builds the snapshot the engine runs on.
func (rv *Reviewer) gather(ctx context.Context, gh GitHub, req Request, baseSHA string, cfg *rules.Config, log *slog.Logger) (*gathered, error) {
	gt := &gatherer{rv: rv, gh: gh, req: req, baseSHA: baseSHA, log: log, budget: rv.Budget.withDefaults(), cfg: cfg, readAhead: true,
		lister: newTreeLister(gh), fetch: newBlobFetcher(gh, rv.Cache)}
	gt.g = &gathered{only: map[string]bool{}, changed: map[string]bool{}, links: map[string][]string{}, lister: gt.lister}
	gt.g.stats = gt.fetch.stats
	gt.g.base = &baseSnapshot{gt: gt}
	return gt.g, gt.run(ctx, cfg)
}

func (gt *gatherer) run(ctx context.Context, cfg *rules.Config) error {
	g := gt.g
	head, err := gt.lister.list(ctx, gt.req.HeadSHA)
	if err != nil {
		return err
	}
	gt.head = head
	changes, local, err := gt.changes(ctx)
	if err != nil {
		return err
	}

	// The files the engine sees: every blob, symlinks resolved in the tree.
	files, linkErr, err := gt.resolveHead(ctx)
	if err != nil {
		return err
	}
	snap := &apiSnapshot{files: files, fetch: gt.fetch, budget: gt.budget, used: &gt.used, refused: map[string]string{}}
	for p := range files {
		snap.paths = append(snap.paths, p)
	}
	sort.Strings(snap.paths)
	g.snap = snap

	// What changed, as the engine sees it.
	real := map[string]bool{}
	for _, c := range changes {
		if c.Path != "" {
			real[c.Path] = true
		}
	}
	needLocal := map[string]string{} // head path -> base path ("" = added)
	for _, c := range changes {
		if c.Path == "" || source.DefaultSkip(c.Path) {
			continue
		}
		if _, ok := files[c.Path]; !ok {
			if _, ok := linkErr[c.Path]; !ok {
				continue // a submodule or a symlinked directory: no content of its own
			}
		}
		g.changed[c.Path] = true
		if local || len(g.links[c.Path]) > 0 {
			needLocal[c.Path] = c.OldPath
		}
	}
	// A path reached through symlinks changed when its target or any link
	// on the way did, even though GitHub's diff shows only those.
	for p, links := range g.links {
		if g.changed[p] {
			continue
		}
		hit := real[files[p].path]
		for _, l := range links {
			hit = hit || real[l]
		}
		if hit {
			g.changed[p] = true
			needLocal[p] = p
		}
	}
	var changedList []string
	for p := range g.changed {
		changedList = append(changedList, p)
	}
	sort.Strings(changedList)

	// Choose within the budget: changed files and the context they need. A
	// deleted middleware file counts as a changed one: the routes it
	// guarded are the context of the comparison with the base.
	ctxOf := append([]string(nil), changedList...)
	for _, c := range changes {
		if c.Path == "" && isMiddleware(c.OldPath) {
			ctxOf = append(ctxOf, c.OldPath)
		}
	}
	wanted := map[string]bool{}
	for _, p := range append(append([]string(nil), changedList...), staticContext(snap.paths, ctxOf)...) {
		if !cfg.Skip(p) {
			wanted[p] = true
		}
	}
	for p, err := range linkErr {
		if wanted[p] {
			g.skipped = append(g.skipped, rules.SkippedFile{Path: p, Reason: err.Error()})
			delete(wanted, p)
		}
	}
	if err := gt.choose(ctx, wanted, "not analysed: the review budget (%s) went to higher-priority files"); err != nil {
		return err
	}
	// Helpers imported by changed files, two levels deep.
	frontier := changedList
	for depth := 0; depth < 2 && len(frontier) > 0; depth++ {
		next := map[string]bool{}
		for _, p := range frontier {
			if !g.only[p] {
				continue
			}
			b, err, ok := gt.fetch.get(files[p].SHA)
			if !ok || err != nil {
				continue
			}
			for _, t := range importsOf(p, b, snap.has) {
				if !g.only[t] && !cfg.Skip(t) && !source.DefaultSkip(t) {
					next[t] = true
				}
			}
		}
		if err := gt.choose(ctx, next, "not analysed: imported by a changed file, but the review budget (%s) was used"); err != nil {
			return err
		}
		frontier = nil
		for p := range next {
			frontier = append(frontier, p)
		}
		sort.Strings(frontier)
	}

	if err := gt.hunks(ctx, needLocal); err != nil {
		return err
	}
	if gt.head.truncated && gt.middlewareChanged(changedList) {
		g.notes = append(g.notes, "The repository tree is larger than GitHub lists in one request, so route files beyond that listing were not checked against the changed middleware.")
	}
	sort.Slice(g.skipped, func(i, j int) bool { return g.skipped[i].Path < g.skipped[j].Path })
	return nil
}

func (gt *gatherer) middlewareChanged(changed []string) bool {
	for _, p := range changed {
		if isMiddleware(p) {
			return true
		}
	}
	return false
}

// choose selects among wanted files within the remaining budget, reads the
// chosen ones and records the rest as skipped.
func (gt *gatherer) choose(ctx context.Context, wanted map[string]bool, reason string) error {
	g := gt.g
	var cands []candidate
	for p := range wanted {
		if e, ok := g.snap.files[p]; ok {
			cands = append(cands, candidate{Path: p, SHA: e.SHA, Size: e.Size})
		}
	}
	sel := choose(cands, gt.budget, &gt.used)
	want := map[string]int{}
	for _, c := range sel.chosen {
		g.only[c.Path] = true
		want[c.SHA] = c.Size
	}
	for _, c := range sel.tooBig {
		g.only[c.Path] = true // the engine reports it as too large
	}
	for _, c := range sel.dropped {
		g.skipped = append(g.skipped, rules.SkippedFile{Path: c.Path, Reason: fmt.Sprintf(reason, gt.budget)})
	}
	if gt.readAhead {
		gt.readAhead = false
		gt.fill(want)
	}
	return gt.fetch.fetch(ctx, want)
}

// fill adds to a first read that makes requests the code and
// configuration files its last request has room for, most
// security-relevant first, within the budget: the helpers the changed
// files import and the files the engine reads for context are then usually
// read already, instead of costing a request per import level and per
// miss.
func (gt *gatherer) fill(want map[string]int) {
	bytes := 0
	for _, size := range want {
		bytes += size
	}
	rest := len(want) % blobsPerQuery
	if len(want) == 0 || rest == 0 {
		return
	}
	maxFiles := len(want) - rest + blobsPerQuery
	maxBytes := (bytes/bytesPerQuery + 1) * bytesPerQuery
	var cands []candidate
	for p, e := range gt.g.snap.files {
		if _, ok := want[e.SHA]; ok || priority(p) > prioCode || e.Size > maxGraphQLText || source.DefaultSkip(p) || gt.cfg.Skip(p) {
			continue
		}
		if _, _, done := gt.fetch.get(e.SHA); done {
			continue
		}
		cands = append(cands, candidate{Path: p, SHA: e.SHA, Size: e.Size})
	}
	sortCandidates(cands)
	for _, c := range cands {
		if len(want) >= maxFiles || bytes+c.Size > maxBytes ||
			gt.used.Files+1 > gt.budget.Files || gt.used.Bytes+int64(c.Size) > gt.budget.Bytes {
			continue
		}
		if _, ok := want[c.SHA]; ok {
			continue
		}
		want[c.SHA] = c.Size
		bytes += c.Size
		gt.used.Files++
		gt.used.Bytes += int64(c.Size)
	}
}

// changes lists the changed files. For a pull request whose diff GitHub
// serves (at most 300 files and 20,000 lines) the diff is the complete list
// and gives the hunks; otherwise the base and head trees are compared by
// blob SHA, against the merge base as GitHub's diff is, and hunks are
// computed locally (local=true).
func (gt *gatherer) changes(ctx context.Context) (cs []change, local bool, err error) {
	g := gt.g
	if gt.req.PR > 0 {
		raw, err := gt.gh.Diff(ctx, gt.req.PR)
		switch code := status(err); {
		case err == nil:
			if cs, ok, err := gt.changesFromDiff(ctx, raw); err != nil {
				return nil, false, err
			} else if ok {
				return cs, false, nil
			}
			gt.log.Warn("the pull request's diff does not match its head tree; comparing trees instead")
		case code == http.StatusNotAcceptable || code == http.StatusUnprocessableEntity || code >= 500:
			// too large (406) or not served: compare the trees
		default:
			return nil, false, fmt.Errorf("get diff: %w", err)
		}
	}
	base, err := gt.baseTree(ctx)
	if err != nil {
		return nil, false, err
	}
	cs, err = diffTrees(ctx, gt.lister, base, gt.head)
	if errors.Is(err, errTreeBudget) {
		g.notes = append(g.notes, fmt.Sprintf("The change is spread over more directories than one review lists (%d), so the list of changed files is incomplete.", maxTreeCalls))
	} else if err != nil {
		return nil, false, err
	}
	g.idx = &diffindex.Index{Files: map[string]*diffindex.File{}}
	for _, c := range cs {
		if c.Path == "" {
			g.idx.Files[c.OldPath] = &diffindex.File{OldPath: c.OldPath, Deleted: true, Changed: map[int]bool{}, Commentable: map[int]bool{}}
		}
	}
	return cs, true, nil
}

// changesFromDiff takes the change list from GitHub's diff; ok is false
// when a changed path is not in the head tree (the list cannot be trusted).
func (gt *gatherer) changesFromDiff(ctx context.Context, raw string) ([]change, bool, error) {
	idx, err := diffindex.Parse([]byte(raw))
	if err != nil {
		gt.log.Warn("could not parse the pull request's diff", "err", err)
		return nil, false, nil
	}
	anchors, err := diffindex.Parse([]byte(raw))
	if err != nil {
		return nil, false, nil
	}
	var cs []change
	for key, f := range idx.Files {
		c := change{Path: f.Path, OldPath: f.OldPath}
		if f.Deleted {
			c.Path, c.OldPath = "", key
		} else if f.Added {
			c.OldPath = ""
		} else if c.OldPath == "" {
			c.OldPath = c.Path
		}
		if c.Path != "" {
			_, _, found, err := gt.head.stat(ctx, gt.lister, c.Path)
			if err != nil && !errors.Is(err, errTreeBudget) {
				return nil, false, err
			}
			if !found && !gt.head.subs[c.Path] {
				return nil, false, nil
			}
		}
		cs = append(cs, c)
	}
	sortChanges(cs)
	gt.g.idx, gt.g.anchors, gt.diff = idx, anchors, anchors
	return cs, true, nil
}

// baseTree lists the base commit's tree once: the merge base for a pull
// request (GitHub's base.sha is the base branch's tip, which moves on after
// the head branched off), the queue's base for a merge group.
func (gt *gatherer) baseTree(ctx context.Context) (*gitTree, error) {
	if gt.baseDone {
		return gt.base, gt.baseErr
	}
	gt.baseDone = true
	sha := gt.baseSHA
	if gt.req.PR > 0 {
		cmp, err := gt.gh.Compare(ctx, gt.baseSHA, gt.req.HeadSHA)
		if mb := cmp.GetMergeBaseCommit().GetSHA(); err == nil && mb != "" {
			sha = mb
			if gt.g.anchors == nil {
				gt.g.anchors = &diffindex.Index{Files: map[string]*diffindex.File{}}
				for _, f := range cmp.Files {
					if f.GetPatch() != "" && f.GetStatus() != "removed" {
						df := indexHunks(f.GetPatch())
						df.Path = f.GetFilename()
						gt.g.anchors.Files[df.Path] = df
					}
				}
			}
		} else {
			// The base tip is a superset: files changed on the base branch
			// since the merge base also look changed. Never fewer files.
			gt.log.Warn("could not find the merge base; comparing with the base branch's tip", "err", err)
		}
	}
	gt.base, gt.baseErr = gt.lister.list(ctx, sha)
	return gt.base, gt.baseErr
}

// linkTargets returns the function a resolver reads symlink targets with:
// with prefetch, batched reads of the tree's links (at most maxLinks) first;
// then single reads, at most maxLinkReads.
func (gt *gatherer) linkTargets(ctx context.Context, t *gitTree, prefetch bool) (func(context.Context, string, blobEntry) (string, error), error) {
	if prefetch {
		var links []string
		for p, e := range t.blobs {
			if e.symlink() {
				links = append(links, p)
			}
		}
		sort.Strings(links)
		want := map[string]int{}
		for i, p := range links {
			if i < maxLinks {
				want[t.blobs[p].SHA] = t.blobs[p].Size
			}
		}
		if err := gt.fetch.fetch(ctx, want); err != nil {
			return nil, err
		}
	}
	var mu sync.Mutex
	extra := 0
	return func(ctx context.Context, p string, e blobEntry) (string, error) {
		b, err, ok := gt.fetch.get(e.SHA)
		if !ok {
			mu.Lock()
			if extra >= maxLinkReads {
				mu.Unlock()
				return "", fmt.Errorf("%w: more than %d symlinks", errLinkUnread, maxLinks)
			}
			extra++
			mu.Unlock()
			if err := gt.fetch.fetch(ctx, map[string]int{e.SHA: e.Size}); err != nil {
				return "", err
			}
			b, err, _ = gt.fetch.get(e.SHA)
		}
		if err != nil {
			return "", fmt.Errorf("%w: %w", errLinkUnread, err)
		}
		return string(b), nil
	}, nil
}

// resolvedFile is a path's content: the blob of the real file it leads to.
type resolvedFile struct {
	blobEntry
	path string // the real file's path
}

// resolveHead maps every analysable head path to its content, following
// symlinks within the tree: a link to a file is analysed at the link's path
// with the target's content, a link to a directory makes the directory's
// files appear under the link too. Links that cannot be followed are
// returned with the reason.
func (gt *gatherer) resolveHead(ctx context.Context) (map[string]resolvedFile, map[string]error, error) {
	files := map[string]resolvedFile{}
	linkErr := map[string]error{}
	target, err := gt.linkTargets(ctx, gt.head, true)
	if err != nil {
		return nil, nil, err
	}
	r := &resolver{tree: gt.head, lister: gt.lister, target: target}
	var links []string
	for p, e := range gt.head.blobs {
		if source.DefaultSkip(p) {
			continue
		}
		if e.symlink() {
			links = append(links, p)
			continue
		}
		files[p] = resolvedFile{blobEntry: e, path: p}
	}
	sort.Strings(links)
	var dirLinks []resolution
	var dirLinkPaths []string
	for _, p := range links {
		res, err := r.resolve(ctx, p)
		switch {
		case err == nil:
			files[p] = resolvedFile{blobEntry: res.Entry, path: res.Path}
			gt.g.links[p] = res.Links
		case errors.Is(err, source.ErrLinkDir):
			dirLinks, dirLinkPaths = append(dirLinks, res), append(dirLinkPaths, p)
		case isLinkErr(err):
			linkErr[p] = err
		default:
			return nil, nil, fmt.Errorf("resolve symlink %s: %w", p, err)
		}
	}
	// Files of symlinked directories, under the link's path.
	added := 0
	for i, d := range dirLinks {
		link := dirLinkPaths[i]
		prefix := d.Path + "/"
		if d.Path == "" {
			prefix = ""
		}
		if strings.HasPrefix(link+"/", prefix) {
			continue // a link to its own ancestor: a loop
		}
		var under []string
		for p := range gt.head.blobs {
			if strings.HasPrefix(p, prefix) {
				under = append(under, p)
			}
		}
		sort.Strings(under)
		for _, p := range under {
			v := link + "/" + p[len(prefix):]
			if _, ok := files[v]; ok || source.DefaultSkip(v) {
				continue
			}
			if added >= maxLinkedFiles {
				gt.g.notes = append(gt.g.notes, fmt.Sprintf("Symlinked directories hold more than %d files; the rest were not analysed.", maxLinkedFiles))
				return files, linkErr, nil
			}
			res, err := r.resolve(ctx, v)
			if err != nil && !isLinkErr(err) && !errors.Is(err, source.ErrLinkDir) {
				return nil, nil, fmt.Errorf("resolve %s: %w", v, err)
			}
			if err != nil {
				continue // a nested link to a directory or out of the tree: the real path is analysed on its own
			}
			added++
			files[v] = resolvedFile{blobEntry: res.Entry, path: res.Path}
			gt.g.links[v] = res.Links
		}
	}
	return files, linkErr, nil
}

// hunks computes local hunks for the given head paths (-> base path) that
// the engine analyses, from the base and head contents.
func (gt *gatherer) hunks(ctx context.Context, need map[string]string) error {
	g := gt.g
	var paths []string
	for p := range need {
		if g.only[p] {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	sort.Strings(paths)
	base, err := gt.baseTree(ctx)
	if err != nil {
		return err
	}
	target, err := gt.linkTargets(ctx, base, false)
	if err != nil {
		return err
	}
	r := &resolver{tree: base, lister: gt.lister, target: target}
	old := map[string]blobEntry{}
	want := map[string]int{}
	for _, p := range paths {
		if need[p] == "" {
			continue
		}
		res, err := r.resolve(ctx, need[p])
		if err != nil && !isLinkErr(err) && !errors.Is(err, source.ErrLinkDir) {
			return fmt.Errorf("resolve %s in the base: %w", need[p], err)
		}
		if err != nil || res.Entry.Size > source.MaxFileSize {
			continue // not a file in the base: every line is new
		}
		old[p] = res.Entry
		if gt.used.Bytes+int64(res.Entry.Size) <= gt.budget.Bytes {
			gt.used.Bytes += int64(res.Entry.Size)
			want[res.Entry.SHA] = res.Entry.Size
		}
	}
	if err := gt.fetch.fetch(ctx, want); err != nil {
		return err
	}
	for _, p := range paths {
		newB, err, ok := gt.fetch.get(g.snap.files[p].SHA)
		if !ok || err != nil {
			continue // the engine reports it as unreadable
		}
		var oldB []byte
		if e, ok := old[p]; ok {
			b, err, ok := gt.fetch.get(e.SHA)
			if !ok || err != nil {
				b = nil // unread base: every line counts as changed
			}
			oldB = b
		}
		f := indexHunks(localHunks(oldB, newB))
		f.Path, f.OldPath, f.Added = p, need[p], need[p] == ""
		g.idx.Files[p] = f
	}
	return nil
}

// apiSnapshot is the engine's view of the head commit: the paths of the
// tree (symlinks resolved) and the contents the review read.
type apiSnapshot struct {
	paths []string
	files map[string]resolvedFile
	fetch *blobFetcher

	demand   sync.Mutex // one miss reads at a time
	mu       sync.Mutex
	budget   Budget
	used     *Budget
	onDemand int               // batches read on a miss
	refused  map[string]string // reads the review could not make, with the reason
}

// errNotRead is a read the review's budget did not allow.
var errNotRead = errors.New("not read: the review budget was used")

func (s *apiSnapshot) has(p string) bool {
	_, ok := s.files[p]
	return ok
}

// Files implements source.Snapshot.
func (s *apiSnapshot) Files(context.Context) ([]string, error) { return s.paths, nil }

// Committed implements source.Committer: a file of the pull request's
// tree is committed, whatever .gitignore says.
func (s *apiSnapshot) Committed(_ context.Context, p string) (bool, bool) { return s.has(p), true }

// Read implements source.Snapshot. Contents read up front are served from
// memory; a miss reads a batch (see maxOnDemand), at most maxOnDemand
// times per review and within the budget.
func (s *apiSnapshot) Read(ctx context.Context, p string) ([]byte, error) {
	e, ok := s.files[p]
	if !ok {
		return nil, fmt.Errorf("read %s: not in tree", p)
	}
	if e.Size > source.MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, e.Size, source.ErrTooLarge)
	}
	if b, err, ok := s.fetch.get(e.SHA); ok {
		return s.result(p, b, err)
	}
	s.demand.Lock()
	defer s.demand.Unlock()
	if b, err, ok := s.fetch.get(e.SHA); ok { // a concurrent miss read it
		return s.result(p, b, err)
	}
	want := s.batch(p)
	if want == nil {
		return nil, s.refuse(p, fmt.Errorf("read %s: %w", p, errNotRead))
	}
	if err := s.fetch.fetch(ctx, want); err != nil {
		return nil, s.refuse(p, fmt.Errorf("read %s: %w", p, err))
	}
	b, err, _ := s.fetch.get(e.SHA)
	return s.result(p, b, err)
}

func (s *apiSnapshot) result(p string, b []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, s.refuse(p, fmt.Errorf("read %s: %w", p, err))
	}
	return b, nil
}

// batch chooses what a miss on p reads: p, then the unread files of p's
// priority class after it by path (then before it), up to one GraphQL
// request, within the budget; nil when the budget or maxOnDemand is used.
func (s *apiSnapshot) batch(p string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.files[p]
	if s.onDemand >= maxOnDemand || s.used.Files >= s.budget.Files || s.used.Bytes+int64(e.Size) > s.budget.Bytes {
		return nil
	}
	s.onDemand++
	want := map[string]int{}
	add := func(e resolvedFile) {
		if _, ok := want[e.SHA]; !ok {
			want[e.SHA] = e.Size
			s.used.Files++
			s.used.Bytes += int64(e.Size)
		}
	}
	add(e)
	class, bytes := priority(p), e.Size
	i := sort.SearchStrings(s.paths, p)
	order := append(append([]string(nil), s.paths[i+1:]...), s.paths[:i]...)
	for _, q := range order {
		if len(want) >= blobsPerQuery || s.used.Files >= s.budget.Files {
			break
		}
		f := s.files[q]
		if priority(q) != class || f.Size > maxGraphQLText || bytes+f.Size > bytesPerQuery || s.used.Bytes+int64(f.Size) > s.budget.Bytes {
			continue
		}
		if _, _, done := s.fetch.get(f.SHA); done {
			continue
		}
		bytes += f.Size
		add(f)
	}
	return want
}

func (s *apiSnapshot) refuse(p string, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.refused[p]; !ok {
		reason := err.Error()
		if i := strings.Index(reason, ": "); i >= 0 && strings.HasPrefix(reason, "read ") {
			reason = reason[i+2:]
		}
		s.refused[p] = reason
	}
	return err
}

// skippedAfter is every file the review wanted and did not analyse: those
// it chose not to read, those the engine could not analyse, and reads the
// engine asked for that the review could not make.
func (g *gathered) skippedAfter(res *rules.Result) []rules.SkippedFile {
	seen := map[string]bool{}
	var out []rules.SkippedFile
	add := func(s rules.SkippedFile) {
		if !seen[s.Path] {
			seen[s.Path] = true
			out = append(out, s)
		}
	}
	for _, s := range g.skipped {
		add(s)
	}
	g.snap.mu.Lock()
	for p, r := range g.snap.refused {
		add(rules.SkippedFile{Path: p, Reason: r})
	}
	g.snap.mu.Unlock()
	if res != nil {
		for _, s := range res.Skipped {
			add(s)
		}
		g.ruleFailed = map[string]bool{}
		for _, e := range res.Errors {
			g.ruleFailed[e.Path] = true
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// mayCallFixed reports whether a finding on p that this review did not
// report may be called fixed: not when p was wanted and not analysed or a
// rule failed on it, nor when the change list itself is incomplete.
func (g *gathered) mayCallFixed(p string, skipped []rules.SkippedFile) bool {
	if len(g.notes) > 0 || g.ruleFailed[p] {
		return false
	}
	i := sort.Search(len(skipped), func(i int) bool { return skipped[i].Path >= p })
	return i == len(skipped) || skipped[i].Path != p
}

// anchorIndex returns GitHub's hunks, the valid inline comment anchors:
// from the pull request's diff, or from the compare endpoint's file list
// (the first 300 files) when GitHub refused the diff. A finding in a file
// without GitHub's hunks gets no inline comment; the check run lists it.
func (g *gathered) anchorIndex() *diffindex.Index {
	if g.anchors == nil {
		return &diffindex.Index{Files: map[string]*diffindex.File{}}
	}
	return g.anchors
}

// cost describes the requests the review's reads made, for the log.
func (g *gathered) cost() []any {
	q, raw := g.stats()
	g.lister.mu.Lock()
	walks := g.lister.calls
	g.lister.mu.Unlock()
	g.snap.mu.Lock()
	onDemand := g.snap.onDemand
	g.snap.mu.Unlock()
	return []any{"graphql_queries", q, "raw_blob_reads", raw, "tree_walk_calls", walks, "on_demand_reads", onDemand, "analysed", len(g.only)}
}

// partial explains a partial review in prose ("" when complete apart from
// the skipped files).
func (g *gathered) partial() string {
	return strings.Join(g.notes, " ")
}

// baseSnapshot is the engine's view of the merge base, for review mode's
// comparison of verdicts, built only when the engine first asks (a change
// that touches no source file never does). When GitHub's diff gave the
// change list it costs no request: the diff is taken against the merge
// base, so a path it does not name holds the head's blob, and a path it
// names holds the head's text with the hunks undone (diffindex.File.Old,
// checked against the diff's blob SHAs). Otherwise the base tree is
// listed. Unchanged files are read through the review's blob cache by SHA
// (so a file the head read costs nothing more) and the rest on demand in
// batches like the head, with a budget of its own equal to the head's.
// Symbolic links of the base are not followed: a file behind one is
// unreadable, and the verdicts that depend on it are unknown, never a
// regression.
type baseSnapshot struct {
	gt   *gatherer
	once sync.Once
	snap *apiSnapshot
	// derived are the base files rebuilt from the head and the diff, by
	// base path.
	derived map[string]*derivedFile
	err     error
}

// derivedFile is a base file the diff describes.
type derivedFile struct {
	head string // the head path the diff compares it with; "" when deleted
	diff *diffindex.File
	once sync.Once
	text []byte
	err  error
}

func (b *baseSnapshot) load(ctx context.Context) (*apiSnapshot, error) {
	b.once.Do(func() {
		blobs := map[string]blobEntry{}
		if d := b.gt.diff; d != nil {
			b.derived = map[string]*derivedFile{}
			for p, e := range b.gt.head.blobs {
				blobs[p] = e
			}
			for _, f := range d.Files {
				delete(blobs, f.Path)
			}
			for _, f := range d.Files {
				if f.OldPath != "" && !f.Added && !f.OldSymlink() && !source.DefaultSkip(f.OldPath) {
					b.derived[f.OldPath] = &derivedFile{head: f.Path, diff: f}
				}
			}
		} else {
			t, err := b.gt.baseTree(ctx)
			if err != nil {
				b.err = fmt.Errorf("list the base tree: %w", err)
				return
			}
			blobs = t.blobs
		}
		used := Budget{}
		s := &apiSnapshot{files: map[string]resolvedFile{}, fetch: b.gt.fetch, budget: b.gt.budget, used: &used, refused: map[string]string{}}
		for p, e := range blobs {
			if e.symlink() || source.DefaultSkip(p) {
				continue
			}
			s.files[p] = resolvedFile{blobEntry: e, path: p}
			s.paths = append(s.paths, p)
		}
		for p := range b.derived {
			s.paths = append(s.paths, p)
		}
		sort.Strings(s.paths)
		b.snap = s
	})
	return b.snap, b.err
}

// Files implements source.Snapshot.
func (b *baseSnapshot) Files(ctx context.Context) ([]string, error) {
	s, err := b.load(ctx)
	if err != nil {
		return nil, err
	}
	return s.paths, nil
}

// Read implements source.Snapshot.
func (b *baseSnapshot) Read(ctx context.Context, p string) ([]byte, error) {
	s, err := b.load(ctx)
	if err != nil {
		return nil, err
	}
	if d, ok := b.derived[p]; ok {
		return d.read(ctx, b.gt.g.snap)
	}
	return s.Read(ctx, p)
}

// read rebuilds the base text from the head's (read through the head's
// snapshot), once.
func (d *derivedFile) read(ctx context.Context, head *apiSnapshot) ([]byte, error) {
	d.once.Do(func() {
		var text []byte
		if d.head != "" {
			if e, ok := head.files[d.head]; ok && d.diff.NewBlob() != "" && !strings.HasPrefix(e.SHA, d.diff.NewBlob()) {
				d.err = fmt.Errorf("GitHub's diff names blob %s for %s, the head has %s", d.diff.NewBlob(), d.head, short(e.SHA))
				return
			}
			if text, d.err = head.Read(ctx, d.head); d.err != nil {
				return
			}
		}
		d.text, d.err = d.diff.Old(text)
	})
	if d.err != nil {
		return nil, fmt.Errorf("read %s in the base: %w", d.diff.OldPath, d.err)
	}
	return d.text, nil
}
