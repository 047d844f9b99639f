// Package config reads the App's configuration from the environment
// (DESIGN.md: CLERKGUARD_*), validates it once, and never logs a secret.
package config

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Config is the App's configuration.
type Config struct {
	Listen     string
	AppID      int64
	PrivateKey *rsa.PrivateKey
	// PrivateKeyPEM is kept for ghinstallation; never logged.
	PrivateKeyPEM []byte
	// WebhookSecrets are all accepted secrets; the first signs nothing, all
	// verify (rotation: add the new one, switch GitHub, remove the old).
	WebhookSecrets [][]byte
	APIURL         string // REST base URL, with trailing slash
	GraphQLURL     string
	DatabaseURL    string // sqlite:///path or postgres://...
	// MaxAnnotations caps annotations per check run (default 200).
	MaxAnnotations int
	// MaxComments caps inline comments per review (default 25).
	MaxComments int
	// ReviewMaxFiles and ReviewMaxBytes bound what one review reads and
	// analyses (0: the review package's defaults, 1000 files / 32 MiB).
	ReviewMaxFiles int
	ReviewMaxBytes int64
	// PartialConclusion concludes a review that could not analyse every file
	// it needed: failure (default), action_required or neutral.
	PartialConclusion string
	// OnError concludes a review that itself failed after its last attempt
	// (GitHub unreachable, a bug): "neutral" (default) or "failure". A
	// repository's on_error key, read from its base branch, overrides it.
	OnError string
	// JobTimeout bounds one review job.
	JobTimeout time.Duration
	// ShutdownGrace is how long in-flight jobs may run after SIGTERM.
	ShutdownGrace time.Duration
	// Workers is the number of concurrent review jobs per process.
	Workers int
	// ReconcileInterval is how often failed webhook deliveries are
	// redelivered; SweepInterval how often stuck check runs are swept.
	ReconcileInterval time.Duration
	SweepInterval     time.Duration
	// PollInterval is how often the queue polls for jobs (0: River's default).
	PollInterval time.Duration
	// RescueAfter is how long a job may run before it is presumed orphaned
	// by a dead process and retried (0: JobTimeout + 1m). It must not be
	// less than JobTimeout.
	RescueAfter time.Duration
	// MutationSpacing is the minimum time between two mutating GitHub
	// requests of one installation (default 1s, GitHub's advice).
	MutationSpacing time.Duration
	// LogLevel for the JSON logger.
	LogLevel slog.Level
}

// LogValue keeps secrets out of logs: only non-secret fields are shown.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen", c.Listen), slog.Int64("app_id", c.AppID),
		slog.String("api_url", c.APIURL), slog.String("database", redactDSN(c.DatabaseURL)),
		slog.Int("webhook_secrets", len(c.WebhookSecrets)), slog.Int("workers", c.Workers),
	)
}

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Getenv is os.Getenv's shape, so tests pass a map.
type Getenv func(string) string

