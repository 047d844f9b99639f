package queue

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clerkguard/clerkguard/app/review"
)

// On PostgreSQL several replicas share the jobs, and River retries a
// running job whose process died only after RescueAfter (beyond the job's
// deadline). The review lease is the execution's heartbeat: renewed every
// LeaseTTL/4 while it runs, it expires LeaseTTL after its process dies. The
// reaper makes a running review job whose lease expired available again,
// so another replica retries it within about LeaseTTL plus a reaper
// interval (under a minute at the defaults), not after RescueAfter.

// reaper runs reap every ttl/3 until ctx is done.
func reaper(ctx context.Context, pool *pgxpool.Pool, ttl time.Duration, log *slog.Logger) {
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := reap(ctx, pool, ttl, time.Now())
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("could not look for the reviews of dead replicas", "err", err)
			case n > 0:
				log.Info("retrying the reviews of a dead replica at once", "jobs", n)
			}
		}
	}
}

// reap makes available the running review jobs, started more than ttl
// before now, whose lease expired before now (a process that dies leaves
// its lease behind) or that hold no lease at all: an execution takes its
// lease as the first thing it does (worker.Work), so a job running for
// longer than ttl without one belongs to a process that died between
// River marking it running and that first step.
func reap(ctx context.Context, pool *pgxpool.Pool, ttl time.Duration, now time.Time) (int, error) {
	rows, err := pool.Query(ctx, `SELECT id, args FROM river_job WHERE state = 'running' AND kind = $1 AND attempted_at < $2`,
		review.Request{}.Kind(), now.Add(-ttl))
	if err != nil {
		return 0, err
	}
	type job struct {
		id   int64
		args []byte
	}
	var jobs []job
	for rows.Next() {
		var j job
		if err := rows.Scan(&j.id, &j.args); err != nil {
			rows.Close()
			return 0, err
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		var req review.Request
		if err := json.Unmarshal(j.args, &req); err != nil {
			continue // not ours to judge; River's rescuer handles it
		}
		tag, err := pool.Exec(ctx,
			`UPDATE river_job SET state = 'available', scheduled_at = $3
			 WHERE id = $1 AND state = 'running'
			 AND (EXISTS (SELECT 1 FROM clerkguard_leases WHERE name = $2 AND expires_at < $4)
			      OR NOT EXISTS (SELECT 1 FROM clerkguard_leases WHERE name = $2))`,
			j.id, req.LeaseKey(), now, now.UnixMilli())
		if err != nil {
			return n, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}
