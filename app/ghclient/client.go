package ghclient

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
)

// Creator makes App- and installation-authenticated clients.
type Creator struct {
	appID      int64
	key        []byte
	apiURL     string // REST base with trailing slash
	graphQLURL string
	base       http.RoundTripper
	policy     RetryPolicy
	obs        Observer
	log        *slog.Logger
	userAgent  string

	mu    sync.Mutex
	locks map[int64]*instLock
	slug  string // the App's slug, once GET /app answered
}

// instLock serialises an installation's mutations: a one-slot semaphore
// (a waiting request can give up with its context, unlike on a mutex) and
// the time the last mutation ended, read and written by its holder.
type instLock struct {
	sem  chan struct{}
	last time.Time
}

// Options configure a Creator.
type Options struct {
	AppID      int64
	PrivateKey []byte // PEM
	APIURL     string // e.g. https://api.github.com/ or https://HOST/api/v3/
	GraphQLURL string
	Base       http.RoundTripper // default: a transport with sane timeouts
	Retry      RetryPolicy
	Observer   Observer
	UserAgent  string
	// Logger, when set, is told at warn of each GitHub request that failed
	// (a transport error, 429, 5xx, or a rate limit it waits out).
	Logger *slog.Logger
}

// NewCreator validates options and returns a Creator.
func NewCreator(o Options) (*Creator, error) {
	if o.AppID <= 0 || len(o.PrivateKey) == 0 {
		return nil, fmt.Errorf("ghclient: app ID and private key are required")
	}
	if o.Base == nil {
		o.Base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		}
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.UserAgent == "" {
		o.UserAgent = "clerkguard"
	}
	return &Creator{appID: o.AppID, key: o.PrivateKey, apiURL: o.APIURL, graphQLURL: o.GraphQLURL,
		base: o.Base, policy: o.Retry.withDefaults(), obs: o.Observer, log: o.Logger, userAgent: o.UserAgent, locks: map[int64]*instLock{}}, nil
}

func (c *Creator) lock(inst int64) *instLock {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.locks[inst]
	if !ok {
		l = &instLock{sem: make(chan struct{}, 1)}
		c.locks[inst] = l
	}
	return l
}

func (c *Creator) transport(inst int64) *transport {
	l := c.lock(inst)
	return &transport{base: c.base, policy: c.policy, obs: c.obs, log: c.log, installation: inst, sem: l.sem, last: &l.last}
}

func (c *Creator) client(rt http.RoundTripper) (*github.Client, error) {
	gc := github.NewClient(&http.Client{Transport: rt, Timeout: 2 * time.Minute})
	gc.UserAgent = c.userAgent
	if c.apiURL != "https://api.github.com/" {
		var err error
		gc, err = gc.WithEnterpriseURLs(c.apiURL, c.apiURL)
		if err != nil {
			return nil, fmt.Errorf("ghclient: API URL: %w", err)
		}
		// WithEnterpriseURLs appends api/v3/ when missing; keep the URL as given
		// for hosts (and fakes) that serve REST at the root.
		if !strings.HasSuffix(c.apiURL, "/api/v3/") {
			gc.BaseURL, _ = gc.BaseURL.Parse(c.apiURL)
			gc.UploadURL, _ = gc.UploadURL.Parse(c.apiURL)
		}
	}
	return gc, nil
}

// App returns a client authenticated as the App (JWT), for /app endpoints.
func (c *Creator) App() (*github.Client, error) {
	atr, err := ghinstallation.NewAppsTransport(c.transport(0), c.appID, c.key)
	if err != nil {
		return nil, fmt.Errorf("ghclient: app transport: %w", err)
	}
	atr.BaseURL = strings.TrimSuffix(c.apiURL, "/")
	return c.client(atr)
}

// BotLogin is the login of the App's bot user, "<slug>[bot]": the author
// of every comment and review the App posts. The slug comes from GET /app
// once per process.
func (c *Creator) BotLogin(ctx context.Context) (string, error) {
	c.mu.Lock()
	slug := c.slug
	c.mu.Unlock()
	if slug == "" {
		gc, err := c.App()
		if err != nil {
			return "", err
		}
		app, _, err := gc.Apps.Get(ctx, "")
		if err != nil {
			return "", fmt.Errorf("ghclient: get the App's slug: %w", err)
		}
		if slug = app.GetSlug(); slug == "" {
			return "", fmt.Errorf("ghclient: GET /app returned no slug")
		}
		c.mu.Lock()
		c.slug = slug
		c.mu.Unlock()
	}
	return slug + "[bot]", nil
}

// Installation is a client for one installation, with its token transport
// (for GraphQL calls).
type Installation struct {
	*github.Client
	ID         int64
	tr         *ghinstallation.Transport
	graphQLURL string
	inner      *transport
}

// Installation returns a client whose token is narrowed to the given
// repository and to the permissions a review needs.
func (c *Creator) Installation(ctx context.Context, installationID, repoID int64) (*Installation, error) {
	inner := c.transport(installationID)
	tr, err := ghinstallation.New(inner, c.appID, installationID, c.key)
	if err != nil {
		return nil, fmt.Errorf("ghclient: installation transport: %w", err)
	}
	tr.BaseURL = strings.TrimSuffix(c.apiURL, "/")
	opts := &github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{
		Checks: github.String("write"), PullRequests: github.String("write"),
		Contents: github.String("read"), Metadata: github.String("read"),
	}}
	if repoID > 0 {
		opts.RepositoryIDs = []int64{repoID}
	}
	tr.InstallationTokenOptions = opts
	gc, err := c.client(tr)
	if err != nil {
		return nil, err
	}
	return &Installation{Client: gc, ID: installationID, tr: tr, graphQLURL: c.graphQLURL, inner: inner}, nil
}

// Requests is the number of HTTP requests this client has sent to GitHub,
// its token's included.
func (i *Installation) Requests() int64 { return i.inner.sent.Load() }

// HTTPClient returns an authenticated plain HTTP client (for GraphQL).
func (i *Installation) HTTPClient() *http.Client {
	return &http.Client{Transport: i.tr, Timeout: time.Minute}
}

// GraphQLURL is the GraphQL endpoint.
func (i *Installation) GraphQLURL() string { return i.graphQLURL }
