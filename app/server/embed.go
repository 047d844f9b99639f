package server

import (
	"context"
	"fmt"
	"net/http"
)

// Embed starts the App's job queue and returns its routes (/webhook,
// /healthz, /readyz, /metrics) for a caller that owns the listener: setup
// mode (app/setup) switches to them once the App is registered, without a
// restart. ctx must live as long as the server does. stop ends the queue as
// Run's shutdown does: in-flight jobs may finish within the grace period.
// Do not also call Run.
func (s *Server) Embed(ctx context.Context) (h http.Handler, stop func(), err error) {
	if err := s.queue.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start queue: %w", err)
	}
	s.log.Info("clerkguard serving", "store", s.queue.Kind, "config", s.cfg)
	stop = func() {
		shCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
		defer cancel()
		if err := s.queue.Stop(shCtx); err != nil {
			s.log.Warn("queue stop: unfinished jobs resume on the next start", "err", err)
		}
		s.queue.Close()
	}
	return s.http.Handler, stop, nil
}
