package deploy_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/clerkguard/clerkguard/app/setup"
)

// appEnvNames returns every CLERKGUARD_* name that the App's code (app/ and
// cmd/, tests excluded) mentions as a string literal, so a manifest cannot
// set a name that the code ignores (a typo or a stale name).
func appEnvNames(t *testing.T) []string {
	t.Helper()
	lit := regexp.MustCompile(`"(CLERKGUARD_[A-Z0-9_]+)"`)
	var names []string
	for _, root := range []string{filepath.Join("..", "app"), filepath.Join("..", "cmd")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
				if !slices.Contains(names, m[1]) {
					names = append(names, m[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(names)
	return names
}

// TestAppEnvNames: the names the deployment files rely on are still read
// by the App (DESIGN.md's published configuration).
func TestAppEnvNames(t *testing.T) {
	names := appEnvNames(t)
	for _, n := range []string{"CLERKGUARD_LISTEN", "CLERKGUARD_APP_ID", "CLERKGUARD_PRIVATE_KEY_FILE",
		"CLERKGUARD_WEBHOOK_SECRET", "CLERKGUARD_GITHUB_API_URL", "CLERKGUARD_DATABASE_URL", "CLERKGUARD_LOG_LEVEL"} {
		if !slices.Contains(names, n) {
			t.Errorf("the App no longer reads %s (found %v)", n, names)
		}
	}
}

// object is one decoded manifest document.
type object struct {
	source string // file#index
	kind   string
	obj    any
}

// splitDocs splits a multi-document YAML stream, dropping empty documents.
func splitDocs(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// decodeStrict decodes one document into the k8s.io/api type its
// apiVersion and kind name; unknown fields, duplicate keys and wrong types
// are errors.
func decodeStrict(source string, doc []byte) (object, error) {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return object{}, fmt.Errorf("%s: %v", source, err)
	}
	var obj any
	switch tm.APIVersion + "/" + tm.Kind {
	case "apps/v1/Deployment":
		obj = &appsv1.Deployment{}
	case "v1/Service":
		obj = &corev1.Service{}
	case "v1/Secret":
		obj = &corev1.Secret{}
	case "v1/ServiceAccount":
		obj = &corev1.ServiceAccount{}
	case "v1/PersistentVolumeClaim":
		obj = &corev1.PersistentVolumeClaim{}
	case "policy/v1/PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1/Ingress":
		obj = &networkingv1.Ingress{}
	default:
		return object{}, fmt.Errorf("%s: unexpected apiVersion/kind %s/%s", source, tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return object{}, fmt.Errorf("%s: strict decode %s: %v", source, tm.Kind, err)
	}
	return object{source: source, kind: tm.Kind, obj: obj}, nil
}

func decodeAll(t *testing.T, source string, data []byte) []object {
	t.Helper()
	var out []object
	for i, doc := range splitDocs(data) {
		o, err := decodeStrict(fmt.Sprintf("%s#%d", source, i), doc)
		if err != nil {
			t.Error(err)
			continue
		}
		out = append(out, o)
	}
	return out
}

func TestDecodeStrictRejectsUnknownFields(t *testing.T) {
	doc := []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  prots: []\n")
	if _, err := decodeStrict("typo", doc); err == nil || !strings.Contains(err.Error(), "prots") {
		t.Fatalf("a misspelt field must fail strict decoding, got %v", err)
	}
	doc = []byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: two\n")
	if _, err := decodeStrict("type", doc); err == nil {
		t.Fatal("a wrongly typed field must fail")
	}
}

func TestPlainManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("k8s", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no manifests in deploy/k8s")
	}
	var objs []object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "PostgreSQL") && strings.Contains(f, "deployment") {
			t.Errorf("%s: say in a comment that several replicas require PostgreSQL", f)
		}
		objs = append(objs, decodeAll(t, f, data)...)
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.kind]++
	}
	for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget", "Ingress"} {
		if kinds[k] != 1 {
			t.Errorf("want exactly one %s in deploy/k8s, got %d", k, kinds[k])
		}
	}
	// Two example Secrets: clerkguard (database-url) and the App's, which
	// the setup page prints; applying the printed one replaces nothing else.
	if kinds["Secret"] != 2 {
		t.Errorf("want the database and the App Secret in deploy/k8s, got %d Secrets", kinds["Secret"])
	}
	example := &corev1.Secret{StringData: map[string]string{}}
	appSecret := ""
	for _, o := range objs {
		if s, ok := o.obj.(*corev1.Secret); ok {
			maps.Copy(example.StringData, s.StringData)
			if _, ok := s.StringData["app-id"]; ok {
				appSecret = s.Name
				if _, db := s.StringData["database-url"]; db {
					t.Errorf("%s: keep database-url out of the App Secret: applying the Secret setup prints would drop it", o.source)
				}
				for k := range s.StringData {
					if !slices.Contains(setup.SecretKeys, k) {
						t.Errorf("%s: key %s is not one setup prints (%v)", o.source, k, setup.SecretKeys)
					}
				}
			}
		}
	}
	checkExampleSecret(t, "k8s/secret.example.yaml", example)
	checkSet(t, objs, setWant{replicas: 2, secretName: appSecret, servicePort: 80, requireIngressWebhook: true, setupSecret: true})
	for _, o := range objs {
		if o.obj.(interface{ GetNamespace() string }).GetNamespace() != "" {
			t.Errorf("%s: plain manifests are namespace-agnostic; drop metadata.namespace", o.source)
		}
	}
}

