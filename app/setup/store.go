package setup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/clerkguard/clerkguard/app/config"
)

// The files setup writes into the data directory, both mode 0600.
const (
	CredentialsFile = "clerkguard-app.json"
	PrivateKeyFile  = "clerkguard-app.pem"
)

// Credentials are what GitHub returns for an App registered from the manifest.
// The private key, client secret and webhook secret are secrets: String and
// LogValue leave them out.
type Credentials struct {
	AppID         int64     `json:"id"`
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	Owner         string    `json:"owner"`
	HTMLURL       string    `json:"html_url"`
	ClientID      string    `json:"client_id"`
	ClientSecret  string    `json:"client_secret"`
	WebhookSecret string    `json:"webhook_secret"`
	APIURL        string    `json:"api_url"`
	CreatedAt     time.Time `json:"created_at"`
	// PEM is the App's private key, stored in PrivateKeyFile.
	PEM []byte `json:"-"`
}

// String shows the App, never its secrets.
func (c *Credentials) String() string {
	return fmt.Sprintf("GitHub App %s (id %d, owner %s)", c.Slug, c.AppID, c.Owner)
}

// LogValue keeps secrets out of logs.
func (c *Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("app_id", c.AppID), slog.String("slug", c.Slug),
		slog.String("owner", c.Owner), slog.String("html_url", c.HTMLURL))
}

// DataDir is CLERKGUARD_DATA_DIR, default the working directory.
func DataDir(getenv config.Getenv) string {
	if d := getenv("CLERKGUARD_DATA_DIR"); d != "" {
		return d
	}
	return "."
}

// Unconfigured reports whether the environment names no App credentials at
// all (no CLERKGUARD_APP_ID, CLERKGUARD_PRIVATE_KEY or
// CLERKGUARD_PRIVATE_KEY_FILE). Only then does serve use stored credentials
// or fall back to setup mode; partial credentials stay a configuration error.
//
// A CLERKGUARD_PRIVATE_KEY_FILE that names a missing file, with no App ID
// and no CLERKGUARD_PRIVATE_KEY, also counts as no credentials: it is how a
// Kubernetes pod that references its App Secret as optional starts before
// the Secret exists (deploy/k8s, the Helm chart's setup.enabled).
func Unconfigured(getenv config.Getenv) bool {
	if keyFileMissing(getenv) {
		return true
	}
	return getenv("CLERKGUARD_APP_ID") == "" && getenv("CLERKGUARD_PRIVATE_KEY") == "" && getenv("CLERKGUARD_PRIVATE_KEY_FILE") == ""
}

// Save writes the credentials into dir atomically (temporary file, fsync,
// rename), both files mode 0600. The key is written first, so the JSON file
// appearing marks a complete registration.
func Save(dir string, c *Credentials) error {
	if len(c.PEM) == 0 || c.AppID <= 0 {
		return errors.New("incomplete App credentials")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(dir, PrivateKeyFile, c.PEM); err != nil {
		return err
	}
	return writeFileAtomic(dir, CredentialsFile, append(b, '\n'))
}

func writeFileAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil { // persist the rename
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Load reads credentials stored by an earlier setup. It returns nil, nil
// when there are none. warn receives files that others can read.
func Load(dir string, warn func(msg string, args ...any)) (*Credentials, error) {
	p := filepath.Join(dir, CredentialsFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stored App credentials: %w", err)
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON; remove it to run setup again", p)
	}
	if c.AppID <= 0 || c.WebhookSecret == "" {
		return nil, fmt.Errorf("%s lacks the App ID or webhook secret; remove it to run setup again", p)
	}
	kp := filepath.Join(dir, PrivateKeyFile)
	if c.PEM, err = os.ReadFile(kp); err != nil {
		return nil, fmt.Errorf("%s exists but its private key cannot be read: %w", p, err)
	}
	for _, f := range []string{p, kp} {
		if st, err := os.Stat(f); err == nil && st.Mode().Perm()&0o077 != 0 && warn != nil {
			warn("a stored App credential file is readable by others; chmod 600 it", "path", f, "mode", st.Mode().Perm().String())
		}
	}
	return &c, nil
}

// Env overlays stored credentials on the environment, so config.Load sees
// them as CLERKGUARD_APP_ID, CLERKGUARD_PRIVATE_KEY_FILE and
// CLERKGUARD_WEBHOOK_SECRET. The stored webhook secret (the one GitHub signs
// with) comes first; secrets from the environment stay accepted, so an
// operator can rotate to them. With dir "" (credentials not stored, see
// CLERKGUARD_CREDENTIALS_SECRET) the key is passed as CLERKGUARD_PRIVATE_KEY.
// CLERKGUARD_GITHUB_API_URL, when set, wins
// over the API URL the App was registered at.
func Env(getenv config.Getenv, dir string, c *Credentials) config.Getenv {
	return func(k string) string {
		switch k {
		case "CLERKGUARD_APP_ID":
			return strconv.FormatInt(c.AppID, 10)
		case "CLERKGUARD_PRIVATE_KEY_FILE":
			if dir == "" {
				return ""
			}
			return filepath.Join(dir, PrivateKeyFile)
		case "CLERKGUARD_PRIVATE_KEY":
			if dir == "" {
				return string(c.PEM)
			}
			return ""
		case "CLERKGUARD_WEBHOOK_SECRET":
			if v := getenv(k); v != "" {
				return c.WebhookSecret + "," + v
			}
			return c.WebhookSecret
		case "CLERKGUARD_GITHUB_API_URL":
			if v := getenv(k); v != "" || c.APIURL == "" {
				return v
			}
			return c.APIURL
		}
		return getenv(k)
	}
}
