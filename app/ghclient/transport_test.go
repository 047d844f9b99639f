package ghclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func newTransport() *transport {
	var last time.Time
	return &transport{base: http.DefaultTransport, policy: RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}.withDefaults(), sem: make(chan struct{}, 1), last: &last}
}

func TestDecide(t *testing.T) {
	tr := newTransport()
	tr.policy.MaxDelay = time.Hour
	resp := func(code int, h map[string]string, body string) *http.Response {
		r := &http.Response{StatusCode: code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		resp  *http.Response
		retry bool
		min   time.Duration
		max   time.Duration
	}{
		{"retry-after on 429", resp(429, map[string]string{"Retry-After": "7"}, ""), true, 7 * time.Second, 7 * time.Second},
		{"secondary limit 403 with retry-after", resp(403, map[string]string{"Retry-After": "3"}, "secondary rate limit"), true, 3 * time.Second, 3 * time.Second},
		{"primary limit reset", resp(403, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": itoa(time.Now().Add(30 * time.Second).Unix())}, ""), true, 25 * time.Second, 32 * time.Second},
		{"secondary without hints waits a minute", resp(403, nil, `{"message":"You have exceeded a secondary rate limit"}`), true, time.Minute, time.Minute},
		{"permission 403 is final", resp(403, nil, `{"message":"Resource not accessible by integration"}`), false, 0, 0},
		{"5xx retried", resp(502, nil, ""), true, 0, time.Hour},
		{"422 final", resp(422, nil, ""), false, 0, 0},
		{"404 final", resp(404, nil, ""), false, 0, 0},
	} {
		d, retry := tr.decide(ctx, tc.resp, nil, 1)
		if retry != tc.retry || d < tc.min || d > tc.max {
			t.Errorf("%s: wait %v retry %v, want retry %v in [%v,%v]", tc.name, d, retry, tc.retry, tc.min, tc.max)
		}
	}
	if _, retry := tr.decide(ctx, resp(502, nil, ""), nil, tr.policy.MaxAttempts); retry {
		t.Error("retried past MaxAttempts")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, retry := tr.decide(cctx, nil, io.ErrUnexpectedEOF, 1); retry {
		t.Error("retried a cancelled request")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRetriesServerErrorsAndReplaysBody(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"x":1}` {
			t.Errorf("attempt %d got body %q", calls.Load()+1, b)
		}
		if calls.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(201)
	}))
	defer srv.Close()
	tr := newTransport()
	req, _ := http.NewRequest("POST", srv.URL+"/repos/o/r/check-runs", strings.NewReader(`{"x":1}`))
	resp, err := tr.RoundTrip(req)
	if err != nil || resp.StatusCode != 201 || calls.Load() != 3 {
		t.Fatalf("status %v err %v calls %d", resp, err, calls.Load())
	}
}

// heldBase is a base RoundTripper that holds every request until the test
// releases it by path, counting the requests it holds per path.
type heldBase struct {
	mu       sync.Mutex
	inFlight map[string]int
	release  map[string]chan struct{}
}

func (b *heldBase) RoundTrip(r *http.Request) (*http.Response, error) {
	b.mu.Lock()
	b.inFlight[r.URL.Path]++
	release := b.release[r.URL.Path]
	b.mu.Unlock()
	<-release
	b.mu.Lock()
	b.inFlight[r.URL.Path]--
	b.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

func (b *heldBase) held(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inFlight[path]
}

// TestMutationsAreSerialisedPerInstallation: eight mutations of one
// installation reach GitHub one at a time, while another installation's
// mutation and a read of the same installation go through beside them.
// In a synctest bubble, synctest.Wait returns once every goroutine is
// blocked (a held request, or a mutation waiting for the installation's
// lock), so each check sees every request that could be in flight.
func TestMutationsAreSerialisedPerInstallation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const mine, other, read = "/repos/o/r/check-runs/1", "/repos/o/x/check-runs/2", "/repos/o/r/pulls/1"
		base := &heldBase{inFlight: map[string]int{}, release: map[string]chan struct{}{
			mine: make(chan struct{}), other: make(chan struct{}), read: make(chan struct{})}}
		c, err := NewCreator(Options{AppID: 1, PrivateKey: []byte("k"), APIURL: "https://github.test/", Base: base})
		if err != nil {
			t.Fatal(err)
		}
		send := func(inst int64, method, path string) {
			req, _ := http.NewRequest(method, "https://github.test"+path, strings.NewReader("{}"))
			if resp, err := c.transport(inst).RoundTrip(req); err != nil {
				t.Errorf("%s %s: %v", method, path, err)
			} else {
				resp.Body.Close()
			}
		}
		const n = 8
		for range n {
			go send(7, "PATCH", mine)
		}
		go send(8, "PATCH", other)
		go send(7, "GET", read)
		synctest.Wait()
		if base.held(other) != 1 || base.held(read) != 1 {
			t.Errorf("another installation's mutation (%d) and a read (%d) waited for installation 7's mutation", base.held(other), base.held(read))
		}
		close(base.release[other])
		close(base.release[read])
		for i := range n {
			synctest.Wait()
			if got := base.held(mine); got != 1 {
				t.Errorf("after %d mutations answered: %d concurrent mutations for one installation, want 1", i, got)
				close(base.release[mine]) // let every held request end
				return
			}
			base.release[mine] <- struct{}{}
		}
		synctest.Wait()
		if got := base.held(mine); got != 0 {
			t.Errorf("%d mutations still held", got)
		}
	})
}

// TestWaitingMutationGivesUpWithItsContext: a mutation waiting for its
// installation's lock returns its context's error when cancelled, without
// reaching GitHub.
func TestWaitingMutationGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const path = "/repos/o/r/check-runs/1"
		base := &heldBase{inFlight: map[string]int{}, release: map[string]chan struct{}{path: make(chan struct{})}}
		c, err := NewCreator(Options{AppID: 1, PrivateKey: []byte("k"), APIURL: "https://github.test/", Base: base})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			req, _ := http.NewRequest("PATCH", "https://github.test"+path, strings.NewReader("{}"))
			if resp, err := c.transport(7).RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}()
		synctest.Wait() // the first mutation is held and holds the lock
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "PATCH", "https://github.test"+path, strings.NewReader("{}"))
			_, err := c.transport(7).RoundTrip(req)
			done <- err
		}()
		synctest.Wait() // the second waits for the lock
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("waiting mutation: %v, want context.Canceled", err)
		}
		if got := base.held(path); got != 1 {
			t.Errorf("%d requests reached GitHub, want only the first", got)
		}
		close(base.release[path])
	})
}

func TestEndpointLabels(t *testing.T) {
	for in, want := range map[string]string{
		"/repos/acme/shop/pulls/12":                                     "GET /repos/:owner/:repo/pulls/:n",
		"/api/v3/repos/acme/shop/check-runs/99":                         "GET /repos/:owner/:repo/check-runs/:n",
		"/repos/a/b/git/trees/0123456789abcdef0123456789abcdef01234567": "GET /repos/:owner/:repo/git/trees/:sha",
		"/repos/a/b/contents/.github/clerkguard.yml":                    "GET /repos/:owner/:repo/contents/:path",
		"/app/installations/5/access_tokens":                            "GET /app/installations/:n/access_tokens",
	} {
		if got := Endpoint("GET", in); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFailedRequestsAreLoggedAtWarn: a GitHub error the transport retries
// is logged at warn with its endpoint and status; a success is not logged.
func TestFailedRequestsAreLoggedAtWarn(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	var buf strings.Builder // RoundTrip logs before it returns
	tr := newTransport()
	tr.log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/repos/o/r/pulls/1", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("round trip: %v %v", resp, err)
	}
	resp.Body.Close()
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=WARN") || !strings.Contains(out, "status=502") || !strings.Contains(out, "retry=true") {
		t.Errorf("log:\n%s", out)
	}
	if got := tr.sent.Load(); got != 2 {
		t.Errorf("%d requests counted, want 2", got)
	}
}
