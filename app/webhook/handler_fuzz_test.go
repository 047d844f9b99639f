package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/clerkguard/clerkguard/app/metrics"
)

// cycle reads body over and over, n bytes in all, allocating nothing.
type cycle struct {
	body []byte
	off  int
	n    int64
}

func (c *cycle) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	w := 0
	for w < len(p) {
		k := copy(p[w:], c.body[c.off:])
		w += k
		c.off = (c.off + k) % len(c.body)
	}
	c.n -= int64(w)
	return w, nil
}

// streamSig is the X-Hub-Signature-256 of the n-byte stream of body.
func streamSig(secret string, body []byte, n int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.Copy(m, &cycle{body: body, n: n})
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// FuzzHandler sends arbitrary deliveries through the webhook HTTP handler
// with the real metrics: headers, content type, a body that may repeat up
// to past GitHub's 25 MB cap, and a signature that is valid, forged or
// arbitrary. Oracles: no panic (an invalid UTF-8 event name used to panic
// in the metrics label); a delivery whose signature does not verify never
// enqueues, never runs the installation hook and is rejected; the
// handler's allocation for an unverified body is bounded by MemoryBody,
// not by the body; no spill file is left behind.
func FuzzHandler(f *testing.F) {
	const secret = "fuzz-secret"
	opened, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", "pull_request.opened.json"))
	if err != nil {
		f.Fatal(err)
	}
	installed, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", "installation.created.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("pull_request", "d1", uint8(0), "", "application/json", opened, uint16(0))
	f.Add("pull_request", "d2", uint8(1), "sha256="+hex.EncodeToString(make([]byte, 32)), "application/json", opened, uint16(0))
	f.Add("installation", "d3", uint8(0), "", "", installed, uint16(0))
	f.Add("installation", "d4", uint8(2), "", "", installed, uint16(0))
	f.Add("ping\xff", "d5", uint8(0), "", "application/json", []byte(`{"zen":"x"}`), uint16(0))
	f.Add("pull_request", "\xfe", uint8(0), "", "application/x-www-form-urlencoded", []byte("payload=%7B%7D"), uint16(0))
	f.Add("check_run", "d6", uint8(1), "sha1=abc", "text/xml", []byte("<x/>"), uint16(0))
	f.Add("pull_request", "big", uint8(2), "", "application/json", []byte(" "), uint16(0xffff)) // past the 25 MB cap
	f.Add("pull_request", "spill", uint8(0), "", "application/json", bytes.Repeat([]byte(" "), 4096), uint16(7))
	spill := f.TempDir()
	f.Fuzz(func(t *testing.T, event, delivery string, sigMode uint8, sig, ctype string, body []byte, repeat uint16) {
		if len(body) == 0 {
			body = []byte("{}")
		}
		size := int64(len(body)) * int64(1+repeat%8)
		if repeat == 0xffff {
			size = MaxBody + 1
		}
		switch sigMode % 3 {
		case 0:
			sig = streamSig(secret, body, size)
		case 2:
			sig = streamSig("forged", body, size)
		}
		valid := sigMode%3 == 0
		q := &fakeQueue{}
		installs := 0
		h := &Handler{Secrets: [][]byte{[]byte(secret)}, Queue: q, Log: slog.New(slog.DiscardHandler), Obs: metrics.New(), SpillDir: spill,
			OnInstall: func(context.Context, int64, []string) error { installs++; return nil }}
		req := httptest.NewRequest("POST", "/webhook", &cycle{body: body, n: size})
		req.ContentLength = size
		if repeat%2 == 1 {
			req.ContentLength = -1 // unknown length: the cap applies while reading
		}
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", delivery)
		req.Header.Set("X-Hub-Signature-256", sig)
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h.ServeHTTP(rec, req)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		if !valid {
			if len(q.jobs) != 0 || installs != 0 || rec.Code < 400 {
				t.Fatalf("unverified delivery: status %d, %d jobs, %d installation hooks", rec.Code, len(q.jobs), installs)
			}
			if limit := uint64(min(size, MemoryBody)) + 512<<10; alloc > limit {
				t.Fatalf("unverified %d-byte body: allocated %d bytes, want at most %d", size, alloc, limit)
			}
		} else if limit := uint64(16*size) + 4<<20; alloc > limit {
			t.Fatalf("verified %d-byte body: allocated %d bytes, want at most %d", size, alloc, limit)
		}
		if left, _ := os.ReadDir(spill); len(left) != 0 {
			t.Fatalf("spill files left behind: %v", left)
		}
		if rec.Code == http.StatusAccepted && len(q.jobs) == 0 && installs == 0 && !bytes.Contains(rec.Body.Bytes(), []byte("ignored")) {
			t.Fatalf("202 without work: %s", rec.Body)
		}
	})
}
