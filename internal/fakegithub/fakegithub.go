// Package fakegithub is an in-process fake of the parts of the GitHub REST API (and the
// small GraphQL surface) that clerkguard uses. It is meant for end-to-end tests, load
// benchmarks and fault injection.
//
// The fake listens on a real loopback TCP port (httptest.NewServer), so another process
// (for example two `clerkguard serve` processes) can use it too. It keeps repository,
// pull request, check run and review state in memory, computes unified diffs itself,
// enforces GitHub App authentication (RS256 JWT, installation tokens), validates every
// request body against GitHub's own OpenAPI request schemas (fixtures/github) and records
// anything it could not serve as a Violation, so a test can assert there were none.
//
// All methods are safe for concurrent use.
package fakegithub

import (
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Options configures a fake server. The zero value is usable.
type Options struct {
	// AppID is the GitHub App ID. Default 1000.
	AppID int64
	// AppSlug is the App's slug; the bot user is "<slug>[bot]". Default "clerkguard".
	AppSlug string
	// PrivateKey is the App's RSA key. Default: a fresh 2048-bit key.
	PrivateKey *rsa.PrivateKey
	// GHES serves the REST API under /api/v3/ and GraphQL under /api/graphql, as
	// GitHub Enterprise Server does.
	GHES bool
	// FixturesDir is the directory holding openapi/ and webhooks/ (fixtures/github in
	// this repository). Default: found from this source file or the working directory.
	FixturesDir string
	// Seed seeds the fault-injection random source. Default 1.
	Seed uint64
	// Faults to inject from the start; see SetFaults.
	Faults Faults
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// RateLimit is the primary rate limit per installation (and for the App JWT) per
	// hour. Default 5000. Exceeding it gives 403 with x-ratelimit-remaining: 0.
	RateLimit int
	// MaxTreeEntries is where a recursive tree is cut and marked truncated. Default 100000.
	MaxTreeEntries int
	// WebhookURL and WebhookSecret are the App's configured webhook; redeliveries go
	// there. When empty, a redelivery goes to the URL/secret of the original delivery.
	WebhookURL    string
	WebhookSecret string
	// DeliveryTimeout is how long Deliver waits for the receiver (GitHub.com: 10 s).
	DeliveryTimeout time.Duration
}

// Server is the fake GitHub. Create it with New and stop it with Close.
type Server struct {
	opts    Options
	srv     *httptest.Server
	key     *rsa.PrivateKey
	schemas *schemaSet
	routes  []route
	now     func() time.Time

	deliverWG sync.WaitGroup
	closing   chan struct{}
	closeOnce sync.Once
	client    *http.Client

	mu       sync.Mutex
	rng      *rand.Rand
	state    *state
	manifest manifestState // the App manifest flow (manifest.go)
}

// New starts a fake GitHub on a loopback port.
func New(opts Options) (*Server, error) {
	if opts.AppID == 0 {
		opts.AppID = 1000
	}
	if opts.AppSlug == "" {
		opts.AppSlug = "clerkguard"
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.MaxTreeEntries == 0 {
		opts.MaxTreeEntries = 100000
	}
	if opts.DeliveryTimeout == 0 {
		opts.DeliveryTimeout = 10 * time.Second
	}
	key := opts.PrivateKey
	if key == nil {
		k, err := rsa.GenerateKey(crand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("fakegithub: generate app key: %w", err)
		}
		key = k
	}
	dir := opts.FixturesDir
	if dir == "" {
		d, err := findFixturesDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	schemas, err := loadSchemas(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:    opts,
		key:     key,
		schemas: schemas,
		now:     opts.Now,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		state:   newState(),
		// Each delivery on a new connection, as GitHub's are: a pooled
		// connection to a replica killed in a test would otherwise fail the
		// next delivery to its restarted successor on the same port.
		client:  &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		closing: make(chan struct{}),
	}
	s.state.faults = opts.Faults
	s.routes = s.buildRoutes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s, nil
}

// Close shuts the server down, waiting for in-flight redeliveries.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Close()
	s.deliverWG.Wait()
}

// BaseURL is the server root, e.g. http://127.0.0.1:PORT (no trailing slash).
func (s *Server) BaseURL() string { return s.srv.URL }

// URL is the REST base URL, ending in "/": http://127.0.0.1:PORT/ or, with
// Options.GHES, http://127.0.0.1:PORT/api/v3/.
func (s *Server) URL() string { return s.srv.URL + s.restPrefix() }

// GraphQLURL is the GraphQL endpoint: BaseURL/graphql, or BaseURL/api/graphql with GHES.
func (s *Server) GraphQLURL() string {
	if s.opts.GHES {
		return s.srv.URL + "/api/graphql"
	}
	return s.srv.URL + "/graphql"
}

func (s *Server) restPrefix() string {
	if s.opts.GHES {
		return "/api/v3/"
	}
	return "/"
}

// htmlBase is the web URL used in html_url fields.
func (s *Server) htmlBase() string { return s.srv.URL + "/web" }

// AppID is the App's ID (the JWT issuer).
func (s *Server) AppID() int64 { return s.opts.AppID }

// AppSlug is the App's slug.
func (s *Server) AppSlug() string { return s.opts.AppSlug }

// BotLogin is the login the App's comments and reviews are authored by.
func (s *Server) BotLogin() string { return s.opts.AppSlug + "[bot]" }

// PrivateKey is the App's RSA key.
func (s *Server) PrivateKey() *rsa.PrivateKey { return s.key }

// PrivateKeyPEM is the App's key as a PKCS#1 PEM block, as GitHub hands it out.
func (s *Server) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.key)})
}

// SetWebhook sets the App's configured webhook URL and secret (used by redeliveries).
func (s *Server) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.WebhookURL = url
	s.opts.WebhookSecret = secret
}

// SetFaults replaces the fault configuration (and re-arms Fail422Once).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.faults = f
	s.state.fail422Used = false
}

// Faults returns the current fault configuration.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.faults
}

// Arrival returns a channel that is closed when the next request to
// operation op (an operationId such as "checks/update", or "graphql")
// arrives, before any injected fault delays or answers it: a test waits on
// it to know a request is in flight (e.g. held by SlowDelay) instead of
// sleeping. Call it before the request can be sent.
func (s *Server) Arrival(op string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if s.state.arrivals == nil {
		s.state.arrivals = map[string][]chan struct{}{}
	}
	s.state.arrivals[op] = append(s.state.arrivals[op], ch)
	return ch
}

// arrived signals the Arrival channels of op.
func (s *Server) arrived(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.state.arrivals[op] {
		close(ch)
	}
	delete(s.state.arrivals, op)
}

// ResetLogs clears the recorded requests, violations and anchor rejections (state and
// configuration stay).
func (s *Server) ResetLogs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.requests = nil
	s.state.violations = nil
	s.state.anchorRejections = nil
}
