// Command clerkguard-bench measures a full scan of a large synthetic
// monorepo (at least 20,000 files and 200 MB, about 1% Clerk code) against
// gitleaks and a plain grep keyword pass over the same tree, in one run, and
// the time of `review` on a 50-file diff. It prints throughput, peak RSS and
// the ratios; it asserts nothing (the machine is shared and noisy).
//
//	go run ./cmd/clerkguard-bench [-files 20000] [-mb 200] [-runs 3] [-keep DIR]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

type measurement struct {
	name   string
	wall   time.Duration // median of runs
	maxRSS int64         // KiB, max over runs
	note   string
}

func main() {
	files := flag.Int("files", 20000, "number of files to generate (at least)")
	mb := flag.Int("mb", 200, "megabytes to generate (at least)")
	runs := flag.Int("runs", 3, "runs per tool; the median is reported")
	keep := flag.String("keep", "", "generate into this directory and keep it (default: a temporary directory)")
	gitleaksVer := flag.String("gitleaks", "latest", "gitleaks version to build from the module proxy; empty skips it")
	skipReview := flag.Bool("skip-review", false, "skip the 50-file review measurement")
	flag.Parse()
	if err := run(context.Background(), *files, *mb, *runs, *keep, *gitleaksVer, *skipReview); err != nil {
		fmt.Fprintln(os.Stderr, "clerkguard-bench:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, files, mb, runs int, keep, gitleaksVer string, skipReview bool) error {
	work, err := os.MkdirTemp("", "clerkguard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "tree")
	if keep != "" {
		tree = keep
	}
	fmt.Printf("generating %d files / %d MB in %s ...\n", files, mb, tree)
	g := &generator{root: tree, rng: rand.New(rand.NewPCG(1, 2)), targetN: files, targetB: int64(mb) << 20, clerkPct: 0.01}
	if err := g.run(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("generated %d files, %.1f MB, %d Clerk files (%.2f%%)\n", g.files, float64(g.bytes)/(1<<20), g.clerk, 100*float64(g.clerk)/float64(g.files))

	bin := filepath.Join(work, "clerkguard")
	fmt.Println("building clerkguard ...")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/clerkguard").CombinedOutput(); err != nil {
		return fmt.Errorf("build clerkguard: %v\n%s", err, out)
	}
	var gitleaks string
	if gitleaksVer != "" {
		fmt.Println("building gitleaks", gitleaksVer, "from the module proxy ...")
		cmd := exec.CommandContext(ctx, "go", "install", "github.com/zricethezav/gitleaks/v8@"+gitleaksVer)
		cmd.Env = append(os.Environ(), "GOBIN="+work)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Printf("gitleaks unavailable, skipped: %v\n%s\n", err, out)
		} else {
			gitleaks = filepath.Join(work, "gitleaks")
		}
	}

	var ms []measurement
	cg, err := measure(ctx, "clerkguard scan (all packs)", runs, bin, "scan", "--format", "json", "--fail-on", "critical", tree)
	if err != nil {
		return err
	}
	ms = append(ms, cg)
	gr, err := measure(ctx, "grep keyword pass", runs, "grep", "-rlE", `clerk|sk_(live|test)_|whsec_|svix`, tree)
	if err != nil {
		return err
	}
	ms = append(ms, gr)
	var gl measurement
	if gitleaks != "" {
		gl, err = measure(ctx, "gitleaks dir", runs, gitleaks, "dir", tree, "--no-banner", "--exit-code", "0", "--report-path", filepath.Join(work, "gl.json"), "--log-level", "error")
		if err != nil {
			return err
		}
		ms = append(ms, gl)
	}
	var rv measurement
	if !skipReview {
		rv, err = reviewBench(ctx, tree, bin, runs)
		if err != nil {
			return err
		}
		ms = append(ms, rv)
	}

	mbScanned := float64(g.bytes) / (1 << 20)
	fmt.Printf("\n%-32s %12s %12s %14s\n", "measurement", "median wall", "MB/s", "peak RSS")
	for _, m := range ms {
		fmt.Printf("%-32s %12s %12.1f %11.1f MB %s\n", m.name, m.wall.Round(time.Millisecond), mbScanned/m.wall.Seconds(), float64(m.maxRSS)/1024, m.note)
	}
	fmt.Println()
	if gitleaks != "" {
		fmt.Printf("throughput: clerkguard / gitleaks = %.1fx   (target >= 10x)\n", gl.wall.Seconds()/cg.wall.Seconds())
	}
	fmt.Printf("time: clerkguard / grep          = %.1fx   (target <= 10x)\n", cg.wall.Seconds()/gr.wall.Seconds())
	fmt.Printf("peak RSS clerkguard              = %.1f MB (target < 500 MB)\n", float64(cg.maxRSS)/1024)
	if !skipReview {
		fmt.Printf("review of a 50-file diff         = %s\n", rv.wall.Round(time.Millisecond))
	}
	return nil
}

// measure runs a command runs times and reports the median wall time and
// the maximum peak RSS of the child.
func measure(ctx context.Context, name string, runs int, argv ...string) (measurement, error) {
	fmt.Printf("measuring %s (%d runs) ...\n", name, runs)
	var walls []time.Duration
	var rss int64
	var note string
	for i := 0; i < runs; i++ {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || (ee.ExitCode() != 0 && ee.ExitCode() != 1) {
				return measurement{}, fmt.Errorf("%s: %v\n%s", name, err, errb.String())
			}
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > rss {
			rss = ru.Maxrss
		}
		walls = append(walls, wall)
		if strings.HasPrefix(name, "clerkguard") || strings.HasPrefix(name, "review") {
			note = fmt.Sprintf("(%d findings)", bytes.Count(out.Bytes(), []byte(`"rule":`)))
		}
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return measurement{name: name, wall: walls[len(walls)/2], maxRSS: rss, note: note}, nil
}

// reviewBench commits the tree, changes 50 files and times `review`.
func reviewBench(ctx context.Context, tree, bin string, runs int) (measurement, error) {
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", tree, "-c", "user.email=b@example.com", "-c", "user.name=bench", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	fmt.Println("committing the tree for the review measurement ...")
	if err := git("init", "-q", "-b", "main"); err != nil {
		return measurement{}, err
	}
	if err := git("add", "-A"); err != nil {
		return measurement{}, err
	}
	if err := git("commit", "-qm", "base"); err != nil {
		return measurement{}, err
	}
	var changed int
	err := filepath.WalkDir(tree, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || changed >= 50 || !strings.HasSuffix(p, ".ts") {
			if d != nil && d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		extra := "\nexport const changed = 1\n"
		if changed%10 == 0 {
			extra = "\nexport async function POST() {\n  return Response.json({ ok: true })\n}\n"
		}
		_, err = f.WriteString(extra)
		changed++
		return err
	})
	if err != nil {
		return measurement{}, err
	}
	if err := git("commit", "-qam", "head"); err != nil {
		return measurement{}, err
	}
	return measure(ctx, "review (50-file diff)", runs, bin, "review", "--format", "json", "--fail-on", "critical", "--base", "HEAD~1", "--head", "HEAD", tree)
}
