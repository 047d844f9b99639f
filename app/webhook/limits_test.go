package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/metrics"
)

// serve sends one delivery through h and returns the status.
func serve(h http.Handler, event, delivery, sig string, body io.Reader) int {
	req := httptest.NewRequest("POST", "/webhook", body)
	if event != "" {
		req.Header.Set("X-GitHub-Event", event)
	}
	if delivery != "" {
		req.Header.Set("X-GitHub-Delivery", delivery)
	}
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// TestInvalidHeadersRejected: header values are validated before anything
// uses them; an invalid UTF-8 event name used to panic in the metrics
// label (net/http logged the recovered panic).
func TestInvalidHeadersRejected(t *testing.T) {
	const secret = "s"
	body := []byte(`{"zen":"hi"}`)
	good := sign(secret, body)
	for _, tc := range []struct {
		name, event, delivery, sig string
	}{
		{"invalid UTF-8 event", "\xff\xfe", "d1", good},
		{"invalid UTF-8 event, signed", "ping\xff", "d1", good},
		{"event with spaces", "pull request", "d1", good},
		{"long event", strings.Repeat("a", 200), "d1", good},
		{"invalid UTF-8 delivery", "ping", "\xff", good},
		{"delivery with markup", "ping", "<script>", good},
		{"long delivery", "ping", strings.Repeat("0", 300), good},
		{"signature not hex", "ping", "d1", "sha256=" + strings.Repeat("z", 64)},
		{"signature invalid UTF-8", "ping", "d1", "sha256=\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New()
			q := &fakeQueue{}
			h := &Handler{Secrets: [][]byte{[]byte(secret)}, Queue: q, Log: slog.New(slog.DiscardHandler), Obs: m}
			if code := serve(h, tc.event, tc.delivery, tc.sig, bytes.NewReader(body)); code != http.StatusBadRequest && code != http.StatusUnauthorized {
				t.Errorf("status %d, want 400 or 401", code)
			}
			if len(q.jobs) != 0 {
				t.Errorf("%d jobs queued", len(q.jobs))
			}
			for _, l := range deliveryLabels(t, m) {
				if l != "invalid" {
					t.Errorf("event label %q, want invalid", l)
				}
			}
		})
	}
}

// deliveryLabels returns the event label of every delivery series.
func deliveryLabels(t *testing.T, m *metrics.Metrics) []string {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != "clerkguard_webhook_deliveries_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "event" {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

// TestMetricLabelsBounded: events nobody subscribed to, signed or not,
// share one label value; they no longer create a series each.
func TestMetricLabelsBounded(t *testing.T) {
	const secret = "s"
	m := metrics.New()
	h := &Handler{Secrets: [][]byte{[]byte(secret)}, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Obs: m}
	body := []byte(`{"action":"created"}`)
	for i := 0; i < 300; i++ {
		ev := "event_" + strings.Repeat("x", i%40) + string(rune('a'+i%26))
		sig := sign(secret, body)
		if i%2 == 1 {
			sig = sign("wrong", body)
		}
		serve(h, ev, "d"+strings.Repeat("1", i%60+1), sig, bytes.NewReader(body))
	}
	serve(h, "pull_request", "dx", sign(secret, body), bytes.NewReader(body))
	labels := deliveryLabels(t, m)
	if len(labels) > 4 {
		t.Errorf("%d delivery series after 300 unknown events: %v", len(labels), labels)
	}
	for _, l := range labels {
		if l != "other" && l != "pull_request" {
			t.Errorf("label %q, want other or pull_request", l)
		}
	}
}

// zeros is an endless reader of '0' bytes that allocates nothing.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestUnverifiedBodyMemoryBounded: a 20 MB body with a wrong signature is
// streamed through the HMAC; the handler holds at most MemoryBody of it.
// Before, io.ReadAll buffered all of it (more than 20 MB per request).
func TestUnverifiedBodyMemoryBounded(t *testing.T) {
	h := &Handler{Secrets: [][]byte{[]byte("a"), []byte("b")}, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), SpillDir: t.TempDir()}
	const size = 20 << 20
	sig := sign("wrong", []byte("x"))
	serve(h, "ping", "warm-up", sig, io.LimitReader(zeros{}, 1024)) // lazy initialisation
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code := serve(h, "pull_request", "big", sig, io.LimitReader(zeros{}, size))
	runtime.ReadMemStats(&after)
	if code != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", code)
	}
	// Generous: the in-memory part, a read buffer and the request.
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(3*MemoryBody); got > limit {
		t.Errorf("allocated %d bytes for a 20 MB unsigned body, want at most %d", got, limit)
	}
}

