// Package metrics holds the App's Prometheus metrics on a registry of its
// own (no global registration).
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the App's instruments.
type Metrics struct {
	Registry   *prometheus.Registry
	Deliveries *prometheus.CounterVec   // event, outcome
	Jobs       *prometheus.CounterVec   // outcome
	Reviews    *prometheus.HistogramVec // conclusion
	// ReviewRequests is the GitHub requests one review attempt made.
	ReviewRequests prometheus.Histogram
	GHRequests     *prometheus.CounterVec   // endpoint, status
	GHLatency      *prometheus.HistogramVec // endpoint
	RateLimit      *prometheus.GaugeVec     // installation
	AckLatency     prometheus.Histogram
}

// New registers the instruments on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clerkguard_webhook_deliveries_total",
			Help: "Webhook deliveries by event and outcome (queued, duplicate, ignored, rejected, error)."}, []string{"event", "outcome"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clerkguard_review_jobs_total",
			Help: "Review jobs enqueued by outcome (inserted, existing)."}, []string{"outcome"}),
		Reviews: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clerkguard_review_duration_seconds",
			Help: "Review latency from job start to completed check run, by conclusion.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}, []string{"conclusion"}),
		GHRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clerkguard_github_requests_total",
			Help: "GitHub API requests by endpoint and status (0 = transport error)."}, []string{"endpoint", "status"}),
		GHLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clerkguard_github_request_duration_seconds",
			Help: "GitHub API request latency by endpoint.", Buckets: prometheus.DefBuckets}, []string{"endpoint"}),
		RateLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "clerkguard_github_rate_limit_remaining",
			Help: "Last seen x-ratelimit-remaining by installation."}, []string{"installation"}),
		ReviewRequests: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "clerkguard_review_github_requests",
			Help: "GitHub requests one review attempt made, its installation token's included.", Buckets: []float64{4, 6, 8, 10, 12, 16, 24, 32, 48, 64, 128}}),
		AckLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "clerkguard_webhook_ack_seconds",
			Help: "Time from receiving a webhook to acknowledging it.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
	}
	m.Registry.MustRegister(m.Deliveries, m.Jobs, m.Reviews, m.GHRequests, m.GHLatency, m.RateLimit, m.AckLatency, m.ReviewRequests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveRequest implements ghclient.Observer.
func (m *Metrics) ObserveRequest(endpoint string, status int, d time.Duration) {
	m.GHRequests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.GHLatency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// ObserveRateLimit implements ghclient.Observer.
func (m *Metrics) ObserveRateLimit(installation int64, remaining int) {
	m.RateLimit.WithLabelValues(strconv.FormatInt(installation, 10)).Set(float64(remaining))
}

// ObserveReview implements review.Metrics.
// ObserveReviewRequests implements review.Metrics.
func (m *Metrics) ObserveReviewRequests(n int64) { m.ReviewRequests.Observe(float64(n)) }

func (m *Metrics) ObserveReview(conclusion string, d time.Duration) {
	m.Reviews.WithLabelValues(conclusion).Observe(d.Seconds())
}

// ObserveDelivery implements webhook.Observer. Its labels come from a
// fixed set whatever the caller passes, because the event name arrives in
// an unauthenticated header: DeliveryEvent and DeliveryOutcome map
// anything else to "other".
func (m *Metrics) ObserveDelivery(event, outcome string, ack time.Duration) {
	m.Deliveries.WithLabelValues(DeliveryEvent(event), DeliveryOutcome(outcome)).Inc()
	m.AckLatency.Observe(ack.Seconds())
}

// DeliveryEvent is the event label of a delivery: the events the App
// subscribes to or is sent without subscribing, "invalid" for a missing
// or malformed header (the handler passes ""), and "other" for the rest.
func DeliveryEvent(event string) string {
	switch event {
	case "pull_request", "check_run", "check_suite", "merge_group", "installation", "installation_repositories", "ping":
		return event
	case "":
		return "invalid"
	}
	return "other"
}

// DeliveryOutcome is the outcome label of a delivery.
func DeliveryOutcome(outcome string) string {
	switch outcome {
	case "queued", "duplicate", "ignored", "rejected", "error":
		return outcome
	}
	return "other"
}

// jobStates are River's job states, each exported (0 when none) so the
// series are stable.
var jobStates = []string{"available", "scheduled", "running", "retryable", "pending", "completed", "cancelled", "discarded"}

// QueueDepth exports clerkguard_queue_jobs{state}: the review jobs in the
// store by state, read at each scrape (within two seconds; a failed read
// exports nothing for that scrape, never zeros).
func (m *Metrics) QueueDepth(read func(ctx context.Context) (map[string]int, error)) {
	m.Registry.MustRegister(&depthCollector{read: read, desc: prometheus.NewDesc("clerkguard_queue_jobs",
		"Review jobs in the job store by state.", []string{"state"}, nil)})
}

type depthCollector struct {
	read func(ctx context.Context) (map[string]int, error)
	desc *prometheus.Desc
}

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.read(ctx)
	if err != nil {
		return // the store's health is /readyz's to report
	}
	for _, s := range jobStates {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n[s]), s)
	}
}
