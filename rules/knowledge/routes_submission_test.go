package knowledge

import "testing"

func TestPublicSubmissionAddressUs(t *testing.T) {
	for name, want := range map[string]bool{
		"/api/message-us":  true,
		"/api/contact-us":  true,
		"sendEmailUs":      true,
		"/api/write-to-us": true,
		"/api/join_us":     true,
		"/api/about-us":    false, // a page, not a form verb
		"/api/us":          false,
		"/api/stores/us":   false,
		"/api/messages":    false, // messages are personal records
		"/api/status":      false,
		"/api/waitlist":    true,
	} {
		if got := PublicSubmission(name); got != want {
			t.Errorf("PublicSubmission(%q) = %v, want %v", name, got, want)
		}
	}
}
