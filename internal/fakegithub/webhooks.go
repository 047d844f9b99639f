package fakegithub

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Delivery is one webhook delivery attempt, as GitHub records it.
type Delivery struct {
	ID             int64
	GUID           string
	Event          string
	Action         string
	InstallationID int64
	RepositoryID   int64
	DeliveredAt    time.Time
	Redelivery     bool
	Duration       time.Duration
	// Status is "OK" for a 2xx answer, else e.g. "Invalid HTTP Response: 503",
	// "timed out" or "failed to connect to host".
	Status     string
	StatusCode int
	URL        string
	Payload    []byte
	// Pending is true while a redelivery is in flight.
	Pending bool
}

type delivery struct {
	Delivery
	secret string
}

// RedeliveryWindow is how old a delivery may be and still be redelivered (GitHub.com).
const RedeliveryWindow = 3 * 24 * time.Hour

func newGUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Errorf("fakegithub: crypto/rand: %w", err)) // the system RNG failing is unrecoverable
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Sign returns the X-Hub-Signature-256 value for a payload.
func Sign(secret string, payload []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(payload)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func signSHA1(secret string, payload []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(payload)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// payloadMeta extracts action, installation.id and repository.id.
func payloadMeta(payload []byte) (action string, inst, repoID int64) {
	var m struct {
		Action       string `json:"action"`
		Installation *struct {
			ID int64 `json:"id"`
		} `json:"installation"`
		Repository *struct {
			ID int64 `json:"id"`
		} `json:"repository"`
	}
	if json.Unmarshal(payload, &m) != nil {
		return "", 0, 0
	}
	if m.Installation != nil {
		inst = m.Installation.ID
	}
	if m.Repository != nil {
		repoID = m.Repository.ID
	}
	return m.Action, inst, repoID
}

// Deliver posts a webhook like GitHub does (X-GitHub-Event, X-GitHub-Delivery,
// X-Hub-Signature-256, X-Hub-Signature, User-Agent GitHub-Hookshot/…) and records the
// delivery with its outcome, so GET /app/hook/deliveries lists it. status is the
// receiver's HTTP status (0 when it could not be reached); err is set on a transport
// failure or timeout (Options.DeliveryTimeout, default 10 s).
func (s *Server) Deliver(ctx context.Context, url, secret, event string, payload []byte) (deliveryID string, status int, err error) {
	d := &delivery{Delivery: Delivery{GUID: newGUID(), Event: event, URL: url, Payload: append([]byte(nil), payload...)}, secret: secret}
	d.Action, d.InstallationID, d.RepositoryID = payloadMeta(payload)
	s.mu.Lock()
	d.ID = s.state.newID()
	d.Pending = true
	s.state.deliveries = append(s.state.deliveries, d)
	s.mu.Unlock()
	status, err = s.post(ctx, d, url, secret)
	return d.GUID, status, err
}

// RecordFailedDelivery records a delivery GitHub could not make (e.g. while the App
// was down), without sending anything. It returns the delivery GUID.
func (s *Server) RecordFailedDelivery(url, secret, event string, payload []byte) string {
	d := &delivery{Delivery: Delivery{GUID: newGUID(), Event: event, URL: url, Payload: append([]byte(nil), payload...),
		Status: "failed to connect to host", StatusCode: 0}, secret: secret}
	d.Action, d.InstallationID, d.RepositoryID = payloadMeta(payload)
	s.mu.Lock()
	defer s.mu.Unlock()
	d.ID = s.state.newID()
	d.DeliveredAt = s.now().UTC()
	s.state.deliveries = append(s.state.deliveries, d)
	return d.GUID
}

// Deliveries returns every delivery and redelivery, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, 0, len(s.state.deliveries))
	for _, d := range s.state.deliveries {
		c := d.Delivery
		c.Payload = append([]byte(nil), d.Payload...)
		out = append(out, c)
	}
	return out
}

// post sends d to url and records the outcome in d.
func (s *Server) post(ctx context.Context, d *delivery, url, secret string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.DeliveryTimeout)
	defer cancel()
	started := time.Now()
	finish := func(status string, code int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		d.Status, d.StatusCode, d.Duration, d.Pending = status, code, time.Since(started), false
		d.DeliveredAt = s.now().UTC()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Payload))
	if err != nil {
		finish("invalid url", 0)
		return 0, fmt.Errorf("fakegithub: deliver %s: %w", d.Event, err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/fake1234")
	h.Set("Accept", "*/*")
	h.Set("X-GitHub-Event", d.Event)
	h.Set("X-GitHub-Delivery", d.GUID)
	h.Set("X-GitHub-Hook-ID", "1")
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(s.opts.AppID, 10))
	if secret != "" {
		h.Set("X-Hub-Signature-256", Sign(secret, d.Payload))
		h.Set("X-Hub-Signature", signSHA1(secret, d.Payload))
	}
	if s.opts.GHES {
		h.Set("X-GitHub-Enterprise-Version", "3.14.0")
		h.Set("X-GitHub-Enterprise-Host", strings.TrimPrefix(s.srv.URL, "http://"))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			finish("timed out", 0)
		} else {
			finish("failed to connect to host", 0)
		}
		return 0, fmt.Errorf("fakegithub: deliver %s: %w", d.Event, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		finish("OK", resp.StatusCode)
	} else {
		finish(fmt.Sprintf("Invalid HTTP Response: %d", resp.StatusCode), resp.StatusCode)
	}
	return resp.StatusCode, nil
}

