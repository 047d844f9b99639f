// Command clerkguard-loadbench load-tests `clerkguard serve` end to end:
// it starts the fake GitHub in-process and the real server as a child
// process (so the server's peak RSS is its own), sends signed
// pull_request deliveries on loopback at a rising rate, and reports
//
//   - acknowledgement latency p50/p99 (client side, per rate step),
//   - sustained reviews per second (completed check runs / time),
//   - review latency p50/p99 (first acknowledged delivery of a head SHA ->
//     its check run completed, from the fake's request log),
//   - the server's peak RSS (VmHWM),
//   - lost events: acknowledged head SHAs without a completed check run
//     after the load and a drain period,
//
// for SQLite and for PostgreSQL (a temporary cluster, as in the tests).
// It asserts nothing but prints whether the target (ack p99 < 50 ms at
// 200 deliveries/s, nothing lost) was met.
//
//	go run ./cmd/clerkguard-loadbench [-duration 60s] [-from 50] [-to 400] [-steps 8] [-stores sqlite,postgres]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type params struct {
	duration        time.Duration
	from, to, steps int
	drain           time.Duration
	installations   int
	reposPer        int
	prsPerRepo      int
	newHead         float64
	ignored         float64
	workers         int
	poll            string
	mutationSpacing string
	durablePG       bool
	pgPool          int
	bin             string
	keepLogs        bool
}

func main() {
	var p params
	flag.DurationVar(&p.duration, "duration", 60*time.Second, "length of the load phase")
	flag.IntVar(&p.from, "from", 50, "first rate step, deliveries/s")
	flag.IntVar(&p.to, "to", 400, "last rate step, deliveries/s")
	flag.IntVar(&p.steps, "steps", 8, "number of equal-length rate steps from -from to -to")
	flag.DurationVar(&p.drain, "drain", 3*time.Minute, "how long to wait after the load for the queue to drain")
	flag.IntVar(&p.installations, "installations", 25, "installations in the fake")
	flag.IntVar(&p.reposPer, "repos", 2, "repositories per installation")
	flag.IntVar(&p.prsPerRepo, "prs", 8, "open pull requests per repository")
	flag.Float64Var(&p.newHead, "new-head", 0.1, "fraction of deliveries that carry a new head SHA (a push + synchronize)")
	flag.Float64Var(&p.ignored, "ignored", 0.2, "fraction of deliveries for actions the App ignores (labeled)")
	flag.IntVar(&p.workers, "workers", 0, "CLERKGUARD_WORKERS (0: the server default, 4; more workers on 2 cores starve the acknowledgements of CPU)")
	flag.StringVar(&p.poll, "poll", "200ms", "CLERKGUARD_POLL_INTERVAL (empty: the server default)")
	flag.StringVar(&p.mutationSpacing, "mutation-spacing", "0s", "CLERKGUARD_MUTATION_SPACING (GitHub's 1s would measure the spacing, not the server)")
	flag.BoolVar(&p.durablePG, "pg-durable", true, "PostgreSQL with fsync and synchronous_commit on")
	flag.IntVar(&p.pgPool, "pg-pool", 0, "pool_max_conns added to the PostgreSQL URL (0: the server's default)")
	stores := flag.String("stores", "sqlite,postgres", "stores to run: sqlite, postgres")
	flag.StringVar(&p.bin, "bin", "", "prebuilt clerkguard binary (default: go build ./cmd/clerkguard)")
	flag.BoolVar(&p.keepLogs, "keep-logs", false, "keep the server logs and print their path")
	flag.Parse()
	if err := run(context.Background(), p, strings.Split(*stores, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "clerkguard-loadbench:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, p params, stores []string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "clerkguard-loadbench-")
	if err != nil {
		return err
	}
	if !p.keepLogs {
		defer os.RemoveAll(work)
	}
	if p.bin == "" {
		p.bin = filepath.Join(work, "clerkguard")
		fmt.Println("building clerkguard ...")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", p.bin, "./cmd/clerkguard")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build clerkguard: %v\n%s", err, out)
		}
	}
	var results []*result
	for _, store := range stores {
		store = strings.TrimSpace(store)
		if store == "" {
			continue
		}
		fmt.Printf("\n=== %s: %s at %d -> %d deliveries/s in %d steps ===\n", store, p.duration, p.from, p.to, p.steps)
		r, err := runStore(ctx, p, store, root, work)
		if err != nil {
			return fmt.Errorf("%s: %w", store, err)
		}
		r.printSteps()
		results = append(results, r)
	}
	printSummary(p, results)
	if p.keepLogs {
		fmt.Println("logs kept in", work)
	}
	return nil
}

// moduleRoot finds the directory holding go.mod (fixtures live under it).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run inside the clerkguard module (no go.mod above %s)", dir)
		}
		dir = parent
	}
}
