// Package setup registers clerkguard as a GitHub App through GitHub's App
// manifest flow, when `clerkguard serve` starts without App credentials.
//
//  0. At start, a random one-time setup token is printed to the log, in the
//     setup URL, and nowhere else. GET /setup?token=... (compared in
//     constant time) gives the browser a cookie bound to the token and
//     redirects to /setup; every setup page and the callback require that
//     cookie. Without it, or once the App is registered, the pages show
//     nothing about the App, the server or its data directory.
//  1. GET /setup shows what will be created and a form that POSTs app.yml
//     (as JSON, with this server's webhook and return URLs) to GitHub's
//     "create App" page: the user's, an organisation's, or the GHES host's.
//  2. GitHub redirects to /setup/callback?code=...&state=... . The state is
//     random, one-time, valid for an hour and bound to the browser that
//     started the flow by a cookie.
//  3. The code is exchanged (POST /app-manifests/{code}/conversions) for the
//     App ID, private key, webhook secret and OAuth client credentials; they
//     are stored in the credentials directory (mode 0600, written
//     atomically), or shown once as a Kubernetes Secret (credentials.go), and
//     the same process switches to normal operation: /webhook, /readyz and
//     /metrics are served by the App from then on, without a restart.
//
// A later `clerkguard serve` finds the stored credentials (Load, Env).
// Secrets are never logged.
package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard"
	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/server"
)

// Options configure setup mode.
type Options struct {
	// Getenv reads CLERKGUARD_LISTEN, CLERKGUARD_GITHUB_API_URL,
	// CLERKGUARD_GITHUB_WEB_URL, CLERKGUARD_PUBLIC_URL, CLERKGUARD_DATA_DIR,
	// CLERKGUARD_CREDENTIALS_DIR, CLERKGUARD_CREDENTIALS_SECRET and,
	// once registered, everything config.Load reads.
	Getenv config.Getenv
	Logger *slog.Logger
	// App is passed to server.New once the App is registered (Rules, Version,
	// test overrides); its Config is built from the stored credentials and
	// its Logger defaults to Logger.
	App server.Options
	// OnConfig, if set, sees the App's configuration before the switch
	// (serve sets its log level from it).
	OnConfig func(*config.Config)
	// HTTPClient exchanges the code. Default: a client with a 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// StateLifetime is how long a setup page's state stays valid; GitHub's
// manifest codes also live one hour.
const StateLifetime = time.Hour

// Setup is the setup-mode HTTP server.
type Setup struct {
	o         Options
	log       *slog.Logger
	listen    string
	apiURL    string
	webURL    string
	publicURL string // CLERKGUARD_PUBLIC_URL, "" = from each request
	// credDir is where setup stores the credentials (CredentialsDir),
	// unless secretName (CLERKGUARD_CREDENTIALS_SECRET) asks for a
	// Kubernetes Secret shown once instead.
	credDir    string
	secretName string
	manifest   map[string]any
	states     *stateStore
	// token is the one-time setup token: it authorises a browser to
	// register the App. Only the start-up log line shows it.
	token  string
	client *http.Client

	ln   net.Listener
	http *http.Server

	activate chan activation
	app      atomic.Pointer[running]
	mu       sync.Mutex // one code exchange at a time
}

// running is the App after the switch.
type running struct {
	h     http.Handler
	creds *Credentials
}

type activation struct {
	creds *Credentials
	done  chan error
}

// New validates the setup-mode settings and checks that the credentials
// directory is writable, so a registration cannot fail at the last step.
func New(o Options) (*Setup, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.App.Logger == nil {
		o.App.Logger = o.Logger
	}
	get := o.Getenv
	s := &Setup{o: o, log: o.Logger, listen: or(get("CLERKGUARD_LISTEN"), ":8080"), credDir: CredentialsDir(get),
		states: newStateStore(o.Now), client: o.HTTPClient, activate: make(chan activation), token: randomToken()}
	var err error
	if s.apiURL, err = httpURL("CLERKGUARD_GITHUB_API_URL", or(get("CLERKGUARD_GITHUB_API_URL"), "https://api.github.com/")); err != nil {
		return nil, err
	}
	s.webURL = WebURL(s.apiURL)
	if v := get("CLERKGUARD_GITHUB_WEB_URL"); v != "" {
		if s.webURL, err = httpURL("CLERKGUARD_GITHUB_WEB_URL", v); err != nil {
			return nil, err
		}
	}
	if v := get("CLERKGUARD_PUBLIC_URL"); v != "" {
		u, err := httpURL("CLERKGUARD_PUBLIC_URL", v)
		if err != nil {
			return nil, err
		}
		s.publicURL = u[:len(u)-1] // without the trailing slash
	}
	if err := yaml.Unmarshal(clerkguard.AppManifest(), &s.manifest); err != nil {
		return nil, fmt.Errorf("embedded app.yml: %w", err)
	}
	if s.secretName, err = credentialsSecret(get); err != nil {
		return nil, err
	}
	if s.secretName == "" {
		if err := writable(s.credDir); err != nil {
			return nil, err
		}
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// writable checks that setup can store the credentials in dir.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("credentials directory (CLERKGUARD_CREDENTIALS_DIR or CLERKGUARD_DATA_DIR): %w", err)
	}
	probe, err := os.CreateTemp(dir, ".clerkguard-write-test-*")
	if err != nil {
		return fmt.Errorf("credentials directory %s (CLERKGUARD_CREDENTIALS_DIR or CLERKGUARD_DATA_DIR) is not writable; setup stores the App credentials there: %w", dir, err)
	}
	probe.Close()
	_ = os.Remove(probe.Name())
	return nil
}

// httpURL checks an absolute http(s) URL and returns it with a trailing slash.
func httpURL(name, v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q is not an http(s) URL", name, v)
	}
	if v[len(v)-1] != '/' {
		v += "/"
	}
	return v, nil
}

