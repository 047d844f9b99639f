// Package queue is the App's durable job queue, on River: an embedded
// SQLite file by default, PostgreSQL for several replicas. A webhook is
// acknowledged only after its delivery record and its jobs are committed
// in one transaction; jobs are unique by (installation, repo, PR, head
// SHA); retries back off exponentially and every job has a deadline; and
// two executions of the same review never run at once (lease.go).
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

// Runner does the work of one review attempt.
type Runner interface {
	Review(ctx context.Context, req review.Request, at review.Attempt) error
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
	// RerunWindow overrides RerunWindow (tests); Now is the clock of the
	// re-run window (default time.Now).
	RerunWindow time.Duration
	Now         func() time.Time
	// LeaseTTL is how long a review's run-once lease outlives its last
	// renewal (0: DefaultLeaseTTL, or half of RescueAfter when shorter).
	LeaseTTL time.Duration
	// Maintenance are periodic jobs (the redelivery reconciler, the start-up
	// sweep). River runs periodic jobs on the elected leader only, so with
	// several replicas each runs on one replica at a time.
	Maintenance []Maintenance
}

// Maintenance is a periodic job.
type Maintenance struct {
	Name       string
	Interval   time.Duration // 0: not periodic, only queued by RunMaintenance
	RunOnStart bool
	// Run does the work; scope is the installation and repositories
	// RunMaintenanceFor named (zero for the periodic runs).
	Run func(ctx context.Context, scope Scope) error
}

// Scope narrows a maintenance run to one installation's repositories.
type Scope struct {
	Installation int64    `json:"installation,omitempty"`
	Repos        []string `json:"repos,omitempty"` // "owner/name"; none: all of the installation's
}

// maintenanceArgs is the River job of a Maintenance.
type maintenanceArgs struct {
	Name  string `json:"name"`
	Scope Scope  `json:"scope"`
}

func (maintenanceArgs) Kind() string { return "clerkguard_maintenance" }

type maintenanceWorker struct {
	river.WorkerDefaults[maintenanceArgs]
	jobs    map[string]Maintenance
	timeout time.Duration
}

func (w *maintenanceWorker) Timeout(*river.Job[maintenanceArgs]) time.Duration { return w.timeout }

func (w *maintenanceWorker) Work(ctx context.Context, job *river.Job[maintenanceArgs]) error {
	m, ok := w.jobs[job.Args.Name]
	if !ok {
		return river.JobCancel(fmt.Errorf("unknown maintenance job %q", job.Args.Name))
	}
	return m.Run(ctx, job.Args.Scope)
}

// Result of an enqueue.
type Result struct {
	Duplicate bool // the delivery was seen before: nothing enqueued
	Inserted  int  // new jobs
	Existing  int  // jobs that were already queued or done (unique)
	// Coalesced are re-run requests that got no job because the same
	// check run or suite was re-run within RerunWindow.
	Coalesced int
}

// Queue is the durable queue.
type Queue struct {
	enqueue func(ctx context.Context, delivery string, reqs []review.Request) (Result, error)
	start   func(ctx context.Context) error
	stop    func(ctx context.Context) error
	ping    func(ctx context.Context) error
	close   func()
	// seen reports whether a delivery GUID was recorded.
	seen func(ctx context.Context, guid string) (bool, error)
	// getState and setState keep small named values (reconciler cursor).
	getState func(ctx context.Context, name string) (string, error)
	setState func(ctx context.Context, name, value string) error
	// prune deletes delivery records older than the given time.
	prune func(ctx context.Context, before time.Time) error
	// insert enqueues jobs outside a delivery (sweep).
	insert   func(ctx context.Context, reqs []review.Request) (Result, error)
	runMaint func(ctx context.Context, name string, scope Scope) error
	depth    func(ctx context.Context) (map[string]int, error)
	leases   *leaseStore
	runs     *runStore
	Kind     string // "sqlite" or "postgres"
}

// Seen reports whether the delivery GUID was received and queued.
func (q *Queue) Seen(ctx context.Context, guid string) (bool, error) { return q.seen(ctx, guid) }

// State returns a named value ("" when unset).
func (q *Queue) State(ctx context.Context, name string) (string, error) { return q.getState(ctx, name) }

// SetState stores a named value.
func (q *Queue) SetState(ctx context.Context, name, value string) error {
	return q.setState(ctx, name, value)
}

