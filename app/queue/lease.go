package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// A review job holds a lease on its LeaseKey while it runs, so that two
// executions of the same review never run at once: River's rescuer
// retries a job that runs past RescueAfter (its process presumed dead),
// and without the lease a job that was merely stuck ran again in another
// slot, and again, until one pull request held every worker. The lease is
// renewed while the execution runs (even past its deadline, as long as it
// has not returned) and expires LeaseTTL after its process dies.

const leasesDDL = `CREATE TABLE IF NOT EXISTS clerkguard_leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
)`

// DefaultLeaseTTL is the longest a lease outlives its last renewal: on
// PostgreSQL, a dead replica's review is retried about this long after it
// died (see reap).
const DefaultLeaseTTL = 30 * time.Second

// leaseStore is the lease table of either store. Times are Unix
// milliseconds.
type leaseStore struct {
	// exec runs a statement and returns the rows it affected.
	exec func(ctx context.Context, sqlite, postgres string, args ...any) (int64, error)
	// renewed, when set, is told of each successful renewal (tests).
	renewed func(key string)
}

func sqliteLeases(db *sql.DB) *leaseStore {
	return &leaseStore{exec: func(ctx context.Context, q, _ string, args ...any) (int64, error) {
		r, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return r.RowsAffected()
	}}
}

func postgresLeases(pool *pgxpool.Pool) *leaseStore {
	return &leaseStore{exec: func(ctx context.Context, _, q string, args ...any) (int64, error) {
		tag, err := pool.Exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return tag.RowsAffected(), nil
	}}
}

// acquire takes the lease when it is free or expired.
func (s *leaseStore) acquire(ctx context.Context, key, holder string, ttl time.Duration) (bool, error) {
	now := time.Now()
	n, err := s.exec(ctx,
		`INSERT INTO clerkguard_leases (name, holder, expires_at) VALUES (?, ?, ?)
		 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		 WHERE clerkguard_leases.expires_at < ?`,
		`INSERT INTO clerkguard_leases (name, holder, expires_at) VALUES ($1, $2, $3)
		 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		 WHERE clerkguard_leases.expires_at < $4`,
		key, holder, now.Add(ttl).UnixMilli(), now.UnixMilli())
	return n == 1, err
}

// renew extends a lease still held by holder.
func (s *leaseStore) renew(ctx context.Context, key, holder string, ttl time.Duration) (bool, error) {
	n, err := s.exec(ctx,
		`UPDATE clerkguard_leases SET expires_at = ? WHERE name = ? AND holder = ?`,
		`UPDATE clerkguard_leases SET expires_at = $1 WHERE name = $2 AND holder = $3`,
		time.Now().Add(ttl).UnixMilli(), key, holder)
	return n == 1, err
}

// release gives the lease up.
func (s *leaseStore) release(ctx context.Context, key, holder string) error {
	_, err := s.exec(ctx,
		`DELETE FROM clerkguard_leases WHERE name = ? AND holder = ?`,
		`DELETE FROM clerkguard_leases WHERE name = $1 AND holder = $2`,
		key, holder)
	return err
}

// prune deletes leases expired before t (left by dead processes).
func (s *leaseStore) prune(ctx context.Context, t time.Time) error {
	_, err := s.exec(ctx,
		`DELETE FROM clerkguard_leases WHERE expires_at < ?`,
		`DELETE FROM clerkguard_leases WHERE expires_at < $1`,
		t.UnixMilli())
	return err
}

// hold runs work under the lease on key: it returns held=false without
// running work when another execution holds the lease. While work runs
// the lease is renewed every ttl/4, whatever happens to ctx; it is
// released when work returns.
func (s *leaseStore) hold(ctx context.Context, log *slog.Logger, key string, ttl time.Duration, work func() error) (held bool, err error) {
	holder, err := newHolder()
	if err != nil {
		return false, err
	}
	ok, err := s.acquire(ctx, key, holder, ttl)
	if err != nil {
		return false, fmt.Errorf("acquire the lease on %s: %w", key, err)
	}
	if !ok {
		return false, nil
	}
	bg := context.WithoutCancel(ctx)
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(ttl / 4)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(bg, ttl/4)
				ok, err := s.renew(rctx, key, holder, ttl)
				cancel()
				switch {
				case err != nil:
					log.Warn("could not renew the review lease; another execution may start when it expires", "key", key, "err", err)
				case !ok:
					log.Error("the review lease was lost while the review runs", "key", key)
				case s.renewed != nil:
					s.renewed(key)
				}
			}
		}
	}()
	defer func() {
		close(stop)
		<-renewed
		rctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		if rerr := s.release(rctx, key, holder); rerr != nil {
			log.Warn("could not release the review lease; it expires by itself", "key", key, "ttl", ttl, "err", rerr)
		}
	}()
	return true, work()
}

func newHolder() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("lease holder id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
