// Package ghclient builds GitHub clients for the App: go-github v60 over
// ghinstallation, with a transport that retries 5xx with backoff and jitter,
// honours Retry-After and rate-limit resets (secondary limits on 403/429),
// serialises mutations per installation, and records metrics. It never logs
// a token.
package ghclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Observer receives one call per HTTP attempt, for metrics.
type Observer interface {
	ObserveRequest(endpoint string, status int, d time.Duration)
	ObserveRateLimit(installation int64, remaining int)
}

// RetryPolicy bounds retries.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, default 5
	BaseDelay   time.Duration // first backoff, default 500ms
	MaxDelay    time.Duration // cap for one wait, default 60s
	// MutationSpacing is the minimum time between two mutating requests of
	// one installation (GitHub recommends >= 1s). Tests set it to 0.
	MutationSpacing time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 60 * time.Second
	}
	return p
}

// transport retries and serialises. One per installation.
type transport struct {
	base         http.RoundTripper
	policy       RetryPolicy
	obs          Observer
	installation int64
	log          *slog.Logger  // nil: no logging
	sem          chan struct{} // mutation lock shared by the installation (instLock)
	last         *time.Time
	// sent counts the HTTP requests sent through this transport (each
	// attempt, token requests included).
	sent atomic.Int64
}

func isMutation(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if isMutation(req.Method) && !strings.HasSuffix(req.URL.Path, "/access_tokens") && req.URL.Path != "/graphql" {
		select {
		case t.sem <- struct{}{}:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		defer func() { <-t.sem }()
		if wait := t.policy.MutationSpacing - time.Since(*t.last); wait > 0 {
			if err := sleep(req.Context(), wait); err != nil {
				return nil, err
			}
		}
		defer func() { *t.last = time.Now() }()
	}
	var body []byte
	if req.Body != nil && req.GetBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	endpoint := Endpoint(req.Method, req.URL.Path)
	var lastErr error
	for attempt := 1; ; attempt++ {
		r := req.Clone(req.Context())
		if req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		} else if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		start := time.Now()
		t.sent.Add(1)
		resp, err := t.base.RoundTrip(r)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if t.obs != nil {
			t.obs.ObserveRequest(endpoint, status, time.Since(start))
			if resp != nil {
				if rem, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining")); err == nil {
					t.obs.ObserveRateLimit(t.installation, rem)
				}
			}
		}
		wait, retry := t.decide(req.Context(), resp, err, attempt)
		if t.log != nil && (err != nil || status >= 500 || status == http.StatusTooManyRequests || retry) {
			t.log.Warn("GitHub request failed", "endpoint", endpoint, "status", status, "attempt", attempt,
				"retry", retry, "installation", t.installation, "err", err)
		}
		if !retry {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			lastErr = fmt.Errorf("%s: HTTP %d", endpoint, resp.StatusCode)
		} else {
			lastErr = err
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry after %v)", err, lastErr)
		}
	}
}

// decide returns how long to wait before retrying, or false.
func (t *transport) decide(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.policy.MaxAttempts {
		return 0, false
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, false
		}
		return t.backoff(attempt), true // connection reset, timeout of one attempt
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || (resp.StatusCode == http.StatusForbidden && rateLimited(resp)):
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if s, err := strconv.Atoi(ra); err == nil {
				return t.cap(time.Duration(s) * time.Second), true
			}
		}
		if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
			if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
				return t.cap(time.Until(time.Unix(reset, 0)) + time.Second), true
			}
		}
		// Secondary limit without hints: GitHub says wait at least a minute.
		return t.cap(time.Minute * time.Duration(attempt)), true
	case resp.StatusCode >= 500:
		return t.backoff(attempt), true
	}
	return 0, false
}

func (t *transport) cap(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	if d > t.policy.MaxDelay {
		return t.policy.MaxDelay
	}
	return d
}

// backoff is exponential with full jitter.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.policy.BaseDelay << (attempt - 1)
	if d > t.policy.MaxDelay || d <= 0 {
		d = t.policy.MaxDelay
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rateLimited reports whether a 403 is a (secondary) rate limit rather than
// a permission error. GitHub marks them with headers or the message.
func rateLimited(resp *http.Response) bool {
	if resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		return true
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return bytes.Contains(bytes.ToLower(b), []byte("rate limit"))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var (
	numRe = regexp.MustCompile(`/\d+(/|$)`)
	shaRe = regexp.MustCompile(`/[0-9a-f]{40}(/|$)`)
)

// Endpoint turns a request into a low-cardinality metric label:
// "GET /repos/:owner/:repo/pulls/:n".
func Endpoint(method, path string) string {
	p := strings.TrimPrefix(path, "/api/v3")
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) >= 3 && parts[0] == "repos" {
		parts[1], parts[2] = ":owner", ":repo"
		if len(parts) > 4 && parts[3] == "contents" {
			parts = append(parts[:4], ":path")
		}
	}
	p = "/" + strings.Join(parts, "/")
	for i := 0; i < 2; i++ {
		p = shaRe.ReplaceAllString(p, "/:sha$1")
		p = numRe.ReplaceAllString(p, "/:n$1")
	}
	return method + " " + p
}
