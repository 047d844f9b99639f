// Package apptest is the one test harness of the App's tests (app/server,
// app/setup, app/review, cmd): the pieces every end-to-end test needs
// around the HTTP fake GitHub and a server, written once.
//
// No wait here has a fixed deadline: Until re-reads state until it holds
// and gives up only shortly before the test binary's own deadline (go test
// -timeout), to say what it was waiting for; a slow build or a loaded
// machine is not a failure.
package apptest

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// LogBuffer collects a server's logs (safe for concurrent writes), for
// assertions and the no-secrets checks.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// poll is how often Until re-reads the state.
const poll = 20 * time.Millisecond

// Guard is the test's hang guard: a context that ends shortly before the
// test binary's deadline (a tenth of the time left, at most 30 s, kept to
// report), or when the test ends; never a fixed limit.
func Guard(t testing.TB) (context.Context, context.CancelFunc) {
	return guard(t.Context(), t)
}

// CleanupGuard is Guard for a Cleanup function, which runs after the
// test's context is cancelled: it ends only shortly before the test
// binary's deadline.
func CleanupGuard(t testing.TB) (context.Context, context.CancelFunc) {
	return guard(context.Background(), t)
}

func guard(parent context.Context, t testing.TB) (context.Context, context.CancelFunc) {
	var dl time.Time
	ok := false
	if d, has := t.(interface{ Deadline() (time.Time, bool) }); has {
		dl, ok = d.Deadline()
	}
	if !ok {
		return context.WithCancel(parent)
	}
	return context.WithDeadline(parent, dl.Add(-min(time.Until(dl)/10, 30*time.Second)))
}

// Until re-reads the state with cond until it holds and reports true; when
// the hang guard ends first it reports what it waited for (with detail's
// diagnostics, when given) as a test error and returns false. It may be
// called from any goroutine.
func Until(t testing.TB, what string, cond func() bool, detail ...func() string) bool {
	t.Helper()
	if cond() {
		return true
	}
	ctx, cancel := Guard(t)
	defer cancel()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if cond() {
				return true
			}
			msg := "gave up waiting (test deadline): " + what
			for _, d := range detail {
				msg += "\n" + d()
			}
			t.Error(msg)
			return false
		case <-tick.C:
			if cond() {
				return true
			}
		}
	}
}

// Installation is a go-github client of installation inst (token narrowed
// to repoID) on the fake.
func Installation(t testing.TB, gh *fakegithub.Server, inst, repoID int64) (*ghclient.Creator, *ghclient.Installation) {
	t.Helper()
	cr, err := ghclient.NewCreator(ghclient.Options{AppID: gh.AppID(), PrivateKey: gh.PrivateKeyPEM(), APIURL: gh.URL(), GraphQLURL: gh.GraphQLURL()})
	if err != nil {
		t.Fatal(err)
	}
	gc, err := cr.Installation(context.Background(), inst, repoID)
	if err != nil {
		t.Fatal(err)
	}
	return cr, gc
}

// BuildClerkguard builds cmd/clerkguard into a temporary directory and
// returns the binary; the build has no deadline but the test's own.
func BuildClerkguard(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "clerkguard")
	ctx, cancel := Guard(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "github.com/clerkguard/clerkguard/cmd/clerkguard")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a local address nothing listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Tail returns the last n lines of the file at path ("" when unreadable).
func Tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// Fake starts the HTTP fake GitHub for the test and closes it after.
func Fake(t testing.TB, opts fakegithub.Options) *fakegithub.Server {
	t.Helper()
	gh, err := fakegithub.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	return gh
}
