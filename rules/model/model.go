// Package model is the semantic model of a snapshot that every rule asks:
// the externally reachable entry points of each framework, one guard
// verdict per entry, the effects an entry reaches (through imported
// helpers and services), and which values come from the request and which
// from the verified identity.
//
// It is computed once per snapshot and lazily: the list of entries is one
// facet, computed on first use; each entry's analysis (verdict, effects,
// inputs) is another, computed once when a rule first asks about that
// entry. Facets are typed fields behind sync.Once, not a string-keyed
// memo, and the model is safe for concurrent use.
//
// Frameworks are adapters ([Adapter]): one file each (next.go,
// express.go) that lists a framework's entries, their URL paths, the
// middleware chain that reaches each one in registration order, and how
// the framework's handlers receive the request. Adding a framework is one
// new adapter plus testdata under testdata/<framework>/.
//
// Three rules hold for every answer. A file that cannot be read or parsed
// makes the answers that depend on it unknown ([AuthnUnknown]), never
// "unguarded". What a hostile pull request controls is bounded: helpers
// are followed [MaxDepth] calls deep, wrappers and factories
// [MaxWrapperDepth] deep, routers [MaxMountDepth] mounts deep, and
// recursion ends the walk. And the model asks rules/knowledge for every
// API fact (Clerk middleware gates, identity sources, data-access calls,
// Backend API privileges, mail and payment calls).
package model

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Limits on what the analysis follows.
const (
	// MaxDepth bounds the helper calls followed from an entry (a helper
	// calling a helper is depth 2).
	MaxDepth = 4
	// MaxWrapperDepth bounds nested wrappers and middleware factories.
	MaxWrapperDepth = 4
	// MaxMountDepth bounds nested router mounts (app.use('/a', r1) where
	// r1.use('/b', r2) is depth 2).
	MaxMountDepth = 8
	// MaxEntries bounds the entries of one snapshot; beyond it the model
	// records a note and lists no more.
	MaxEntries = 20000
)

// Files gives the model read access to the snapshot. The engine's file
// set implements it (and modules.Parser, so that the model shares the
// rules' parse cache and budget).
type Files interface {
	Paths() []string
	Get(ctx context.Context, path string) (*source.File, error)
}

// Model is the semantic model of one snapshot.
type Model struct {
	fs       Files
	proj     *project.Model
	graph    *modules.Graph
	adapters []Adapter

	entries  facet[[]*Entry]
	reqNames facet[map[fnSpan][]string] // request parameters (requestnames.go)
	signIn   facet[[]string]            // configured sign-in URL paths (signinpaths.go)
	returns  facet[[][]string]          // paths a third party sends the browser back to (providerreturn.go)
	node     nodeFacets
	rr       facet[[]*Entry]
	tanstack facet[[]*Entry]
	astro    facet[[]*Entry]
	client   facet[map[string]string] // the client boundary (boundary.go)
	browser  facet[map[string]string] // modules that run in the browser (browser.go)
	owned    facet[map[string]bool]
	// private: the records PrivateRecords returns.
	private facet[map[string]bool]
	// schemaOwned: the records whose Prisma model declares an owner field.
	schemaOwned facet[map[string]bool]
	// memberships: the records whose Prisma model links a user to a
	// tenant, several rows per user (membership.go).
	memberships facet[map[string]bool]
	// hidden: the records whose schema declares a publish flag that is
	// false for new rows, with that flag.
	hidden facet[map[string]string]
	// joinRows: the Prisma models that link two other models (joinrows.go).
	joinRows facet[map[string]bool]
	// prismaContact: the Prisma models holding contact data and their
	// relations (relcontact.go).
	prismaContact facet[prismaSchema]
	// publicFetches: the same-origin URLs public Client Component pages
	// fetch (nextfetch.go).
	publicFetches facet[[]publicFetch]
	// callerRoles: the role-like properties stored from client-writable
	// metadata (rolesource.go).
	callerRoles facet[callerRoles]
	// reqUsers: the request properties a hook stores a whole Clerk
	// User in (requestuser.go).
	reqUsers facet[map[string]bool]
	// ctxUsers: the context keys a middleware stores the verified caller
	// under (contextuser.go).
	ctxUsers facet[storedCallers]
	nuxt     facet[[]*Entry]
	svelte   facet[[]*Entry]
	convex   facet[[]*Entry]
	edge     facet[[]*Entry]
	expo     facet[[]*Entry]
	netlify  facet[[]*Entry]
	trpc     facet[[]*Entry]
	jobs     facet[jobTaskIndex] // background tasks by id (jobs.go)
	rls      facet[*rowSecurity] // committed row security (supabaserls.go)
	files    fileFacets
	notes    notes
	fns      fnMemo
	whFiles  memo[string, *webhookSignals] // webhook signs per file (webhookfact.go)
	whFacts  memo[webhookKey, WebhookFact] // webhook facts per function (webhookfact.go)

	// The Go side (goprog.go, gohttp.go, goanalyze.go).
	gop       facet[*goProgram]
	goEntries facet[[]*Entry]
	gokeys    facet[map[string]bool]
	godata    facet[map[string]string]
	gomemo    goMemo
}