// Listen binds CLERKGUARD_LISTEN (separately from Run, so tests learn the port).
func (s *Setup) Listen() error {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.listen, err)
	}
	s.ln = ln
	s.announce()
	return nil
}

// announce logs the setup URL with the one-time token: the only place the
// token appears. Whoever reads this log may register the App, so the setup
// page cannot be claimed by whoever reaches it first.
func (s *Setup) announce() {
	page := s.publicURL
	if page == "" {
		page = "http://" + s.ln.Addr().String()
	}
	where := []any{"credentials_secret", s.secretName}
	if s.secretName == "" {
		abs, _ := filepath.Abs(s.credDir)
		where = []any{"credentials_dir", abs}
	}
	s.log.Info("clerkguard is not registered with GitHub yet: open this setup URL to create the App; its one-time token is shown only here",
		append([]any{"setup_url", page + "/setup?" + url.Values{tokenParam: {s.token}}.Encode(), "addr", s.ln.Addr().String(), "github", s.webURL}, where...)...)
}

// Addr is the listening address once Listen or Run has bound it.
func (s *Setup) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Registered returns the App's credentials once setup has switched to it.
func (s *Setup) Registered() *Credentials {
	if r := s.app.Load(); r != nil {
		return r.creds
	}
	return nil
}

// Run serves setup mode, and the App after registration, until ctx is
// cancelled; then it shuts down like server.Run.
func (s *Setup) Run(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	var stopApp func()
	var serveErr error
loop:
	for {
		select {
		case a := <-s.activate:
			stop, err := s.switchToApp(ctx, a.creds)
			if err == nil {
				stopApp = stop
			}
			a.done <- err
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				serveErr = err
			}
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	grace := 25 * time.Second
	if stopApp != nil {
		s.log.Info("shutting down: no new deliveries; finishing in-flight reviews")
	}
	shCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := s.http.Shutdown(shCtx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	if stopApp != nil {
		stopApp()
	}
	s.log.Info("stopped")
	return serveErr
}

// switchToApp builds the normal server from the stored credentials and
// routes to it. It runs on Run's goroutine, with Run's context.
func (s *Setup) switchToApp(ctx context.Context, c *Credentials) (func(), error) {
	warn := func(msg string, args ...any) { s.log.Warn(msg, args...) }
	dir := s.credDir
	if s.secretName != "" {
		dir = "" // nothing stored: the key stays in memory
	}
	cfg, err := config.Load(Env(s.o.Getenv, dir, c), warn)
	if err != nil {
		return nil, err
	}
	if s.o.OnConfig != nil {
		s.o.OnConfig(cfg)
	}
	opts := s.o.App
	opts.Config = cfg
	srv, err := server.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	h, stop, err := srv.Embed(ctx)
	if err != nil {
		return nil, err
	}
	s.app.Store(&running{h: h, creds: c})
	s.log.Info("switched from setup mode to serving the App", "app", c)
	return stop, nil
}

// requestSwitch hands the credentials to Run and waits for the switch.
func (s *Setup) requestSwitch(ctx context.Context, c *Credentials) error {
	a := activation{creds: c, done: make(chan error, 1)}
	select {
	case s.activate <- a:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-a.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func or(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
