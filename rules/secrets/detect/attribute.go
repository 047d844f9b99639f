package detect

import (
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/mdcode"
)

// Vendor is who issued an sk_ key or a whsec_ secret.
type Vendor int

// Vendors.
const (
	Unknown Vendor = iota // "Stripe or Clerk" / "Svix-format"
	Clerk
	Other // Stripe, Resend, ...: not our business
)

func (v Vendor) String() string {
	switch v {
	case Clerk:
		return "clerk"
	case Other:
		return "other"
	}
	return "unknown"
}

// Strength says how sure an attribution is.
type Strength int

// Strengths of an attribution.
const (
	Weak   Strength = iota + 1 // file-level or length hint
	Strong                     // the name or the surrounding text says so
)

// FileSignals are the facts about a whole file that attribute keys in it.
type FileSignals struct {
	ImportsClerk bool // @clerk/*, clerk-sdk-go, clerk_backend_api
	ImportsSvix  bool // svix, @clerk/*/webhooks
	// ImportsStripe is set for `stripe` imports and `new Stripe(`.
	ImportsStripe bool
	// OtherWebhookVendor is set when the file names a non-Clerk Svix
	// customer (Resend) or Stripe webhooks.
	OtherWebhookVendor bool
	// ClerkPublishable is set when the file holds a publishable key that
	// decodes to a Frontend API host: a strong "this is Clerk" fingerprint.
	ClerkPublishable bool
	// ClerkNames is set when the file assigns CLERK_* variables.
	ClerkNames bool
}

var (
	reImportsClerk  = regexp.MustCompile(`@clerk/|clerk-sdk-go|clerk_backend_api|from clerk |import clerk\b|require\(['"]clerk|svelte-clerk|@hono/clerk-auth`)
	reImportsSvix   = regexp.MustCompile(`['"]svix['"]|from svix\b|import svix\b|svix-webhooks|@clerk/[a-z-]+/webhooks|standardwebhooks`)
	reImportsStripe = regexp.MustCompile(`['"]stripe['"]|new Stripe\(|stripe-go|import stripe\b|from stripe\b|Stripe\.api_key|stripe\.Key\b|@stripe/`)
	reOtherWH       = regexp.MustCompile(`(?i)resend|stripe|lemonsqueezy|lemon_squeezy`)
	reClerkNames    = regexp.MustCompile(`\b(?:[A-Z]+_)?CLERK_[A-Z_]+\s*[:=]`)
	reClerkWord     = regexp.MustCompile(`(?i)clerk`)
	reStripeWord    = regexp.MustCompile(`(?i)stripe`)
	reWebhookWord   = regexp.MustCompile(`(?i)clerk|svix`)
)

// Signals computes a file's attribution facts.
func Signals(text string) FileSignals {
	s := FileSignals{
		ImportsClerk:       reImportsClerk.MatchString(text),
		ImportsSvix:        reImportsSvix.MatchString(text),
		ImportsStripe:      reImportsStripe.MatchString(text),
		OtherWebhookVendor: reOtherWH.MatchString(text),
		ClerkNames:         reClerkNames.MatchString(text),
	}
	for _, m := range reR1.FindAllString(text, -1) {
		if _, ok := DecodePublishable(m); ok {
			s.ClerkPublishable = true
			break
		}
	}
	return s
}

// Window is the text within n bytes either side of [start, end), on the
// same and neighbouring lines.
func Window(text string, start, end, n int) string {
	a, b := start-n, end+n
	if a < 0 {
		a = 0
	}
	if b > len(text) {
		b = len(text)
	}
	return text[a:start] + " " + text[end:b]
}

// contextWidth is the catalog's "surrounding 120 chars".
const contextWidth = 120

// Attribute decides whose sk_ key c is, from (in order) the name it is
// assigned to, the text around it, and the file's signals. A Stripe-only
// context (STRIPE_SECRET_KEY=…, `new Stripe('sk_…')`) is never Clerk.
func Attribute(text string, c Candidate, fs FileSignals) (Vendor, Strength, string) {
	name := strings.ToUpper(c.Name)
	switch {
	case strings.Contains(name, "CLERK"):
		return Clerk, Strong, "assigned to " + mdcode.Code(c.Name)
	case strings.Contains(name, "STRIPE"):
		return Other, Strong, "assigned to " + mdcode.Code(c.Name)
	}
	line := lineAround(text, c.Start, c.End)
	lc, ls := reClerkWord.MatchString(line), reStripeWord.MatchString(line)
	if !lc && !ls {
		w := Window(text, c.Start, c.End, contextWidth)
		lc, ls = reClerkWord.MatchString(w), reStripeWord.MatchString(w)
	}
	switch {
	case lc && !ls:
		return Clerk, Strong, "the surrounding code mentions Clerk"
	case ls && !lc:
		return Other, Strong, "the surrounding code mentions Stripe"
	case lc && ls:
		return Unknown, Weak, "the surrounding code mentions both Clerk and Stripe"
	}
	fc := fs.ImportsClerk || fs.ClerkPublishable || fs.ClerkNames
	switch {
	case fc && !fs.ImportsStripe:
		why := "the file uses Clerk"
		if fs.ClerkPublishable {
			why = "the file holds a Clerk publishable key"
		}
		return Clerk, Weak, why
	case fs.ImportsStripe && !fc:
		return Other, Weak, "the file uses Stripe"
	}
	if c.Kind == SecretKey && len(Body(c.Value)) == 42 && !fs.ImportsStripe {
		return Clerk, Weak, "its length matches Clerk secret keys"
	}
	return Unknown, Weak, ""
}

// AttributeWebhook decides whether a whsec_ secret is Clerk's: the name or
// context says clerk/svix, or the file imports svix or Clerk webhooks.
// Stripe and other Svix customers (Resend) use the same format.
func AttributeWebhook(text string, c Candidate, fs FileSignals) (Vendor, Strength, string) {
	name := strings.ToUpper(c.Name)
	switch {
	case strings.Contains(name, "CLERK"):
		return Clerk, Strong, "assigned to " + mdcode.Code(c.Name)
	case reOtherWH.MatchString(name):
		return Other, Strong, "assigned to " + mdcode.Code(c.Name)
	}
	line := lineAround(text, c.Start, c.End)
	if reOtherWH.MatchString(line) && !reClerkWord.MatchString(line) {
		return Other, Strong, "the surrounding code names another provider"
	}
	w := Window(text, c.Start, c.End, contextWidth)
	lc, lo := reWebhookWord.MatchString(w), reOtherWH.MatchString(w)
	switch {
	case lc && !lo:
		return Clerk, Strong, "the surrounding code mentions Clerk or Svix"
	case lo && !lc:
		return Other, Strong, "the surrounding code names another provider"
	}
	if fs.ImportsClerk || fs.ClerkNames || fs.ClerkPublishable {
		if !fs.OtherWebhookVendor {
			return Clerk, Weak, "the file uses Clerk"
		}
		return Unknown, Weak, ""
	}
	if fs.ImportsSvix && !fs.OtherWebhookVendor {
		return Unknown, Weak, "the file uses svix"
	}
	if fs.OtherWebhookVendor {
		return Other, Weak, "the file names another webhook provider"
	}
	return Unknown, Weak, ""
}

// lineAround returns the whole line(s) holding [start, end).
func lineAround(text string, start, end int) string {
	a := strings.LastIndexByte(text[:start], '\n') + 1
	b := strings.IndexByte(text[end:], '\n')
	if b < 0 {
		b = len(text)
	} else {
		b += end
	}
	return text[a:start] + " " + text[end:b]
}
