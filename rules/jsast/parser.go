package jsast

import (
	"container/list"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/clerkguard/clerkguard/rules/source"
)

// DefaultKeep is how many nodes of parsed trees a Parser keeps for reuse
// (about 12 MB of Go memory).
const DefaultKeep = 100_000

// ParserOptions configure a Parser.
type ParserOptions struct {
	// Limits bound each file; zero fields take the defaults.
	Limits Limits
	// Budget bounds the syntax nodes parsed across the Parser's life (one
	// review); 0 means no budget. A parse that starts before the budget is
	// spent completes, so the total may exceed it by one file's MaxNodes.
	Budget int64
	// Keep bounds the nodes of the trees kept for reuse; 0 means
	// DefaultKeep.
	Keep int
}

// Parser parses the files of one review. Trees are cached by language and
// content hash, never by path, so the same blob committed at two paths is
// parsed once. The cache keeps at most Keep nodes of trees, the least
// recently used dropped first; a dropped tree is collected once no rule
// holds it, so a review never pins every tree it built. Trees are never
// memoised on the source.File. A Parser is safe for concurrent use.
type Parser struct {
	lim    Limits
	budget int64
	keep   int

	used   atomic.Int64
	parses atomic.Int64

	mu    sync.Mutex
	cache map[cacheKey]*cached
	lru   *list.List // of cacheKey, most recent at the front
	kept  int
}

type cacheKey struct {
	lang source.Lang
	sum  [sha256.Size]byte
}

type cached struct {
	done chan struct{}
	t    *tree
	err  error
	elem *list.Element
}

// NewParser returns a Parser with o's limits and budget.
func NewParser(o ParserOptions) *Parser {
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	return &Parser{lim: o.Limits.orDefault(), budget: o.Budget, keep: o.Keep,
		cache: map[cacheKey]*cached{}, lru: list.New()}
}

// Parses returns how many trees the Parser has built (cache hits excluded).
func (p *Parser) Parses() int64 { return p.parses.Load() }

// Nodes returns how many syntax nodes the Parser has built.
func (p *Parser) Nodes() int64 { return p.used.Load() }

// Parse returns the syntax tree of f, as Parse does, from the cache when a
// file of the same language and content was parsed before.
func (p *Parser) Parse(ctx context.Context, f *source.File) (*File, error) {
	if _, err := language(f); err != nil {
		return nil, err
	}
	k := cacheKey{lang: f.Lang, sum: ContentHash(f)}
	p.mu.Lock()
	c, ok := p.cache[k]
	if ok {
		if c.elem != nil {
			p.lru.MoveToFront(c.elem)
		}
		p.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("parse %s: %w", f.Path, ctx.Err())
		}
		if c.err != nil {
			return nil, fmt.Errorf("parse %s: %w", f.Path, c.err)
		}
		return c.t.file(f), nil
	}
	c = &cached{done: make(chan struct{})}
	p.cache[k] = c
	p.mu.Unlock()
	p.fill(ctx, f, k, c)
	if c.err != nil {
		return nil, fmt.Errorf("parse %s: %w", f.Path, c.err)
	}
	return c.t.file(f), nil
}

// fill builds the tree of entry c and publishes it. Waiters are released
// however the build ends, a panic included (it becomes the entry's error).
func (p *Parser) fill(ctx context.Context, f *source.File, k cacheKey, c *cached) {
	defer func() {
		if v := recover(); v != nil {
			c.t, c.err = nil, fmt.Errorf("parser panic: %v", v)
		}
		p.mu.Lock()
		switch {
		case ctx.Err() != nil && c.err != nil:
			delete(p.cache, k) // cancelled, not refused: a later run may parse it
		case c.t != nil:
			c.elem = p.lru.PushFront(k)
			p.kept += c.t.nodes
			p.evict()
		}
		p.mu.Unlock()
		close(c.done)
	}()
	c.t, c.err = p.build(ctx, f)
}

// build parses f against the review budget. Its errors do not name the
// path: the tree may serve files at other paths.
func (p *Parser) build(ctx context.Context, f *source.File) (*tree, error) {
	if p.budget > 0 && p.used.Load() >= p.budget {
		return nil, &LimitError{What: "syntax nodes parsed in this review", Limit: p.budget}
	}
	lang, err := language(f)
	if err != nil {
		return nil, err
	}
	p.parses.Add(1)
	t, err := parseSource(ctx, lang, script(f), p.lim)
	if err != nil {
		return nil, err
	}
	p.used.Add(int64(t.nodes))
	return t, nil
}

// evict drops the least recently used trees beyond keep. The newest tree
// always stays, however large, so the rules now using it share it.
func (p *Parser) evict() {
	for p.kept > p.keep && p.lru.Len() > 1 {
		e := p.lru.Back()
		k := e.Value.(cacheKey)
		c := p.cache[k]
		p.lru.Remove(e)
		p.kept -= c.t.nodes
		delete(p.cache, k)
	}
}

// ContentHash returns the SHA-256 of f's content, computed once per file.
func ContentHash(f *source.File) [sha256.Size]byte {
	return f.Memo("sha256", func() any { return sha256.Sum256(f.Content) }).([sha256.Size]byte)
}
