package ghclient

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTransport() *transport {
	var mu sync.Mutex
	var last time.Time
	return &transport{base: http.DefaultTransport, policy: RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}.withDefaults(), mu: &mu, last: &last}
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

func TestMutationsAreSerialisedPerInstallation(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	c, _ := NewCreator(Options{AppID: 1, PrivateKey: []byte("k"), APIURL: srv.URL})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PATCH", srv.URL+"/repos/o/r/check-runs/1", strings.NewReader("{}"))
			resp, err := c.transport(7).RoundTrip(req)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if maxInFlight.Load() != 1 {
		t.Errorf("%d concurrent mutations for one installation, want 1", maxInFlight.Load())
	}
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
