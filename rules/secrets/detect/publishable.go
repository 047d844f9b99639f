package detect

import (
	"regexp"
	"strings"
)

// devFrontendAPI is the host of a development instance's Frontend API
// (catalog a.1, from @clerk/shared's key parser).
var devFrontendAPI = regexp.MustCompile(`(?i)^(([a-z]+)-){2}([0-9]{1,2})\.clerk\.accounts([a-z.]*)(dev|com)$`)

// Publishable is a decoded Clerk publishable key.
type Publishable struct {
	Live bool
	// Host is the Frontend API host the key encodes, "clerk.example.com".
	Host string
	// DevHost is set when Host is a development instance's accounts.dev host.
	DevHost bool
}

// DecodePublishable decodes a Clerk publishable key: pk_test_/pk_live_ and
// the base64 of "<frontendApi>$". A valid decoding ends in exactly one "$"
// and holds a ".", which Stripe's pk_ keys never do.
func DecodePublishable(key string) (Publishable, bool) {
	var p Publishable
	switch {
	case strings.HasPrefix(key, "pk_live_"):
		p.Live = true
	case strings.HasPrefix(key, "pk_test_"):
	default:
		return p, false
	}
	dec, ok := decodeBase64(key[len("pk_test_"):])
	if !ok || !printable(dec) || !strings.HasSuffix(dec, "$") || strings.Count(dec, "$") != 1 {
		return p, false
	}
	host := strings.TrimSuffix(dec, "$")
	if !strings.Contains(host, ".") || strings.ContainsAny(host, " /\\\"'") {
		return p, false
	}
	p.Host = host
	p.DevHost = devFrontendAPI.MatchString(host)
	return p, true
}
