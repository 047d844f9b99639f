package queue

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The job store remembers each review request's check run (by the
// request's Key), so a review creates its run once and a retried or
// redelivered review finds it without listing the head's check runs.
const checkRunsDDL = `CREATE TABLE IF NOT EXISTS clerkguard_check_runs (
	key TEXT PRIMARY KEY,
	id BIGINT NOT NULL,
	completed BOOLEAN NOT NULL,
	at_ms BIGINT NOT NULL
)`

// runStore implements review.RunStore over either store.
type runStore struct {
	get  func(ctx context.Context, key string) (id int64, completed bool, err error)
	exec func(ctx context.Context, sqlite, postgres string, args ...any) (int64, error)
}

func sqliteRuns(db *sql.DB, l *leaseStore) *runStore {
	return &runStore{exec: l.exec, get: func(ctx context.Context, key string) (int64, bool, error) {
		var id int64
		var done bool
		err := db.QueryRowContext(ctx, `SELECT id, completed FROM clerkguard_check_runs WHERE key = ?`, key).Scan(&id, &done)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return id, done, err
	}}
}

func postgresRuns(pool *pgxpool.Pool, l *leaseStore) *runStore {
	return &runStore{exec: l.exec, get: func(ctx context.Context, key string) (int64, bool, error) {
		var id int64
		var done bool
		err := pool.QueryRow(ctx, `SELECT id, completed FROM clerkguard_check_runs WHERE key = $1`, key).Scan(&id, &done)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, nil
		}
		return id, done, err
	}}
}

// CheckRun returns the check run recorded for key (id 0 when none).
func (s *runStore) CheckRun(ctx context.Context, key string) (int64, bool, error) {
	return s.get(ctx, key)
}

// SaveCheckRun records key's check run and whether it is completed.
func (s *runStore) SaveCheckRun(ctx context.Context, key string, id int64, completed bool) error {
	_, err := s.exec(ctx,
		`INSERT INTO clerkguard_check_runs (key, id, completed, at_ms) VALUES (?, ?, ?, ?)
		 ON CONFLICT (key) DO UPDATE SET id = excluded.id, completed = excluded.completed, at_ms = excluded.at_ms`,
		`INSERT INTO clerkguard_check_runs (key, id, completed, at_ms) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (key) DO UPDATE SET id = excluded.id, completed = excluded.completed, at_ms = excluded.at_ms`,
		key, id, completed, time.Now().UnixMilli())
	return err
}

// prune forgets check runs recorded before t.
func (s *runStore) prune(ctx context.Context, t time.Time) error {
	_, err := s.exec(ctx,
		`DELETE FROM clerkguard_check_runs WHERE at_ms < ?`,
		`DELETE FROM clerkguard_check_runs WHERE at_ms < $1`,
		t.UnixMilli())
	return err
}