// Load reads and validates the configuration. warn receives non-fatal
// problems (a world-readable key file).
func Load(getenv Getenv, warn func(msg string, args ...any)) (*Config, error) {
	c := &Config{
		Listen:            or(getenv("CLERKGUARD_LISTEN"), ":8080"),
		APIURL:            or(getenv("CLERKGUARD_GITHUB_API_URL"), "https://api.github.com/"),
		DatabaseURL:       or(getenv("CLERKGUARD_DATABASE_URL"), "sqlite://clerkguard.db"),
		MaxAnnotations:    200,
		MaxComments:       25,
		JobTimeout:        5 * time.Minute, // a review's analysis is bounded by review.DefaultAnalysisTimeout within it
		ShutdownGrace:     25 * time.Second,
		Workers:           4,
		MutationSpacing:   time.Second,
		ReconcileInterval: 5 * time.Minute,
		SweepInterval:     6 * time.Hour,
	}
	var errs []string
	fail := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }

	secrets := getenv("CLERKGUARD_WEBHOOK_SECRET")
	for _, s := range strings.Split(secrets, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.WebhookSecrets = append(c.WebhookSecrets, []byte(s))
		}
	}
	if len(c.WebhookSecrets) == 0 {
		fail("CLERKGUARD_WEBHOOK_SECRET is required: the server refuses to accept unsigned webhooks (comma-separate several to rotate)")
	}
	if v := getenv("CLERKGUARD_APP_ID"); v == "" {
		fail("CLERKGUARD_APP_ID is required")
	} else if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
		fail("CLERKGUARD_APP_ID must be a positive integer")
	} else {
		c.AppID = id
	}
	pem, err := readKey(getenv, warn)
	if err != nil {
		fail("%v", err)
	} else {
		key, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
		if err != nil {
			fail("the App private key is not a PEM RSA private key")
		} else {
			c.PrivateKey, c.PrivateKeyPEM = key, pem
		}
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fail("CLERKGUARD_GITHUB_API_URL %q is not an http(s) URL", c.APIURL)
	} else {
		if !strings.HasSuffix(c.APIURL, "/") {
			c.APIURL += "/"
		}
		c.GraphQLURL = graphQLURL(c.APIURL)
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		fail("CLERKGUARD_DATABASE_URL must be sqlite:///path/file.db or postgres://...")
	}
	for name, dst := range map[string]*int{"CLERKGUARD_MAX_ANNOTATIONS": &c.MaxAnnotations, "CLERKGUARD_MAX_COMMENTS": &c.MaxComments, "CLERKGUARD_WORKERS": &c.Workers,
		"CLERKGUARD_REVIEW_MAX_FILES": &c.ReviewMaxFiles} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				fail("%s must be a non-negative integer", name)
			} else {
				*dst = n
			}
		}
	}
	for name, dst := range map[string]*time.Duration{"CLERKGUARD_JOB_TIMEOUT": &c.JobTimeout, "CLERKGUARD_SHUTDOWN_GRACE": &c.ShutdownGrace,
		"CLERKGUARD_POLL_INTERVAL": &c.PollInterval, "CLERKGUARD_RESCUE_AFTER": &c.RescueAfter} {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				fail("%s must be a duration such as 30s", name)
			} else {
				*dst = d
			}
		}
	}
	if v := getenv("CLERKGUARD_REVIEW_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fail("CLERKGUARD_REVIEW_MAX_BYTES must be a non-negative number of bytes")
		} else {
			c.ReviewMaxBytes = n
		}
	}
	switch v := strings.ToLower(getenv("CLERKGUARD_PARTIAL_CONCLUSION")); v {
	case "", "failure", "action_required", "neutral":
		c.PartialConclusion = v
	default:
		fail("CLERKGUARD_PARTIAL_CONCLUSION must be failure, action_required or neutral (a partial review never succeeds)")
	}
	switch v := strings.ToLower(getenv("CLERKGUARD_ON_ERROR")); v {
	case "", "neutral", "failure":
		c.OnError = or(v, "neutral")
	default:
		fail("CLERKGUARD_ON_ERROR must be neutral or failure (the conclusion when a review itself fails)")
	}
	if v := getenv("CLERKGUARD_MUTATION_SPACING"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			fail("CLERKGUARD_MUTATION_SPACING must be a duration such as 1s (0 disables it)")
		} else {
			c.MutationSpacing = d
		}
	}
	for name, dst := range map[string]*time.Duration{"CLERKGUARD_RECONCILE_INTERVAL": &c.ReconcileInterval, "CLERKGUARD_SWEEP_INTERVAL": &c.SweepInterval} {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				fail("%s must be a duration such as 5m (0 disables it)", name)
			} else {
				*dst = d
			}
		}
	}
	if c.RescueAfter > 0 && c.RescueAfter < c.JobTimeout {
		fail("CLERKGUARD_RESCUE_AFTER (%s) must not be less than CLERKGUARD_JOB_TIMEOUT (%s)", c.RescueAfter, c.JobTimeout)
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = c.JobTimeout + time.Minute
	}
	switch strings.ToLower(getenv("CLERKGUARD_LOG_LEVEL")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	}
	if len(errs) > 0 {
		return nil, errors.New("invalid configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return c, nil
}

func readKey(getenv Getenv, warn func(string, ...any)) ([]byte, error) {
	if p := getenv("CLERKGUARD_PRIVATE_KEY_FILE"); p != "" {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("CLERKGUARD_PRIVATE_KEY_FILE: %w", errors.Unwrap(err))
		}
		if st.Mode().Perm()&0o004 != 0 && warn != nil {
			warn("the App private key file is world-readable; chmod 600 it", "path", p, "mode", st.Mode().Perm().String())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("CLERKGUARD_PRIVATE_KEY_FILE: %w", errors.Unwrap(err))
		}
		return b, nil
	}
	if k := getenv("CLERKGUARD_PRIVATE_KEY"); k != "" {
		return []byte(strings.ReplaceAll(k, `\n`, "\n")), nil
	}
	return nil, errors.New("CLERKGUARD_PRIVATE_KEY_FILE or CLERKGUARD_PRIVATE_KEY is required")
}

// graphQLURL derives the GraphQL endpoint: api.github.com/graphql, or
// HOST/api/graphql on GHES (REST at HOST/api/v3/).
func graphQLURL(rest string) string {
	if strings.HasSuffix(rest, "/api/v3/") {
		return strings.TrimSuffix(rest, "v3/") + "graphql"
	}
	return rest + "graphql"
}

func or(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