// checkExampleSecret: the example Secret holds every key the Deployment
// reads, and only placeholders.
func checkExampleSecret(t *testing.T, source string, s *corev1.Secret) {
	t.Helper()
	for _, k := range []string{"app-id", "webhook-secret", "database-url", "private-key.pem"} {
		v, ok := s.StringData[k]
		if !ok {
			t.Errorf("%s: key %q missing", source, k)
			continue
		}
		if k != "app-id" && !strings.Contains(v, "REPLACE-ME") {
			t.Errorf("%s: %s must be an obvious placeholder (REPLACE-ME), got %q", source, k, v)
		}
		if strings.Contains(v, "BEGIN RSA PRIVATE KEY") || strings.Contains(v, "BEGIN PRIVATE KEY") {
			t.Errorf("%s: %s holds a key", source, k)
		}
	}
}

type setWant struct {
	replicas              int32
	secretName            string // the Secret env and the key volume come from
	servicePort           int32
	requireIngressWebhook bool
	postgres              bool // CLERKGUARD_DATABASE_URL comes from a Secret
	// setupSecret: the App Secret is optional, the pod starts in setup mode
	// without it, and setup prints that Secret (CLERKGUARD_CREDENTIALS_SECRET).
	setupSecret bool
	// setupDir: setup mode with the credentials on a claim (CLERKGUARD_CREDENTIALS_DIR).
	setupDir bool
}