// fileFacets are the per-file entry facets of the Next.js adapter.
type fileFacets struct {
	mu sync.Mutex
	m  map[string]*facet[[]*Entry]
}

func (m *Model) fileFacet(p string) *facet[[]*Entry] {
	m.files.mu.Lock()
	defer m.files.mu.Unlock()
	if m.files.m == nil {
		m.files.m = map[string]*facet[[]*Entry]{}
	}
	f, ok := m.files.m[p]
	if !ok {
		f = &facet[[]*Entry]{}
		m.files.m[p] = f
	}
	return f
}

// withFacets gives new entries their analysis facet.
func withFacets(es []*Entry) []*Entry {
	for _, e := range es {
		if e.an == nil {
			e.an, e.own = &facet[*analysis]{}, &facet[*analysis]{}
		}
	}
	return es
}

// New returns the model of the snapshot; it reads nothing until asked.
// proj is the project model of the same snapshot.
func New(fs Files, proj *project.Model) *Model {
	return &Model{fs: fs, proj: proj, graph: modules.New(fs), adapters: Adapters()}
}

// Adapters returns the framework adapters, in the order their entries are
// listed. Adding a framework is adding its adapter here.
func Adapters() []Adapter {
	return []Adapter{nextAdapter{}, expressAdapter, fastifyAdapter, honoAdapter, reactRouterAdapter{}, tanstackAdapter{}, astroAdapter{}, nuxtAdapter{}, svelteAdapter{}, convexAdapter{}, edgeAdapter{}, netlifyAdapter{}, expoAdapter{}, trpcAdapter{}, goAdapter{}}
}

// Project returns the project model the model was built on.
func (m *Model) Project() *project.Model { return m.proj }

// Paths returns the snapshot's paths.
func (m *Model) Paths() []string { return m.fs.Paths() }

// Modules returns the import graph.
func (m *Model) Modules() *modules.Graph { return m.graph }

// Notes returns what the model could not evaluate (files it could not
// read, patterns it could not follow), sorted.
func (m *Model) Notes() []Note { return m.notes.list() }

// Entries returns every entry point of the snapshot, sorted by file and
// line. An adapter that fails is recorded in Notes; the error is non-nil
// only when ctx ended.
func (m *Model) Entries(ctx context.Context) ([]*Entry, error) {
	return m.entries.get(func() ([]*Entry, error) {
		var out []*Entry
		for _, a := range m.adapters {
			es, err := a.Entries(ctx, m)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				m.notes.add(Note{Where: string(a.Framework()), What: fmt.Sprintf("entries not listed: %v", err)})
			}
			out = append(out, es...)
			if len(out) > MaxEntries {
				m.notes.add(Note{Where: string(a.Framework()), What: fmt.Sprintf("more than %d entries; the rest are not listed", MaxEntries)})
				out = out[:MaxEntries]
				break
			}
		}
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Name < b.Name
		})
		return out, nil
	})
}

