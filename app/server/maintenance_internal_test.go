package server

import (
	"log/slog"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/queue"
)

// TestNoMaintenanceAtStartup: neither the reconciler nor the sweep runs at
// start-up (each would list installations or deliveries on GitHub); both
// first run one interval later.
func TestNoMaintenanceAtStartup(t *testing.T) {
	cfg := &config.Config{ReconcileInterval: time.Minute, SweepInterval: time.Hour}
	var q *queue.Queue
	ms := maintenance(cfg, nil, slog.New(slog.DiscardHandler), &q)
	if len(ms) != 3 { // reconciler, sweep, and the crawl queued by installation events
		t.Fatalf("%d maintenance jobs, want 3", len(ms))
	}
	for _, m := range ms {
		if m.RunOnStart {
			t.Errorf("%s runs at start-up", m.Name)
		}
	}
}
