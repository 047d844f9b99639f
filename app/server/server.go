// Package server wires the App: configuration, logger, metrics, GitHub
// client creator, durable queue and the HTTP routes (POST /webhook,
// /healthz, /readyz, /metrics), with graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/maintain"
	"github.com/clerkguard/clerkguard/app/metrics"
	"github.com/clerkguard/clerkguard/app/queue"
	"github.com/clerkguard/clerkguard/app/review"
	"github.com/clerkguard/clerkguard/app/webhook"
	"github.com/clerkguard/clerkguard/rules"
)

// Server is a running App.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	metrics *metrics.Metrics
	queue   *queue.Queue
	http    *http.Server
	ln      net.Listener
}

// Options carry what main builds.
type Options struct {
	Config  *config.Config
	Logger  *slog.Logger
	Rules   []*rules.Rule
	Version string
	// Retry overrides the GitHub client's retry policy (tests).
	Retry *ghclient.RetryPolicy
	// PollInterval overrides the queue's poll interval (tests).
	PollInterval time.Duration
	RescueAfter  time.Duration
	// MaxAttempts overrides the attempts of a review job (tests; 0: the
	// queue's default).
	MaxAttempts int
}

// New builds the server and opens the queue (running migrations).
func New(ctx context.Context, o Options) (*Server, error) {
	cfg, log := o.Config, o.Logger
	m := metrics.New()
	retry := ghclient.RetryPolicy{MutationSpacing: cfg.MutationSpacing}
	if o.Retry != nil {
		retry = *o.Retry
	}
	creator, err := ghclient.NewCreator(ghclient.Options{AppID: cfg.AppID, PrivateKey: cfg.PrivateKeyPEM,
		APIURL: cfg.APIURL, GraphQLURL: cfg.GraphQLURL, Retry: retry, Observer: m, Logger: log, UserAgent: "clerkguard/" + o.Version})
	if err != nil {
		return nil, err
	}
	reviewer := &review.Reviewer{GitHub: review.Over(creator), Creator: creator, Rules: o.Rules, Log: log, Cache: review.NewBlobCache(64 << 20),
		MaxAnnotations: cfg.MaxAnnotations, MaxComments: cfg.MaxComments, Metrics: m,
		Budget: review.Budget{Files: cfg.ReviewMaxFiles, Bytes: cfg.ReviewMaxBytes}, PartialConclusion: cfg.PartialConclusion,
		OnError: cfg.OnError}
	var q *queue.Queue // the maintenance jobs use the queue they run on
	maint := maintenance(cfg, creator, log, &q)
	q, err = queue.Open(ctx, queue.Options{DatabaseURL: cfg.DatabaseURL, Workers: cfg.Workers, JobTimeout: cfg.JobTimeout,
		Runner: reviewer, Logger: log, PollInterval: or(o.PollInterval, cfg.PollInterval), RescueAfter: or(o.RescueAfter, cfg.RescueAfter),
		MaxAttempts: o.MaxAttempts, Maintenance: maint})
	if err != nil {
		return nil, fmt.Errorf("job store: %w", err)
	}
	m.QueueDepth(q.Depth)
	s := &Server{cfg: cfg, log: log, metrics: m, queue: q}
	mux := http.NewServeMux()
	wh := &webhook.Handler{Secrets: cfg.WebhookSecrets, Queue: q, Log: log, Obs: m}
	if cfg.SweepInterval > 0 {
		wh.OnInstall = func(ctx context.Context, inst int64, repos []string) error {
			return q.RunMaintenanceFor(ctx, crawlJob, queue.Scope{Installation: inst, Repos: repos})
		}
	}
	mux.Handle("POST /webhook", wh)
	mux.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := q.Ping(ctx); err != nil {
			log.Warn("readiness check failed", "err", err)
			http.Error(w, "job store unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", m.Handler())
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the listening address once Run has started.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Listen binds the address (separately from Run, so tests learn the port).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	return nil
}

// Run serves until ctx is cancelled, then stops accepting, lets in-flight
// jobs finish within the grace period and leaves the rest in the store
// for the next process.
func (s *Server) Run(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if err := s.queue.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	s.log.Info("clerkguard serving", "addr", s.ln.Addr().String(), "store", s.queue.Kind, "config", s.cfg)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	s.log.Info("shutting down: no new deliveries; finishing in-flight reviews", "grace", s.cfg.ShutdownGrace.String())
	shCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := s.http.Shutdown(shCtx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	if err := s.queue.Stop(shCtx); err != nil {
		s.log.Warn("queue stop: unfinished jobs resume on the next start", "err", err)
	}
	s.queue.Close()
	s.log.Info("stopped")
	return nil
}

// or returns the first non-zero duration.
func or(a, b time.Duration) time.Duration {
	if a != 0 {
		return a
	}
	return b
}

// maintenance builds the periodic jobs: the redelivery reconciler and the
// sweep of stuck check runs. They reach the queue through qp, which is set
// once the queue is open.
func maintenance(cfg *config.Config, creator *ghclient.Creator, log *slog.Logger, qp **queue.Queue) []queue.Maintenance {
	gh := maintain.Over(creator)
	rec := &maintain.Reconciler{GitHub: gh, Store: lateStore{qp}, Log: log.With("job", "reconciler")}
	sweep := &maintain.Sweeper{GitHub: gh, Log: log.With("job", "sweep"), Pace: 250 * time.Millisecond,
		Enqueue: func(ctx context.Context, reqs []review.Request) error {
			_, err := (*qp).Insert(ctx, reqs)
			return err
		}}
	// Neither runs at start-up: a deploy or a restart makes no GitHub
	// request. The store resumes the reviews it left unfinished; the
	// reconciler and the sweep first run one interval later.
	var out []queue.Maintenance
	if cfg.ReconcileInterval > 0 {
		out = append(out, queue.Maintenance{Name: "reconcile-deliveries", Interval: cfg.ReconcileInterval,
			Run: func(ctx context.Context, _ queue.Scope) error { _, err := rec.Run(ctx); return err }})
	}
	if cfg.SweepInterval > 0 {
		out = append(out, queue.Maintenance{Name: sweepJob, Interval: cfg.SweepInterval,
			Run: func(ctx context.Context, _ queue.Scope) error { _, err := sweep.Run(ctx); return err }})
		// Not periodic (no Interval): queued for an installation or
		// repositories just added.
		out = append(out, queue.Maintenance{Name: crawlJob,
			Run: func(ctx context.Context, sc queue.Scope) error {
				_, err := sweep.Crawl(ctx, sc.Installation, sc.Repos)
				return err
			}})
	}
	return out
}

// sweepJob is the maintenance job that re-enqueues stuck check runs and
// reviews open pull requests without one.
const sweepJob = "sweep-check-runs"

// crawlJob reviews the recently updated open pull requests of an
// installation or repositories just added, paced.
const crawlJob = "crawl-installation"

// lateStore lets maintenance jobs reach the queue that is opened after
// them.
type lateStore struct{ q **queue.Queue }

func (l lateStore) Seen(ctx context.Context, g string) (bool, error) { return (*l.q).Seen(ctx, g) }
func (l lateStore) State(ctx context.Context, n string) (string, error) {
	return (*l.q).State(ctx, n)
}
func (l lateStore) SetState(ctx context.Context, n, v string) error {
	return (*l.q).SetState(ctx, n, v)
}