// checkSet runs the semantic checks shared by the plain manifests and the
// rendered chart.
func checkSet(t *testing.T, objs []object, want setWant) {
	t.Helper()
	var dep *appsv1.Deployment
	var depSrc string
	for _, o := range objs {
		if d, ok := o.obj.(*appsv1.Deployment); ok {
			dep, depSrc = d, o.source
		}
	}
	if dep == nil {
		t.Fatal("no Deployment")
	}
	checkDeployment(t, depSrc, dep, want, appEnvNames(t))
	if want.setupSecret || want.setupDir {
		checkSetupMode(t, depSrc, dep, want)
		checkSetupRouted(t, objs)
	}
	podLabels := dep.Spec.Template.Labels
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *corev1.Service:
			if !selects(v.Spec.Selector, podLabels) {
				t.Errorf("%s: selector %v does not select the pods %v", o.source, v.Spec.Selector, podLabels)
			}
			if len(v.Spec.Ports) != 1 || v.Spec.Ports[0].TargetPort.String() != "http" || v.Spec.Ports[0].Port != want.servicePort {
				t.Errorf("%s: want one port %d -> http, got %+v", o.source, want.servicePort, v.Spec.Ports)
			}
		case *policyv1.PodDisruptionBudget:
			if v.Spec.MinAvailable == nil || v.Spec.MinAvailable.IntValue() != 1 {
				t.Errorf("%s: want minAvailable 1", o.source)
			}
			if v.Spec.Selector == nil || !selects(v.Spec.Selector.MatchLabels, podLabels) {
				t.Errorf("%s: selector does not select the pods", o.source)
			}
		case *networkingv1.Ingress:
			var svcName string
			for _, s := range objs {
				if svc, ok := s.obj.(*corev1.Service); ok {
					svcName = svc.Name
				}
			}
			found := false
			for _, r := range v.Spec.Rules {
				if r.HTTP == nil {
					continue
				}
				for _, p := range r.HTTP.Paths {
					if p.PathType == nil {
						t.Errorf("%s: path %s has no pathType", o.source, p.Path)
					}
					if p.Backend.Service == nil || p.Backend.Service.Name != svcName {
						t.Errorf("%s: path %s does not route to Service %q", o.source, p.Path, svcName)
					}
					if p.Path == "/webhook" {
						found = true
					}
				}
			}
			if want.requireIngressWebhook && !found {
				t.Errorf("%s: no /webhook path", o.source)
			}
		}
	}
}

// checkSetupMode: with the App Secret absent (every optional reference
// unresolved, the optional key volume empty), the container's environment
// makes serve start in setup mode, and setup stores the credentials where
// the next start finds them: the Secret the pod reads, or a directory on a
// PersistentVolumeClaim. Before, the pods required the Secret and could
// not start without credentials.
func checkSetupMode(t *testing.T, src string, d *appsv1.Deployment, want setWant) {
	t.Helper()
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	env := map[string]string{}
	appSecrets := map[string]bool{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil && e.Name != "CLERKGUARD_DATABASE_URL":
			if r := e.ValueFrom.SecretKeyRef; r.Optional == nil || !*r.Optional {
				t.Errorf("%s: %s must reference its Secret as optional, or the pod cannot start before setup", src, e.Name)
			}
			appSecrets[e.ValueFrom.SecretKeyRef.Name] = true
		}
	}
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			if v.Secret.Optional == nil || !*v.Secret.Optional {
				t.Errorf("%s: Secret volume %s must be optional in setup mode", src, v.Name)
			}
			appSecrets[v.Secret.SecretName] = true
		}
	}
	// The key file is absent: the optional Secret volume is empty.
	if k := env["CLERKGUARD_PRIVATE_KEY_FILE"]; k != "" {
		env["CLERKGUARD_PRIVATE_KEY_FILE"] = filepath.Join(t.TempDir(), "absent", filepath.Base(k))
	}
	getenv := func(k string) string { return env[k] }
	if !setup.Unconfigured(getenv) {
		t.Errorf("%s: without the App Secret, serve would not start in setup mode (env %v)", src, env)
	}
	if env["CLERKGUARD_PUBLIC_URL"] == "" || !strings.HasPrefix(env["CLERKGUARD_PUBLIC_URL"], "https://") {
		t.Errorf("%s: setup mode needs CLERKGUARD_PUBLIC_URL (https) for the App's webhook and callback", src)
	}
	name := env["CLERKGUARD_CREDENTIALS_SECRET"]
	switch {
	case want.setupSecret:
		if name == "" || len(appSecrets) != 1 || !appSecrets[name] {
			t.Errorf("%s: setup prints Secret %q but the pod reads the App from %v", src, name, appSecrets)
		}
		if _, ok := env["CLERKGUARD_CREDENTIALS_DIR"]; ok {
			t.Errorf("%s: both a credentials directory and a Secret", src)
		}
	case want.setupDir:
		dir := setup.CredentialsDir(getenv)
		if name != "" || !filepath.IsAbs(dir) {
			t.Fatalf("%s: credentials dir %q, Secret %q: want a directory on a claim", src, dir, name)
		}
		claim := false
		for _, m := range c.VolumeMounts {
			if (dir == m.MountPath || strings.HasPrefix(dir, m.MountPath+"/")) && !m.ReadOnly {
				for _, v := range pod.Volumes {
					claim = claim || (v.Name == m.Name && v.PersistentVolumeClaim != nil)
				}
			}
		}
		if !claim {
			t.Errorf("%s: %s is not on a writable PersistentVolumeClaim", src, dir)
		}
	}
}

