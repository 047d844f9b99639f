package fakegithub

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Faults configures deterministic (seeded) fault injection. Rates are probabilities in
// [0,1] rolled per request, in this order: timeout, server error, secondary rate
// limit; a slow response is rolled independently and then served normally.
type Faults struct {
	// ServerErrorRate answers 500, 502 or 503.
	ServerErrorRate float64
	// SecondaryRateLimitRate answers the secondary-rate-limit error (403 by default,
	// 429 when SecondaryRateLimitStatus is 429) with Retry-After.
	SecondaryRateLimitRate   float64
	SecondaryRateLimitStatus int
	// RetryAfter is the Retry-After value (rounded up to whole seconds, at least 1).
	// Default 1 s. OmitRetryAfter leaves the header out (clients must then back off).
	RetryAfter     time.Duration
	OmitRetryAfter bool
	// PrimaryRateLimit makes every authenticated request fail as if the hourly quota
	// were exhausted: 403, x-ratelimit-remaining: 0, x-ratelimit-reset =
	// now + PrimaryResetIn (default 1 min).
	PrimaryRateLimit bool
	PrimaryResetIn   time.Duration
	// SlowRate delays a response by SlowDelay.
	SlowRate  float64
	SlowDelay time.Duration
	// TimeoutRate holds the request until the client gives up or TimeoutHold passes
	// (default 30 s), then answers 504.
	TimeoutRate float64
	TimeoutHold time.Duration
	// Fail422Once makes the next request to this operation (operationId such as
	// "checks/create", or "METHOD /template") answer 422 once.
	Fail422Once string
	// Operations restricts the random faults (not Fail422Once) to these operationIds
	// ("graphql" included); empty means every operation.
	Operations []string
}

type rateWindow struct {
	limit int
	used  int
	reset time.Time
}

const secondaryMsg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE."

// injectFault rolls the random faults. It returns true when the response was written.
func (s *Server) injectFault(c *reqCtx) bool {
	s.mu.Lock()
	f := s.state.faults
	if len(f.Operations) > 0 && !slices.Contains(f.Operations, c.rt.op) {
		s.mu.Unlock()
		return false
	}
	roll := func(p float64) bool { return p > 0 && s.rng.Float64() < p }
	timeout := roll(f.TimeoutRate)
	serverErr := !timeout && roll(f.ServerErrorRate)
	secondary := !timeout && !serverErr && roll(f.SecondaryRateLimitRate)
	slow := roll(f.SlowRate)
	errCode := []int{500, 502, 503}[s.rng.IntN(3)]
	s.mu.Unlock()

	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-c.r.Context().Done():
			return false
		case <-s.closing:
			return false
		}
	}
	switch {
	case timeout:
		c.fault = "timeout"
		hold := f.TimeoutHold
		if hold <= 0 {
			hold = 30 * time.Second
		}
		if !wait(hold) {
			c.status = 499 // client closed request
			return true
		}
		c.errorJSON(http.StatusGatewayTimeout, "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.", "https://docs.github.com/rest")
		return true
	case serverErr:
		c.fault = "server_error"
		s.setRateHeadersLocking(c)
		c.json(errCode, map[string]any{"message": "Server Error"})
		return true
	case secondary:
		c.fault = "secondary_rate_limit"
		s.setRateHeadersLocking(c)
		if !f.OmitRetryAfter {
			ra := f.RetryAfter
			if ra <= 0 {
				ra = time.Second
			}
			c.w.Header().Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(ra.Seconds())))))
		}
		status := http.StatusForbidden
		if f.SecondaryRateLimitStatus == http.StatusTooManyRequests {
			status = http.StatusTooManyRequests
		}
		c.json(status, map[string]any{
			"message":           secondaryMsg,
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			"status":            strconv.Itoa(status),
		})
		return true
	}
	if slow && f.SlowDelay > 0 {
		c.fault = "slow"
		if !wait(f.SlowDelay) {
			c.status = 499
			return true
		}
	}
	return false
}

func (s *Server) rateKeyFor(c *reqCtx) string {
	scheme, cred := bearer(c.r)
	if scheme == "bearer" && strings.Count(cred, ".") == 2 {
		return "app"
	}
	if t := s.state.tokens[cred]; t != nil {
		return "inst:" + strconv.FormatInt(t.InstallationID, 10)
	}
	return ""
}

func (s *Server) setRateHeadersLocking(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setRateHeaders(c, s.rateKeyFor(c))
}

// window returns the rate window for key ("" = unauthenticated: 60/h).
func (s *Server) window(key string) *rateWindow {
	now := s.now()
	w := s.state.rate[key]
	if w == nil || !now.Before(w.reset) {
		limit := s.opts.RateLimit
		if key == "" {
			limit = 60
		}
		w = &rateWindow{limit: limit, reset: now.Add(time.Hour).Truncate(time.Second)}
		s.state.rate[key] = w
	}
	return w
}

// setRateHeaders writes the x-ratelimit-* headers. Called with s.mu held.
func (s *Server) setRateHeaders(c *reqCtx, key string) {
	w := s.window(key)
	remaining, reset := max(0, w.limit-w.used), w.reset
	if s.state.faults.PrimaryRateLimit && key != "" {
		remaining, reset = 0, s.primaryReset()
	}
	resource := "core"
	if strings.HasPrefix(key, "graphql:") {
		resource = "graphql"
	}
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(w.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(w.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", resource)
}

func (s *Server) primaryReset() time.Time {
	d := s.state.faults.PrimaryResetIn
	if d <= 0 {
		d = time.Minute
	}
	return s.now().Add(d)
}

// takeRate counts one request; on exhaustion it writes the 403. Called with s.mu held.
func (s *Server) takeRate(c *reqCtx, key string) bool {
	w := s.window(key)
	exhausted := s.state.faults.PrimaryRateLimit || w.used >= w.limit
	if !exhausted {
		w.used++
		c.w.Header().Set("X-RateLimit-Used", strconv.Itoa(w.used))
		c.w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(0, w.limit-w.used)))
		return true
	}
	c.fault = "primary_rate_limit"
	c.w.Header().Set("X-RateLimit-Remaining", "0")
	who := "installation ID " + strings.TrimPrefix(strings.TrimPrefix(key, "inst:"), "graphql:")
	if key == "app" {
		who = "app ID " + strconv.FormatInt(s.opts.AppID, 10)
	}
	c.errorJSON(http.StatusForbidden, "API rate limit exceeded for "+who+". If you reach out to GitHub Support for help, please include the request ID FAKE.",
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit")
	return false
}