// TestLargeSignedBodySpills: a signed body beyond MemoryBody goes through
// a temporary file, is processed like any other, and the file is removed.
func TestLargeSignedBodySpills(t *testing.T) {
	const secret = "s"
	dir := t.TempDir()
	q := &fakeQueue{}
	h := &Handler{Secrets: [][]byte{[]byte(secret)}, Queue: q, Log: slog.New(slog.DiscardHandler), SpillDir: dir}
	opened := payload(t, "pull_request.opened.json")
	// JSON allows any amount of whitespace: pad the real payload to 3 MiB.
	body := append(bytes.Repeat([]byte(" "), 3<<20), opened...)
	if code := serve(h, "pull_request", "large", sign(secret, body), bytes.NewReader(body)); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202", code)
	}
	if len(q.jobs) != 1 {
		t.Errorf("%d jobs, want 1", len(q.jobs))
	}
	if code := serve(h, "pull_request", "large-forged", sign("wrong", body), bytes.NewReader(body)); code != http.StatusUnauthorized {
		t.Errorf("forged large body: status %d, want 401", code)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("spill files left behind: %v", left)
	}
}

// readCounter counts Read calls.
type readCounter struct {
	r     io.Reader
	reads atomic.Int32
	first chan struct{}
	once  sync.Once
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads.Add(1)
	c.once.Do(func() { close(c.first) })
	return c.r.Read(p)
}

// TestUnverifiedReadsBounded: with every slot taken by a sender that never
// finishes its body, another request does not read its body at all; it
// waits and, when its request ends, answers 503. Before, every request
// read its body at once.
func TestUnverifiedReadsBounded(t *testing.T) {
	const slots = 3
	h := &Handler{Secrets: [][]byte{[]byte("s")}, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), MaxUnverified: slots, SlotWait: time.Hour}
	sig := sign("s", []byte("x"))
	var stalled []*io.PipeWriter
	done := make(chan int, slots)
	for i := 0; i < slots; i++ {
		pr, pw := io.Pipe()
		stalled = append(stalled, pw)
		c := &readCounter{r: pr, first: make(chan struct{})}
		go func() { done <- serve(h, "pull_request", fmt.Sprint("slow", i), sig, c) }()
		<-c.first // this request holds a slot now
	}
	extra := &readCounter{r: strings.NewReader(`{"zen":"x"}`), first: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, "POST", "/webhook", extra)
	req.Header.Set("X-GitHub-Event", "ping")
	req.Header.Set("X-GitHub-Delivery", "extra")
	req.Header.Set("X-Hub-Signature-256", sig)
	rec := httptest.NewRecorder()
	served := make(chan struct{})
	go func() { h.ServeHTTP(rec, req); close(served) }()
	cancel() // the client gives up while waiting for a slot
	<-served
	if rec.Code != http.StatusServiceUnavailable || extra.reads.Load() != 0 {
		t.Errorf("request beyond the slots: status %d after %d body reads, want 503 without reading", rec.Code, extra.reads.Load())
	}
	for _, pw := range stalled {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	for i := 0; i < slots; i++ {
		<-done
	}
	// The slots are free again.
	if code := serve(h, "ping", "after", sign("s", []byte(`{}`)), strings.NewReader(`{}`)); code != http.StatusOK {
		t.Errorf("after the stalled senders left: status %d, want 200", code)
	}
}