func (s *Server) deliveryItemJSON(d *delivery) map[string]any {
	var action, inst, repoID any
	if d.Action != "" {
		action = d.Action
	}
	if d.InstallationID != 0 {
		inst = d.InstallationID
	}
	if d.RepositoryID != 0 {
		repoID = d.RepositoryID
	}
	status := d.Status
	if d.Pending {
		status = "pending"
	}
	return map[string]any{
		"id": d.ID, "guid": d.GUID, "delivered_at": fmtTime(d.DeliveredAt), "redelivery": d.Redelivery,
		"duration": d.Duration.Seconds(), "status": status, "status_code": d.StatusCode, "event": d.Event,
		"action": action, "installation_id": inst, "repository_id": repoID, "throttled_at": nil,
	}
}

func (s *Server) hListDeliveries(c *reqCtx) {
	perPage, _ := c.pagination()
	var before int64 = -1
	if cur := c.query.Get("cursor"); cur != "" {
		v, err := strconv.ParseInt(strings.TrimPrefix(cur, "v1_"), 10, 64)
		if err != nil {
			c.validationFailed("HookDelivery", "cursor", "invalid", "invalid cursor")
			return
		}
		before = v
	}
	var list []*delivery
	for i := len(s.state.deliveries) - 1; i >= 0; i-- {
		d := s.state.deliveries[i]
		if before >= 0 && d.ID >= before {
			continue
		}
		list = append(list, d)
	}
	more := len(list) > perPage
	if more {
		list = list[:perPage]
	}
	out := make([]any, 0, len(list))
	for _, d := range list {
		out = append(out, s.deliveryItemJSON(d))
	}
	if more {
		next := fmt.Sprintf("%s%s?per_page=%d&cursor=v1_%d", s.srv.URL+strings.TrimSuffix(s.restPrefix(), "/"), c.pathForLinks(), perPage, list[len(list)-1].ID)
		c.w.Header().Set("Link", "<"+next+">; rel=\"next\"")
	}
	c.json(http.StatusOK, out)
}

func (s *Server) hRedeliver(c *reqCtx) {
	id, _ := c.intParam("delivery_id")
	var orig *delivery
	for _, d := range s.state.deliveries {
		if d.ID == id {
			orig = d
		}
	}
	if orig == nil {
		c.notFound()
		return
	}
	if s.now().Sub(orig.DeliveredAt) > RedeliveryWindow {
		c.validationFailed("HookDelivery", "delivered_at", "custom", "Delivery is too old to be redelivered")
		return
	}
	url, secret := orig.URL, orig.secret
	if s.opts.WebhookURL != "" {
		url, secret = s.opts.WebhookURL, s.opts.WebhookSecret
	}
	d := &delivery{Delivery: Delivery{ID: s.state.newID(), GUID: orig.GUID, Event: orig.Event, Action: orig.Action,
		InstallationID: orig.InstallationID, RepositoryID: orig.RepositoryID, Redelivery: true, URL: url,
		Payload: orig.Payload, Pending: true, DeliveredAt: s.now().UTC()}, secret: secret}
	s.state.deliveries = append(s.state.deliveries, d)
	s.deliverWG.Add(1)
	go func() {
		defer s.deliverWG.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.closing:
				cancel()
			case <-ctx.Done():
			}
		}()
		_, _ = s.post(ctx, d, url, secret)
	}()
	c.json(http.StatusAccepted, map[string]any{})
}
