// Package maintain holds the App's periodic jobs: the redelivery
// reconciler, which asks GitHub to redeliver webhooks that failed while
// the App was down, and the start-up sweep, which re-enqueues reviews whose
// check runs were left queued or in progress.
package maintain

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Store is what the jobs need from the durable queue.
type Store interface {
	Seen(ctx context.Context, guid string) (bool, error)
	State(ctx context.Context, name string) (string, error)
	SetState(ctx context.Context, name, value string) error
}

// Reconciler redelivers failed webhook deliveries.
type Reconciler struct {
	GitHub Deliveries
	Store  Store
	Log    *slog.Logger
	// Window is how far back the first run looks (GitHub keeps deliveries
	// for 3 days on github.com, 7 on GHES).
	Window time.Duration
	// MaxRedeliveries bounds one run.
	MaxRedeliveries int
	Now             func() time.Time
}

const cursorKey = "reconciler.since"

// Run lists deliveries since the last run and redelivers each GUID that
// never succeeded and that this App never recorded. It returns the number
// of redeliveries requested.
func (r *Reconciler) Run(ctx context.Context) (int, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	start := now()
	window := r.Window
	if window <= 0 {
		window = 72 * time.Hour
	}
	since := start.Add(-window)
	if v, err := r.Store.State(ctx, cursorKey); err != nil {
		return 0, fmt.Errorf("reconciler cursor: %w", err)
	} else if v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && t.After(since) {
			since = t.Add(-5 * time.Minute) // overlap: deliveries may be listed late
		}
	}
	type guidState struct {
		ok       bool
		latestID int64
		event    string
	}
	byGUID := map[string]*guidState{}
	var order []string
	cursor := ""
	for pages := 0; pages < 100; pages++ {
		ds, next, err := r.GitHub.Deliveries(ctx, cursor)
		if err != nil {
			return 0, fmt.Errorf("list deliveries: %w", err)
		}
		older := false
		for _, d := range ds {
			if d.DeliveredAt != nil && d.DeliveredAt.Before(since) {
				older = true
				continue
			}
			g := d.GetGUID()
			st, ok := byGUID[g]
			if !ok {
				st = &guidState{event: d.GetEvent()}
				byGUID[g] = st
				order = append(order, g)
			}
			if d.GetStatusCode() >= 200 && d.GetStatusCode() < 300 {
				st.ok = true
			}
			if d.GetID() > st.latestID {
				st.latestID = d.GetID()
			}
		}
		if older || next == "" {
			break
		}
		cursor = next
	}
	max := r.MaxRedeliveries
	if max <= 0 {
		max = 500
	}
	n := 0
	for _, g := range order {
		st := byGUID[g]
		if st.ok {
			continue
		}
		seen, err := r.Store.Seen(ctx, g)
		if err != nil {
			return n, err
		}
		if seen || n >= max {
			continue
		}
		if err := r.GitHub.Redeliver(ctx, st.latestID); err != nil {
			r.Log.Warn("redelivery failed", "delivery", g, "err", err)
			continue
		}
		n++
		r.Log.Info("redelivery requested", "delivery", g, "event", st.event)
	}
	if err := r.Store.SetState(ctx, cursorKey, start.UTC().Format(time.RFC3339Nano)); err != nil {
		return n, fmt.Errorf("reconciler cursor: %w", err)
	}
	r.Log.Info("reconciler finished", "redeliveries", n, "deliveries_seen", len(order))
	return n, nil
}
