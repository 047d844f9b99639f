// Package pgtest starts a throwaway PostgreSQL cluster for tests and
// benchmarks: initdb into a temporary directory, pg_ctl start on a free
// loopback port with its socket in that directory, createdb, and a
// postgres:// URL. Stop removes everything.
//
// PostgreSQL comes from the distribution (apt-get install postgresql puts
// the binaries in /usr/lib/postgresql/<version>/bin on Debian); initdb
// refuses to run as root, so as root the cluster runs as the "postgres"
// OS user (through runuser) in a directory owned by it.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ErrNotInstalled is returned when no PostgreSQL server binaries are found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (apt-get install -y postgresql)")

// Options tune the cluster.
type Options struct {
	// Durable keeps fsync and synchronous_commit on (benchmarks). Tests
	// default to a fast, non-durable cluster.
	Durable bool
	// MaxConnections for the server (default 200).
	MaxConnections int
	// Database to create (default "clerkguard").
	Database string
}

// Cluster is a running temporary PostgreSQL server.
type Cluster struct {
	// URL is a postgres:// URL of the created database.
	URL  string
	Port int
	dir  string
	bin  string
	as   string // OS user the server runs as, "" for the current one
}

// BinDir finds the directory holding initdb and pg_ctl: $PG_BIN, the
// PATH, then the newest /usr/lib/postgresql/*/bin.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		if complete(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r // a link in /usr/local/bin to the real bin directory
		}
		if complete(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if complete(d) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func complete(dir string) bool {
	for _, tool := range []string{"initdb", "pg_ctl", "createdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			return false
		}
	}
	return true
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start starts a cluster.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 200
	}
	if o.Database == "" {
		o.Database = "clerkguard"
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// initdb refuses root: run the server as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no postgres OS user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.as = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		c.remove()
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	fsync := "off"
	if o.Durable {
		fsync = "on"
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			c.remove()
			return nil, err
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=%d -c fsync=%s -c synchronous_commit=%s -c full_page_writes=%s",
			port, dir, o.MaxConnections, fsync, fsync, fsync)
		out, err := c.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			lastErr = fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
			if bytes.Contains(log, []byte("in use")) {
				continue // lost the port race; try another
			}
			break
		}
		c.Port = port
		lastErr = nil
		break
	}
	if lastErr != nil {
		c.remove()
		return nil, lastErr
	}
	if out, err := c.run(ctx, "createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres", o.Database); err != nil {
		c.Stop()
		return nil, fmt.Errorf("createdb: %w\n%s", err, out)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, o.Database)
	return c, nil
}

// Stop stops the server at once and removes its directory.
func (c *Cluster) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = c.run(ctx, "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	c.remove()
}

// Log returns the server log, for failure messages.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

func (c *Cluster) remove() { os.RemoveAll(c.dir) }

func (c *Cluster) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if c.as != "" {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, fmt.Errorf("running as root needs runuser (util-linux) to start PostgreSQL as %s: %w", c.as, err)
		}
		cmd = exec.CommandContext(ctx, runuser, append([]string{"-u", c.as, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir // the postgres user may not be able to enter the caller's directory
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	return cmd.CombinedOutput()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// New starts a cluster for a test and stops it at cleanup. Without
// PostgreSQL the test is skipped with a loud message, or fails when CI is
// set (CI installs PostgreSQL, so a missing server there is a bug).
func New(t testing.TB) *Cluster {
	t.Helper()
	if _, err := BinDir(); err != nil {
		msg := fmt.Sprintf("*** %v: this test needs a real PostgreSQL server ***", err)
		if ci := strings.ToLower(os.Getenv("CI")); ci != "" && ci != "false" && ci != "0" {
			t.Fatal(msg + " (CI is set, so this is a failure; .ci/run installs it)")
		}
		fmt.Fprintln(os.Stderr, t.Name()+": SKIPPED: "+msg)
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}
