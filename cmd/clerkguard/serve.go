package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/server"
	"github.com/clerkguard/clerkguard/rules/all"
)

// cmdServe runs the GitHub App. All configuration comes from CLERKGUARD_*
// environment variables (DESIGN.md).
func cmdServe(ctx context.Context, args []string, stderr io.Writer, getenv config.Getenv) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "clerkguard serve takes no arguments; configure it with CLERKGUARD_* environment variables (see README)\n")
		return 2
	}
	level := new(slog.LevelVar)
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := config.Load(getenv, func(msg string, a ...any) { log.Warn(msg, a...) })
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard serve: %v\n", err)
		return 2
	}
	level.Set(cfg.LogLevel)
	srv, err := server.New(ctx, server.Options{Config: cfg, Logger: log, Rules: all.Rules(), Version: version})
	if err != nil {
		log.Error("cannot start", "err", err.Error())
		return 2
	}
	if err := srv.Run(ctx); err != nil {
		log.Error("server failed", "err", err.Error())
		return 2
	}
	return 0
}
