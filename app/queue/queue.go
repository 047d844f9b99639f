// Package queue is the App's durable job queue, on River: an embedded
// SQLite file by default, PostgreSQL for several replicas. A webhook is
// acknowledged only after its delivery record and its jobs are committed
// in one transaction; jobs are unique by (installation, repo, PR, head
// SHA); retries back off exponentially and every job has a deadline.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/clerkguard/clerkguard/app/review"
)

// Runner does the work of one review; final is true on the last attempt.
type Runner interface {
	Review(ctx context.Context, req review.Request, final bool) error
}

// Options configure the queue.
type Options struct {
	DatabaseURL  string // sqlite:///path.db, sqlite://relative.db, postgres://...
	Workers      int
	JobTimeout   time.Duration
	MaxAttempts  int
	RescueAfter  time.Duration // a job running longer (its process died) is retried
	Runner       Runner
	Logger       *slog.Logger
	PollInterval time.Duration
}

// Result of an enqueue.
type Result struct {
	Duplicate bool // the delivery was seen before: nothing enqueued
	Inserted  int  // new jobs
	Existing  int  // jobs that were already queued or done (unique)
}

// Queue is the durable queue.
type Queue struct {
	enqueue func(ctx context.Context, delivery string, reqs []review.Request) (Result, error)
	start   func(ctx context.Context) error
	stop    func(ctx context.Context) error
	ping    func(ctx context.Context) error
	close   func()
	Kind    string // "sqlite" or "postgres"
}

// Enqueue records the delivery and inserts its jobs in one transaction.
func (q *Queue) Enqueue(ctx context.Context, delivery string, reqs []review.Request) (Result, error) {
	return q.enqueue(ctx, delivery, reqs)
}

// Start begins working jobs.
func (q *Queue) Start(ctx context.Context) error { return q.start(ctx) }

// Stop stops fetching, lets running jobs finish until ctx is done, then
// cancels them; unfinished jobs are resumed by the next process.
func (q *Queue) Stop(ctx context.Context) error { return q.stop(ctx) }

// Ping checks the store, for /readyz.
func (q *Queue) Ping(ctx context.Context) error { return q.ping(ctx) }

// Close releases the database.
func (q *Queue) Close() { q.close() }

const deliveriesDDL = `CREATE TABLE IF NOT EXISTS clerkguard_deliveries (
	id TEXT PRIMARY KEY,
	received_at TIMESTAMP NOT NULL
)`

// worker adapts a Runner to River.
type worker struct {
	river.WorkerDefaults[review.Request]
	runner  Runner
	timeout time.Duration
}

func (w *worker) Timeout(*river.Job[review.Request]) time.Duration { return w.timeout }

func (w *worker) Work(ctx context.Context, job *river.Job[review.Request]) error {
	err := w.runner.Review(ctx, job.Args, job.Attempt >= job.MaxAttempts)
	var perm *review.Permanent
	if errors.As(err, &perm) {
		return river.JobCancel(err)
	}
	return err
}

func insertOpts(maxAttempts int) *river.InsertOpts {
	return &river.InsertOpts{
		MaxAttempts: maxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// Open connects to the store, runs migrations and builds the River client.
func Open(ctx context.Context, o Options) (*Queue, error) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 10 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = o.JobTimeout + time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{runner: o.Runner, timeout: o.JobTimeout}); err != nil {
		return nil, err
	}
	cfg := &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:              workers,
		JobTimeout:           o.JobTimeout,
		MaxAttempts:          o.MaxAttempts,
		RescueStuckJobsAfter: o.RescueAfter,
		Logger:               o.Logger.With("component", "river"),
		FetchPollInterval:    o.PollInterval,
		FetchCooldown:        o.PollInterval / 5,
	}
	if o.PollInterval <= 0 {
		cfg.FetchPollInterval, cfg.FetchCooldown = 0, 0
	}
	switch {
	case strings.HasPrefix(o.DatabaseURL, "postgres://"), strings.HasPrefix(o.DatabaseURL, "postgresql://"):
		return openPostgres(ctx, o, cfg)
	default:
		return openSQLite(ctx, o, cfg)
	}
}