// RunMaintenance enqueues one run of a maintenance job now (for example
// the sweep when the App is installed on new repositories). Runs requested
// within a minute of each other are merged.
func (q *Queue) RunMaintenance(ctx context.Context, name string) error {
	return q.runMaint(ctx, name, Scope{})
}

// RunMaintenanceFor queues a run of the named maintenance job narrowed to
// scope (unique by name and scope within a minute).
func (q *Queue) RunMaintenanceFor(ctx context.Context, name string, scope Scope) error {
	return q.runMaint(ctx, name, scope)
}

// Insert enqueues review jobs that come from no delivery (the sweep).
func (q *Queue) Insert(ctx context.Context, reqs []review.Request) (Result, error) {
	return q.insert(ctx, reqs)
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

// Depth counts the review jobs in the store by River state (available,
// running, retryable, scheduled, completed, ...).
func (q *Queue) Depth(ctx context.Context) (map[string]int, error) { return q.depth(ctx) }

// countRows reads (state, count) rows of either store.
func countRows(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}) (map[string]int, error) {
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, rows.Err()
}

// Close releases the database.
func (q *Queue) Close() { q.close() }

const deliveriesDDL = `CREATE TABLE IF NOT EXISTS clerkguard_deliveries (
	id TEXT PRIMARY KEY,
	received_at TIMESTAMP NOT NULL
)`

// DeliveryRetention is how long delivery IDs are kept for deduplication.
const DeliveryRetention = 8 * 24 * time.Hour

// RerunWindow is how long after an accepted re-run request further
// requests to re-run the same check run (or suite and pull request) make
// no new job. The signature covers the payload but not the delivery ID, so
// without it a captured re-run payload replayed under fresh delivery IDs
// would start one review each.
const RerunWindow = time.Minute

// rerunsDDL records when each re-run key last made a job (Unix ms).
const rerunsDDL = `CREATE TABLE IF NOT EXISTS clerkguard_reruns (
	key TEXT PRIMARY KEY,
	at_ms BIGINT NOT NULL
)`

const stateDDL = `CREATE TABLE IF NOT EXISTS clerkguard_state (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
)`

// resumeOrphans makes every job a SQLite store holds as running available
// again, and drops every review lease, when the store opens: SQLite is
// one process's store, so whatever was running belonged to a process that
// is gone (killed, crashed), and its reviews resume at once instead of
// when River's rescuer presumes them orphaned (RescueAfter).
func resumeOrphans(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`); err != nil {
		return fmt.Errorf("resume the jobs of the previous process: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM clerkguard_leases`); err != nil {
		return fmt.Errorf("drop the leases of the previous process: %w", err)
	}
	return nil
}

// worker adapts a Runner to River.
type worker struct {
	river.WorkerDefaults[review.Request]
	runner   Runner
	timeout  time.Duration
	leases   *leaseStore // set once the store is open
	runs     *runStore   // set once the store is open
	leaseTTL time.Duration
	log      *slog.Logger
}

func (w *worker) Timeout(*river.Job[review.Request]) time.Duration { return w.timeout }

