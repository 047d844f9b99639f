package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/server"
	"github.com/clerkguard/clerkguard/app/setup"
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
	warn := func(msg string, a ...any) { log.Warn(msg, a...) }
	// A review's memory is bounded by the engine's budget; the soft limit
	// makes the Go heap collect before the container limit kills the pod.
	limit, from, err := goMemoryLimit(getenv, os.ReadFile)
	if err != nil {
		fmt.Fprintf(stderr, "clerkguard serve: %v\n", err)
		return 2
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
		log.Info("Go memory limit set from the container's", "bytes", limit, "share", memoryLimitShare, "from", from)
	}
	if setup.Unconfigured(getenv) {
		// No App credentials in the environment: use those an earlier
		// setup stored, or serve the setup page (app/setup).
		dir := setup.CredentialsDir(getenv)
		creds, err := setup.Load(dir, warn)
		if err != nil {
			fmt.Fprintf(stderr, "clerkguard serve: %v\n", err)
			return 2
		}
		if creds == nil {
			return serveSetup(ctx, getenv, log, level)
		}
		log.Info("using the GitHub App credentials stored by setup", "app", creds, "credentials_dir", dir)
		getenv = setup.Env(getenv, dir, creds)
	}
	cfg, err := config.Load(getenv, warn)
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

// serveSetup runs setup mode: the manifest flow registers the App, then the
// same process serves it.
func serveSetup(ctx context.Context, getenv config.Getenv, log *slog.Logger, level *slog.LevelVar) int {
	st, err := setup.New(setup.Options{Getenv: getenv, Logger: log,
		App:      server.Options{Logger: log, Rules: all.Rules(), Version: version},
		OnConfig: func(c *config.Config) { level.Set(c.LogLevel) }})
	if err != nil {
		log.Error("cannot start setup mode", "err", err.Error())
		return 2
	}
	if err := st.Run(ctx); err != nil {
		log.Error("server failed", "err", err.Error())
		return 2
	}
	return 0
}
