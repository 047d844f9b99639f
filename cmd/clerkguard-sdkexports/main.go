// Command clerkguard-sdkexports builds rules/knowledge/sdkexports.json: for
// each Clerk SDK package with server or client entry points, and for the
// latest patch of each of its major.minor releases (prereleases skipped),
// every entry point of the package (package.json "exports" subpaths, or the
// sub-folder package.json files of packages that predate "exports") and the
// names its type declarations export. Consecutive minors whose names do not
// change are compressed into one range.
//
//	go run ./cmd/clerkguard-sdkexports [-out rules/knowledge/sdkexports.json] [-cache DIR] [-registry URL]
//
// It reads the npm registry (package metadata and tarballs) and nothing
// else; tarballs are cached under -cache (a temporary folder by default),
// so a second run reads the network only for metadata. The declarations are
// parsed with rules/jsast: `export {…}`, `export {…} from`, `export declare
// function/const/class/…`, `export * from` followed across the package's
// files, `export * as ns from`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// packages are the Clerk SDKs of rules/knowledge's clerkPackages that have
// server or client entry points.
var packages = []string{
	"@clerk/nextjs", "@clerk/express", "@clerk/clerk-sdk-node", "@clerk/fastify", "@clerk/remix",
	"@clerk/react-router", "@clerk/tanstack-react-start", "@clerk/tanstack-start", "@clerk/astro",
	"@clerk/nuxt", "@clerk/backend", "@clerk/hono", "@clerk/vue", "@clerk/clerk-react", "@clerk/react",
	"@clerk/clerk-expo", "@clerk/expo",
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "clerkguard-sdkexports:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("clerkguard-sdkexports", flag.ContinueOnError)
	out := fs.String("out", "rules/knowledge/sdkexports.json", "table to write")
	cache := fs.String("cache", filepath.Join(os.TempDir(), "clerkguard-sdkexports"), "tarball cache folder")
	registry := fs.String("registry", "https://registry.npmjs.org", "npm registry")
	date := fs.String("date", time.Now().UTC().Format("2006-01-02"), "generation date written into the table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*cache, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	reg := &registryClient{base: *registry, cache: *cache, http: &http.Client{Timeout: 2 * time.Minute}}
	tab, err := build(ctx, reg, packages, log)
	if err != nil {
		return err
	}
	tab.GeneratedBy = "go run ./cmd/clerkguard-sdkexports"
	tab.Date = *date
	data, err := encode(tab)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	fmt.Fprintf(log, "wrote %s\n", *out)
	return nil
}