// checkSetupRouted: the Ingress, if any, routes /setup (the page and
// GitHub's return to /setup/callback) to the Service.
func checkSetupRouted(t *testing.T, objs []object) {
	t.Helper()
	for _, o := range objs {
		ing, ok := o.obj.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		routed := false
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				routed = routed || (p.Path == "/setup" && p.PathType != nil && *p.PathType == networkingv1.PathTypePrefix)
			}
		}
		if !routed {
			t.Errorf("%s: setup mode needs /setup (Prefix) routed: GitHub returns the browser to /setup/callback", o.source)
		}
	}
}

func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func checkDeployment(t *testing.T, src string, d *appsv1.Deployment, want setWant, appEnv []string) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas != want.replicas {
		t.Errorf("%s: want replicas %d", src, want.replicas)
	}
	if d.Spec.Selector == nil || !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("%s: selector does not match the pod template labels", src)
	}
	pod := d.Spec.Template.Spec
	if a := d.Spec.Template.Annotations; a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != "/metrics" || a["prometheus.io/port"] != "8080" {
		t.Errorf("%s: want Prometheus scrape annotations for /metrics on 8080, got %v", src, a)
	}
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("%s: pod securityContext must set runAsNonRoot and a non-zero runAsUser", src)
	} else if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod seccompProfile must be RuntimeDefault", src)
	}
	if psc == nil || psc.FSGroup == nil {
		t.Errorf("%s: fsGroup is needed so the 0400 key file is readable by the non-root user", src)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: the App never calls the Kubernetes API: automountServiceAccountToken: false", src)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: want one container, got %d", src, len(pod.Containers))
	}
	c := pod.Containers[0]
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("%s: container args %v, want [serve]", src, c.Args)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("%s: want port http 8080, got %+v", src, c.Ports)
	}
	checkProbe(t, src, "liveness", c.LivenessProbe, "/healthz")
	checkProbe(t, src, "readiness", c.ReadinessProbe, "/readyz")
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("%s: no %s request", src, r)
		}
		if _, ok := c.Resources.Limits[r]; !ok && r == corev1.ResourceMemory {
			t.Errorf("%s: no memory limit", src)
		}
	}
	if req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]; req.Cmp(lim) > 0 {
		t.Errorf("%s: memory request %s above limit %s", src, req.String(), lim.String())
	}
	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Errorf("%s: container has no securityContext", src)
	case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
		t.Errorf("%s: container must runAsNonRoot", src)
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Errorf("%s: container must have readOnlyRootFilesystem", src)
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Errorf("%s: allowPrivilegeEscalation must be false", src)
	case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
		t.Errorf("%s: capabilities must drop ALL and add none", src)
	case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Errorf("%s: container seccompProfile must be RuntimeDefault", src)
	}

	// Environment: only names the App reads; secrets only from a Secret.
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		if !slices.Contains(appEnv, e.Name) {
			t.Errorf("%s: env %s is not read by the App (app/config)", src, e.Name)
		}
		if _, dup := env[e.Name]; dup {
			t.Errorf("%s: env %s set twice", src, e.Name)
		}
		env[e.Name] = e
	}
	fromSecret := func(name string) {
		e, ok := env[name]
		switch {
		case !ok:
			t.Errorf("%s: env %s missing", src, name)
		case e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil:
			t.Errorf("%s: env %s must come from a Secret (secretKeyRef), not a literal", src, name)
		case want.secretName != "" && e.ValueFrom.SecretKeyRef.Name != want.secretName && name != "CLERKGUARD_DATABASE_URL":
			t.Errorf("%s: env %s from Secret %q, want %q", src, name, e.ValueFrom.SecretKeyRef.Name, want.secretName)
		}
	}
	fromSecret("CLERKGUARD_WEBHOOK_SECRET")
	fromSecret("CLERKGUARD_APP_ID")
	if want.postgres || want.replicas > 1 {
		fromSecret("CLERKGUARD_DATABASE_URL")
	} else if v := env["CLERKGUARD_DATABASE_URL"].Value; !strings.HasPrefix(v, "sqlite:///data/") {
		t.Errorf("%s: single replica without PostgreSQL: want an SQLite file under /data, got %q", src, v)
	}
	if _, ok := env["CLERKGUARD_PRIVATE_KEY"]; ok {
		t.Errorf("%s: mount the private key as a file (CLERKGUARD_PRIVATE_KEY_FILE), not an env var", src)
	}
	// GOMEMLIMIT: serve derives it from the container's memory limit.
	if ml := env["CLERKGUARD_MEMORY_LIMIT"]; ml.ValueFrom == nil || ml.ValueFrom.ResourceFieldRef == nil ||
		ml.ValueFrom.ResourceFieldRef.Resource != "limits.memory" {
		t.Errorf("%s: CLERKGUARD_MEMORY_LIMIT must come from resourceFieldRef limits.memory", src)
	}
	if c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: the container sets no memory limit", src)
	}

	// The private key: a file from a Secret volume, mode 0400, read-only.
	keyPath := env["CLERKGUARD_PRIVATE_KEY_FILE"].Value
	if keyPath == "" {
		t.Fatalf("%s: CLERKGUARD_PRIVATE_KEY_FILE not set", src)
	}
	var mount *corev1.VolumeMount
	for i, m := range c.VolumeMounts {
		if strings.HasPrefix(keyPath, strings.TrimSuffix(m.MountPath, "/")+"/") {
			mount = &c.VolumeMounts[i]
		}
	}
	if mount == nil {
		t.Fatalf("%s: no volume mounted at %s", src, filepath.Dir(keyPath))
	}
	if !mount.ReadOnly {
		t.Errorf("%s: key volume must be mounted readOnly", src)
	}
	var vol *corev1.Volume
	for i, v := range pod.Volumes {
		if v.Name == mount.Name {
			vol = &pod.Volumes[i]
		}
	}
	switch {
	case vol == nil || vol.Secret == nil:
		t.Errorf("%s: %s must be a Secret volume", src, mount.Name)
	case vol.Secret.DefaultMode == nil || *vol.Secret.DefaultMode != 0o400:
		t.Errorf("%s: key Secret volume defaultMode must be 0400", src)
	case want.secretName != "" && vol.Secret.SecretName != want.secretName:
		t.Errorf("%s: key from Secret %q, want %q", src, vol.Secret.SecretName, want.secretName)
	default:
		rel := strings.TrimPrefix(keyPath, strings.TrimSuffix(mount.MountPath, "/")+"/")
		ok := len(vol.Secret.Items) == 0
		for _, it := range vol.Secret.Items {
			ok = ok || it.Path == rel
		}
		if !ok {
			t.Errorf("%s: Secret volume items do not project %s", src, rel)
		}
	}
	// readOnlyRootFilesystem: /tmp must be writable.
	hasTmp := false
	for _, m := range c.VolumeMounts {
		hasTmp = hasTmp || m.MountPath == "/tmp"
	}
	if !hasTmp {
		t.Errorf("%s: mount an emptyDir at /tmp (the root filesystem is read-only)", src)
	}
}

func checkProbe(t *testing.T, src, name string, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: no %s httpGet probe", src, name)
		return
	}
	if p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
		t.Errorf("%s: %s probe %s:%s, want %s on port http", src, name, p.HTTPGet.Path, p.HTTPGet.Port.String(), path)
	}
	if p.PeriodSeconds <= 0 || p.TimeoutSeconds <= 0 {
		t.Errorf("%s: %s probe needs periodSeconds and timeoutSeconds", src, name)
	}
}

// hasDoc reports whether data has a document of this kind (rendered output).
func hasDoc(data []byte, kind string) bool {
	return bytes.Contains(data, []byte("\nkind: "+kind+"\n"))
}