// Work runs the review under its lease: when another execution of the
// same review still runs (a rescued job whose first run has not returned,
// a re-run of the same head), it snoozes instead of running beside it.
func (w *worker) Work(ctx context.Context, job *river.Job[review.Request]) error {
	key := job.Args.LeaseKey()
	held, err := w.leases.hold(ctx, w.log, key, w.leaseTTL, func() error {
		return w.runner.Review(ctx, job.Args, review.Attempt{N: job.Attempt, Final: job.Attempt >= job.MaxAttempts, Runs: w.runs})
	})
	if !held {
		if err != nil {
			return err
		}
		w.log.Info("the same review is running in another execution; trying again later", "job", job.ID, "lease", key)
		return river.JobSnooze(w.leaseTTL / 4)
	}
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
	if o.LeaseTTL <= 0 {
		// Expire a dead process's lease before River rescues its job, so
		// the rescued job runs at once; a live execution keeps renewing.
		o.LeaseTTL = min(DefaultLeaseTTL, o.RescueAfter/2)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RerunWindow <= 0 {
		o.RerunWindow = RerunWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	workers := river.NewWorkers()
	w := &worker{runner: o.Runner, timeout: o.JobTimeout, leaseTTL: o.LeaseTTL, log: o.Logger}
	if err := river.AddWorkerSafely(workers, w); err != nil {
		return nil, err
	}
	// The delivery log only has to outlive GitHub's redelivery window
	// (3 days on github.com, 7 on GHES); prune it daily.
	var self *Queue
	o.Maintenance = append(o.Maintenance, Maintenance{Name: "prune-deliveries", Interval: 24 * time.Hour,
		Run: func(ctx context.Context, _ Scope) error { return self.prune(ctx, time.Now().Add(-DeliveryRetention)) }})
	mw := &maintenanceWorker{jobs: map[string]Maintenance{}, timeout: o.JobTimeout}
	var periodic []*river.PeriodicJob
	for _, m := range o.Maintenance {
		m := m
		mw.jobs[m.Name] = m
		if m.Interval <= 0 {
			continue // run only when queued (RunMaintenanceFor)
		}
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(m.Interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return maintenanceArgs{Name: m.Name}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: m.Interval}}
			}, &river.PeriodicJobOpts{RunOnStart: m.RunOnStart}))
	}
	if err := river.AddWorkerSafely(workers, mw); err != nil {
		return nil, err
	}
	cfg := &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:              workers,
		JobTimeout:           o.JobTimeout,
		MaxAttempts:          o.MaxAttempts,
		RescueStuckJobsAfter: o.RescueAfter,
		Logger:               o.Logger.With("component", "river"),
		PeriodicJobs:         periodic,
		FetchPollInterval:    o.PollInterval,
		FetchCooldown:        o.PollInterval / 5,
	}
	if o.PollInterval <= 0 {
		cfg.FetchPollInterval, cfg.FetchCooldown = 0, 0
	}
	var err error
	switch {
	case strings.HasPrefix(o.DatabaseURL, "postgres://"), strings.HasPrefix(o.DatabaseURL, "postgresql://"):
		self, err = openPostgres(ctx, o, cfg, w)
	default:
		self, err = openSQLite(ctx, o, cfg, w)
	}
	return self, err
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