// EntriesFor returns the entries of the given frameworks only, sorted by
// file and line: a rule about one family of frameworks does not make the
// other adapters read the snapshot (in a review, files outside the
// change are read only when a question needs them).
func (m *Model) EntriesFor(ctx context.Context, fws ...Framework) ([]*Entry, error) {
	var out []*Entry
	for _, a := range m.adapters {
		if !slices.Contains(fws, a.Framework()) {
			continue
		}
		es, err := a.Entries(ctx, m)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			m.notes.add(Note{Where: string(a.Framework()), What: fmt.Sprintf("entries not listed: %v", err)})
		}
		out = append(out, es...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// EntriesOf returns the entries declared in the file at p (a route file's
// exports, its Server Actions, the routes it registers) and those whose
// handler it holds. It computes only what p needs: a rule that runs per
// file asks this, not Entries.
func (m *Model) EntriesOf(ctx context.Context, p string) ([]*Entry, error) {
	var out []*Entry
	for _, a := range m.adapters {
		es, err := a.EntriesOf(ctx, m, p)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			m.notes.add(Note{Where: p, What: err.Error()})
		}
		out = append(out, es...)
	}
	return out, nil
}

// Guard returns the verdict of an entry: whether a signed-out caller is
// stopped before the entry's effects, and how the caller is authorized.
func (m *Model) Guard(ctx context.Context, e *Entry) Verdict {
	return m.analysis(ctx, e).verdict
}

// OwnGuard returns the verdict and effects of an entry without its
// middleware: what the handler, its wrappers and (for an inline Server
// Action) the render that defines it check, and which effects a signed-out
// caller reaches past those checks alone. Rules that judge the middleware
// themselves ask this.
func (m *Model) OwnGuard(ctx context.Context, e *Entry) (Verdict, Effects) {
	an, _ := e.own.get(func() (*analysis, error) { return m.analyseWith(ctx, e, true), nil })
	return an.verdict, an.effects
}

// Effects returns what an entry does, followed through helpers.
func (m *Model) Effects(ctx context.Context, e *Entry) Effects {
	return m.analysis(ctx, e).effects
}

// Inputs returns the values of an entry that come from the request and
// from the verified identity.
func (m *Model) Inputs(ctx context.Context, e *Entry) []Input {
	return m.analysis(ctx, e).inputs
}

// facet is a value computed once.
type facet[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (f *facet[T]) get(fn func() (T, error)) (T, error) {
	f.once.Do(func() { f.v, f.err = fn() })
	return f.v, f.err
}

// Note is something the model could not evaluate.
type Note struct {
	Where string `json:"where"` // a file, or an adapter
	What  string `json:"what"`
}

type notes struct {
	mu   sync.Mutex
	seen map[Note]bool
}

func (n *notes) add(x Note) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[Note]bool{}
	}
	n.seen[x] = true
}

func (n *notes) list() []Note {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Note, 0, len(n.seen))
	for x := range n.seen {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Where != out[j].Where {
			return out[i].Where < out[j].Where
		}
		return out[i].What < out[j].What
	})
	return out
}

// parse returns the syntax tree of the file at p: through the shared
// parser when the snapshot has one.
func (m *Model) parse(ctx context.Context, p string) (*jsast.File, error) {
	sf, err := m.fs.Get(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var pf *jsast.File
	if ps, ok := m.fs.(modules.Parser); ok {
		pf, err = ps.AST(ctx, sf)
	} else {
		pf, err = jsast.Parse(ctx, sf)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	return pf, nil
}

// readAll reads paths with as many goroutines as the run may use, so that a
// facet that then walks every file one by one (browserModules) finds them
// read: a read also scans the file for secrets, the bulk of its cost, and a
// facet computed under sync.Once would otherwise do it on one core while
// the rules that need it wait. Read errors are left for the caller's own
// Get, which returns them from the file set's cache.
func (m *Model) readAll(ctx context.Context, paths []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				_, _ = m.fs.Get(ctx, p)
			}
		}()
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
}
