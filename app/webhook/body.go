package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
)

// verifier computes the body's HMAC-SHA256 under every configured secret
// while the body streams through it.
type verifier struct{ macs []hash.Hash }

func newVerifier(secrets [][]byte) *verifier {
	v := &verifier{macs: make([]hash.Hash, len(secrets))}
	for i, s := range secrets {
		v.macs[i] = hmac.New(sha256.New, s)
	}
	return v
}

func (v *verifier) Write(p []byte) (int, error) {
	for _, m := range v.macs {
		m.Write(p)
	}
	return len(p), nil
}

// match compares sig ("sha256=<hex>") with every secret's HMAC in constant
// time, without an early return: the time taken does not depend on which
// secret matched.
func (v *verifier) match(sig string) bool {
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	match := false
	for _, m := range v.macs {
		if hmac.Equal(m.Sum(nil), got) {
			match = true
		}
	}
	return match
}

var errSpill = errors.New("spill webhook body")

// spool holds a body: in memory up to max bytes, in a temporary file in
// dir beyond that. Memory is taken in fixed chunks, so holding n bytes
// allocates n rounded up to a chunk, not the sum of a growing slice's
// copies.
type spool struct {
	dir    string
	max    int
	chunks [][]byte
	file   *os.File
	size   int64
}

const spoolChunk = 64 << 10

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.size+int64(len(p)) <= int64(s.max) {
		for rest := p; len(rest) > 0; {
			if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) == cap(s.chunks[len(s.chunks)-1]) {
				s.chunks = append(s.chunks, make([]byte, 0, min(spoolChunk, s.max)))
			}
			last := &s.chunks[len(s.chunks)-1]
			n := min(len(rest), cap(*last)-len(*last))
			*last = append(*last, rest[:n]...)
			rest = rest[n:]
		}
		s.size += int64(len(p))
		return len(p), nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "clerkguard-webhook-*")
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errSpill, err)
		}
		s.file = f
		for _, c := range s.chunks {
			if _, err := f.Write(c); err != nil {
				return 0, fmt.Errorf("%w: %w", errSpill, err)
			}
		}
		s.chunks = nil
	}
	n, err := s.file.Write(p)
	s.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("%w: %w", errSpill, err)
	}
	return n, nil
}

// Bytes returns the whole body, read back from its file if it spilled.
// Call it only once the signature is verified: it allocates the body's
// size.
func (s *spool) Bytes() ([]byte, error) {
	if s.file == nil && len(s.chunks) == 1 {
		return s.chunks[0], nil
	}
	b := make([]byte, 0, s.size)
	if s.file == nil {
		for _, c := range s.chunks {
			b = append(b, c...)
		}
		return b, nil
	}
	b = b[:s.size]
	if _, err := s.file.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read spilled body: %w", err)
	}
	return b, nil
}

// Close removes the temporary file, if any.
func (s *spool) Close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
	s.chunks = nil
}