func openSQLite(ctx context.Context, o Options, cfg *river.Config, w *worker) (*Queue, error) {
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
	for _, ddl := range []string{deliveriesDDL, stateDDL, rerunsDDL, leasesDDL, checkRunsDDL} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			db.Close()
			return nil, fmt.Errorf("create tables: %w", err)
		}
	}
	if err := resumeOrphans(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("river: %w", err)
	}
	w.leases = sqliteLeases(db)
	w.runs = sqliteRuns(db, w.leases)
	q := &Queue{Kind: "sqlite", close: func() { db.Close() }, leases: w.leases, runs: w.runs}
	q.setInserter(client, o.MaxAttempts)
	q.seen = func(ctx context.Context, guid string) (bool, error) {
		var n int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clerkguard_deliveries WHERE id = ?`, guid).Scan(&n)
		return n > 0, err
	}
	q.getState = func(ctx context.Context, name string) (string, error) {
		var v string
		err := db.QueryRowContext(ctx, `SELECT value FROM clerkguard_state WHERE name = ?`, name).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return v, err
	}
	q.prune = func(ctx context.Context, before time.Time) error {
		if _, err := db.ExecContext(ctx, `DELETE FROM clerkguard_deliveries WHERE received_at < ?`, before.UTC()); err != nil {
			return err
		}
		_, err := db.ExecContext(ctx, `DELETE FROM clerkguard_reruns WHERE at_ms < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		if err := q.runs.prune(ctx, before); err != nil {
			return err
		}
		return q.leases.prune(ctx, time.Now())
	}
	q.setState = func(ctx context.Context, name, value string) error {
		_, err := db.ExecContext(ctx, `INSERT INTO clerkguard_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		return err
	}
	q.ping = func(ctx context.Context) error { return db.PingContext(ctx) }
	q.depth = func(ctx context.Context) (map[string]int, error) {
		rows, err := db.QueryContext(ctx, `SELECT state, COUNT(*) FROM river_job WHERE kind = ? GROUP BY state`, review.Request{}.Kind())
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return countRows(rows)
	}
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
			func(ctx context.Context, key string) (bool, error) {
				now := o.Now()
				r, err := tx.ExecContext(ctx, claimRerunSQL("?", "?", "?"), key, now.UnixMilli(), now.Add(-o.RerunWindow).UnixMilli())
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

func openPostgres(ctx context.Context, o Options, cfg *river.Config, w *worker) (*Queue, error) {
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
	for _, ddl := range []string{deliveriesDDL, stateDDL, rerunsDDL, leasesDDL, checkRunsDDL} {
		if _, err := pool.Exec(ctx, ddl); err != nil {
			pool.Close()
			return nil, fmt.Errorf("create tables: %w", err)
		}
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("river: %w", err)
	}
	w.leases = postgresLeases(pool)
	w.runs = postgresRuns(pool, w.leases)
	q := &Queue{Kind: "postgres", close: pool.Close, leases: w.leases, runs: w.runs}
	q.setInserter(client, o.MaxAttempts)
	q.seen = func(ctx context.Context, guid string) (bool, error) {
		var n int
		err := pool.QueryRow(ctx, `SELECT COUNT(*) FROM clerkguard_deliveries WHERE id = $1`, guid).Scan(&n)
		return n > 0, err
	}
	q.getState = func(ctx context.Context, name string) (string, error) {
		var v string
		err := pool.QueryRow(ctx, `SELECT value FROM clerkguard_state WHERE name = $1`, name).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil
		}
		return v, err
	}
	q.prune = func(ctx context.Context, before time.Time) error {
		if _, err := pool.Exec(ctx, `DELETE FROM clerkguard_deliveries WHERE received_at < $1`, before.UTC()); err != nil {
			return err
		}
		_, err := pool.Exec(ctx, `DELETE FROM clerkguard_reruns WHERE at_ms < $1`, before.UnixMilli())
		if err != nil {
			return err
		}
		if err := q.runs.prune(ctx, before); err != nil {
			return err
		}
		return q.leases.prune(ctx, time.Now())
	}
	q.setState = func(ctx context.Context, name, value string) error {
		_, err := pool.Exec(ctx, `INSERT INTO clerkguard_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		return err
	}
	q.ping = pool.Ping
	q.depth = func(ctx context.Context) (map[string]int, error) {
		rows, err := pool.Query(ctx, `SELECT state::text, COUNT(*) FROM river_job WHERE kind = $1 GROUP BY state`, review.Request{}.Kind())
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return countRows(rows)
	}
	stopReaper := context.CancelFunc(func() {})
	q.start = func(ctx context.Context) error {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stopReaper = cancel
		go reaper(rctx, pool, o.LeaseTTL, o.Logger)
		return client.Start(ctx)
	}
	stop := stopper(client.Stop, client.StopAndCancel)
	q.stop = func(ctx context.Context) error { stopReaper(); return stop(ctx) }
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
				func(ctx context.Context, key string) (bool, error) {
					now := o.Now()
					tag, err := tx.Exec(ctx, claimRerunSQL("$1", "$2", "$3"), key, now.UnixMilli(), now.Add(-o.RerunWindow).UnixMilli())
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

// claimRerunSQL records a re-run key unless it was recorded after the
// window's start; one affected row means the re-run may go ahead. In the
// enqueue transaction, concurrent claims of one key (other replicas) wait
// for each other on the row, so exactly one wins per window.
func claimRerunSQL(key, at, since string) string {
	return `INSERT INTO clerkguard_reruns (key, at_ms) VALUES (` + key + `, ` + at + `)
		ON CONFLICT (key) DO UPDATE SET at_ms = excluded.at_ms WHERE clerkguard_reruns.at_ms <= ` + since
}

func enqueueTx(ctx context.Context, delivery string, reqs []review.Request, maxAttempts int,
	record func(context.Context) (bool, error),
	claimRerun func(context.Context, string) (bool, error),
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
		if r.RerunOf != "" {
			ok, err := claimRerun(ctx, r.RerunOf)
			if err != nil {
				return res, fmt.Errorf("record re-run: %w", err)
			}
			if !ok {
				res.Coalesced++
				continue
			}
		}
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

// inserter is the part of a River client (of either driver) that inserts
// outside a transaction.
type inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// setInserter wires the inserts that come from no delivery: the sweep's
// review jobs and on-demand maintenance runs.
func (q *Queue) setInserter(client inserter, maxAttempts int) {
	q.insert = func(ctx context.Context, reqs []review.Request) (Result, error) {
		var res Result
		for _, r := range reqs {
			ir, err := client.Insert(ctx, r, insertOpts(maxAttempts))
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
	q.runMaint = func(ctx context.Context, name string, scope Scope) error {
		_, err := client.Insert(ctx, maintenanceArgs{Name: name, Scope: scope}, &river.InsertOpts{MaxAttempts: 3,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}})
		return err
	}
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