// SQLitePath turns sqlite:///abs/path.db or sqlite://rel.db into a path.
func SQLitePath(dsn string) (string, error) {
	if dsn == "" {
		return "clerkguard.db", nil
	}
	if !strings.HasPrefix(dsn, "sqlite://") {
		return "", fmt.Errorf("not a sqlite URL: %q", dsn)
	}
	p := strings.TrimPrefix(dsn, "sqlite://")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", errors.New("sqlite URL has no path")
	}
	return p, nil
}

func openSQLite(ctx context.Context, o Options, cfg *river.Config) (*Queue, error) {
	p, err := SQLitePath(o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(p); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	dsn := "file:" + (&url.URL{Path: p}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", p, err)
	}
	db.SetMaxOpenConns(1) // SQLite allows one writer; River's docs recommend one connection
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", p, err)
	}
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, deliveriesDDL); err != nil {
		db.Close()
		return nil, fmt.Errorf("create deliveries table: %w", err)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("river: %w", err)
	}
	q := &Queue{Kind: "sqlite", close: func() { db.Close() }}
	q.ping = func(ctx context.Context) error { return db.PingContext(ctx) }
	q.start = client.Start
	q.stop = stopper(client.Stop, client.StopAndCancel)
	q.enqueue = func(ctx context.Context, delivery string, reqs []review.Request) (Result, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return Result{}, fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback() //nolint:errcheck // after commit this is a no-op
		res, err := enqueueTx(ctx, delivery, reqs, o.MaxAttempts,
			func(ctx context.Context) (bool, error) {
				r, err := tx.ExecContext(ctx, `INSERT INTO clerkguard_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, delivery, time.Now().UTC())
				if err != nil {
					return false, err
				}
				n, err := r.RowsAffected()
				return n == 1, err
			},
			func(ctx context.Context, args review.Request, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
				return client.InsertTx(ctx, tx, args, opts)
			})
		if err != nil {
			return Result{}, err
		}
		if err := tx.Commit(); err != nil {
			return Result{}, fmt.Errorf("commit: %w", err)
		}
		return res, nil
	}
	return q, nil
}

func openPostgres(ctx context.Context, o Options, cfg *river.Config) (*Queue, error) {
	pool, err := pgxpool.New(ctx, o.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	driver := riverpgxv5.New(pool)
	if err := migrate(ctx, driver); err != nil {
		pool.Close()
		return nil, err
	}
	if _, err := pool.Exec(ctx, deliveriesDDL); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create deliveries table: %w", err)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("river: %w", err)
	}
	q := &Queue{Kind: "postgres", close: pool.Close}
	q.ping = pool.Ping
	q.start = client.Start
	q.stop = stopper(client.Stop, client.StopAndCancel)
	q.enqueue = func(ctx context.Context, delivery string, reqs []review.Request) (Result, error) {
		var res Result
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var err error
			res, err = enqueueTx(ctx, delivery, reqs, o.MaxAttempts,
				func(ctx context.Context) (bool, error) {
					tag, err := tx.Exec(ctx, `INSERT INTO clerkguard_deliveries (id, received_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, delivery, time.Now().UTC())
					if err != nil {
						return false, err
					}
					return tag.RowsAffected() == 1, nil
				},
				func(ctx context.Context, args review.Request, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
					return client.InsertTx(ctx, tx, args, opts)
				})
			return err
		})
		return res, err
	}
	return q, nil
}

func enqueueTx(ctx context.Context, delivery string, reqs []review.Request, maxAttempts int,
	record func(context.Context) (bool, error),
	insert func(context.Context, review.Request, *river.InsertOpts) (*rivertype.JobInsertResult, error)) (Result, error) {
	var res Result
	if delivery != "" {
		isNew, err := record(ctx)
		if err != nil {
			return res, fmt.Errorf("record delivery: %w", err)
		}
		if !isNew {
			res.Duplicate = true
			return res, nil
		}
	}
	for _, r := range reqs {
		ir, err := insert(ctx, r, insertOpts(maxAttempts))
		if err != nil {
			return res, fmt.Errorf("insert job: %w", err)
		}
		if ir.UniqueSkippedAsDuplicate {
			res.Existing++
		} else {
			res.Inserted++
		}
	}
	return res, nil
}

// migrate brings River's schema up to date; it runs on every start.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

func stopper(stop, cancel func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := stop(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			// Grace period over: cancel what still runs; River retries it later.
			c, done := context.WithTimeout(context.Background(), 5*time.Second)
			defer done()
			return cancel(c)
		}
		return err
	}
}
