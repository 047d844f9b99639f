package setup

import (
	"encoding/base64"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/app/config"
)

// Where setup puts the credentials GitHub returns:
//
//   - CLERKGUARD_CREDENTIALS_DIR (default CLERKGUARD_DATA_DIR): a directory,
//     typically a mounted volume; setup writes CredentialsFile and
//     PrivateKeyFile there (atomically, mode 0600) and `clerkguard serve`
//     reads them at start-up.
//   - CLERKGUARD_CREDENTIALS_SECRET: the name of a Kubernetes Secret, for
//     deployments without a writable volume. Setup writes no file: the page
//     that completes the registration shows, once and only to the browser
//     that presented the setup token, a ready-to-apply Secret manifest with
//     the keys the Helm chart and deploy/k8s read (SecretKeys). Nothing is
//     logged; the process serves the App from memory until it restarts with
//     the Secret.

// SecretKeys are the keys of the Kubernetes Secret that the Helm chart's
// github.existingSecret and deploy/k8s/secret.example.yaml use, in the
// order the printed manifest lists them.
var SecretKeys = []string{"app-id", "webhook-secret", "private-key.pem", "client-id", "client-secret", "slug"}

// CredentialsDir is CLERKGUARD_CREDENTIALS_DIR, default DataDir.
func CredentialsDir(getenv config.Getenv) string {
	if d := getenv("CLERKGUARD_CREDENTIALS_DIR"); d != "" {
		return d
	}
	return DataDir(getenv)
}

// dnsSubdomain is a Kubernetes object name (RFC 1123 subdomain).
var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// credentialsSecret is CLERKGUARD_CREDENTIALS_SECRET, checked.
func credentialsSecret(getenv config.Getenv) (string, error) {
	name := getenv("CLERKGUARD_CREDENTIALS_SECRET")
	if name != "" && (len(name) > 253 || !dnsSubdomain.MatchString(name)) {
		return "", fmt.Errorf("CLERKGUARD_CREDENTIALS_SECRET %q is not a Kubernetes Secret name (lower-case letters, digits, '-' and '.')", name)
	}
	return name, nil
}

// keyFileMissing reports an environment whose only credential is a
// CLERKGUARD_PRIVATE_KEY_FILE naming a file that does not exist: what a
// Kubernetes pod sees when it references its App Secret as optional and the
// Secret does not exist yet.
func keyFileMissing(getenv config.Getenv) bool {
	p := getenv("CLERKGUARD_PRIVATE_KEY_FILE")
	if p == "" || getenv("CLERKGUARD_APP_ID") != "" || getenv("CLERKGUARD_PRIVATE_KEY") != "" {
		return false
	}
	_, err := os.Stat(p)
	return os.IsNotExist(err)
}

// SecretManifest is a Kubernetes Secret holding c under SecretKeys, ready
// for `kubectl apply -f -`. It holds every secret of the App: show it only
// to the operator, once.
func SecretManifest(name string, c *Credentials) string {
	vals := map[string]string{"app-id": strconv.FormatInt(c.AppID, 10), "webhook-secret": c.WebhookSecret,
		"private-key.pem": string(c.PEM), "client-id": c.ClientID, "client-secret": c.ClientSecret, "slug": c.Slug}
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/name: clerkguard\ntype: Opaque\ndata:\n", name)
	for _, k := range SecretKeys {
		if vals[k] == "" {
			continue
		}
		fmt.Fprintf(&b, "  %s: %s\n", k, base64.StdEncoding.EncodeToString([]byte(vals[k])))
	}
	return b.String()
}

// storage says where the credentials go, for the setup page.
func (s *Setup) storage() string {
	if s.secretName != "" {
		return "the Kubernetes Secret " + s.secretName + " (shown once, for you to apply)"
	}
	return s.credDir
}
