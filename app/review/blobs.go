package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
)

// Batched blob reads. GitHub's GraphQL API reads many blobs in one request
// (one aliased Repository.object per blob). A query without connections
// costs one point of the 5,000-point hourly GraphQL budget and its node
// count is the number of aliases, far below the 500,000-node limit; the
// batch sizes below keep each response a few megabytes, well inside the
// time limit. Blob.text is null for binaries and cut at 512,000 bytes
// (isTruncated), so those blobs are read raw over REST, a bounded number
// per review.
const (
	blobsPerQuery = 50
	bytesPerQuery = 2 << 20
	// maxGraphQLText is where GitHub cuts Blob.text.
	maxGraphQLText = 512000
	// maxRawReads bounds the REST blob reads of one review (binaries and
	// blobs above maxGraphQLText).
	maxRawReads = 32
)

// errRawBudget marks a blob that needed a raw read after maxRawReads.
var errRawBudget = fmt.Errorf("not read: more than %d binary or large files in one review", maxRawReads)

// blobFetcher reads blob contents for one review: batched over GraphQL,
// cached by SHA in the shared BlobCache, and counted.
type blobFetcher struct {
	gh    GitHub
	cache *BlobCache

	mu       sync.Mutex
	data     map[string][]byte // contents read in this review, by SHA
	failed   map[string]error  // blobs that could not be read, by SHA
	queries  int               // GraphQL requests
	rawReads int               // REST blob reads
}

func newBlobFetcher(gh GitHub, cache *BlobCache) *blobFetcher {
	if cache == nil {
		cache = NewBlobCache(0)
	}
	return &blobFetcher{gh: gh, cache: cache, data: map[string][]byte{}, failed: map[string]error{}}
}

// get returns a blob read earlier, or ok=false.
func (f *blobFetcher) get(sha string) (b []byte, err error, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.data[sha]; ok {
		return b, nil, true
	}
	if err, ok := f.failed[sha]; ok {
		return nil, err, true
	}
	return nil, nil, false
}

// fetch reads the blobs (SHA -> size from the tree) not read yet. A blob
// that does not exist or needs a raw read beyond the budget is recorded as
// failed; an error of the API itself is returned.
func (f *blobFetcher) fetch(ctx context.Context, want map[string]int) error {
	var small, raw []string
	f.mu.Lock()
	for sha, size := range want {
		if _, ok := f.data[sha]; ok {
			continue
		}
		if _, ok := f.failed[sha]; ok {
			continue
		}
		if b, ok := f.cache.peek(sha); ok {
			f.data[sha] = b
			continue
		}
		if !validOID(sha) {
			f.failed[sha] = fmt.Errorf("invalid blob SHA %q", sha)
			continue
		}
		if size > maxGraphQLText {
			raw = append(raw, sha)
		} else {
			small = append(small, sha)
		}
	}
	f.mu.Unlock()
	sort.Strings(small)
	for len(small) > 0 {
		n, bytes := 0, 0
		for n < len(small) && n < blobsPerQuery && (n == 0 || bytes+want[small[n]] <= bytesPerQuery) {
			bytes += want[small[n]]
			n++
		}
		more, err := f.query(ctx, small[:n], bytes)
		if err != nil {
			return err
		}
		raw = append(raw, more...)
		small = small[n:]
	}
	sort.Strings(raw)
	for _, sha := range raw {
		if err := f.readRaw(ctx, sha); err != nil {
			return err
		}
	}
	return nil
}

// query reads up to blobsPerQuery blobs in one GraphQL request and returns
// those that need a raw read (binary or truncated text).
func (f *blobFetcher) query(ctx context.Context, shas []string, bytes int) (raw []string, err error) {
	f.mu.Lock()
	f.queries++
	f.mu.Unlock()
	// JSON escapes a byte into at most six ("\u0000"); allow for it.
	limit := int64(6*bytes + 64<<10)
	out, err := f.gh.Blobs(ctx, shas, limit)
	if err != nil {
		return nil, fmt.Errorf("read %d blobs: %w", len(shas), err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, sha := range shas {
		b := out[sha]
		switch {
		case b == nil:
			f.failed[sha] = errors.New("blob not found")
		case b.Text == nil || b.Truncated || b.Binary:
			raw = append(raw, sha)
		default:
			f.data[sha] = []byte(*b.Text)
			f.cache.put(sha, f.data[sha])
		}
	}
	return raw, nil
}

// readRaw reads one blob over REST, within maxRawReads.
func (f *blobFetcher) readRaw(ctx context.Context, sha string) error {
	f.mu.Lock()
	if f.rawReads >= maxRawReads {
		f.failed[sha] = errRawBudget
		f.mu.Unlock()
		return nil
	}
	f.rawReads++
	f.mu.Unlock()
	b, err := f.gh.BlobRaw(ctx, sha)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		if status(err) == http.StatusNotFound {
			f.failed[sha] = errors.New("blob not found")
			return nil
		}
		return fmt.Errorf("read blob %s: %w", short(sha), err)
	}
	f.data[sha] = b
	f.cache.put(sha, b)
	return nil
}

// stats returns the requests made.
func (f *blobFetcher) stats() (queries, rawReads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries, f.rawReads
}

func validOID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
