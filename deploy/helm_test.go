package deploy_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

var chartDir = filepath.Join("helm", "clerkguard")

// A test-only PEM-shaped placeholder: the chart never parses it.
const fakeKey = "-----BEGIN TEST KEY-----\nnot-a-real-key\n-----END TEST KEY-----\n"

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// render renders the chart offline with Helm's own engine, as
// `helm template` would, and returns the manifests by template name.
func render(t *testing.T, c *chart.Chart, vals map[string]any) (map[string]string, error) {
	t.Helper()
	if err := chartutil.ProcessDependenciesWithMerge(c, vals); err != nil {
		return nil, err
	}
	rv, err := chartutil.ToRenderValues(c, vals, chartutil.ReleaseOptions{
		Name: "review", Namespace: "tools", Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	return engine.Render(c, rv)
}

func renderObjects(t *testing.T, vals map[string]any) ([]object, map[string]string) {
	t.Helper()
	out, err := render(t, loadChart(t), vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var objs []object
	for _, n := range names {
		if strings.HasSuffix(n, "NOTES.txt") || strings.HasSuffix(n, ".tpl") {
			continue
		}
		objs = append(objs, decodeAll(t, n, []byte(out[n]))...)
	}
	return objs, out
}

func baseValues() map[string]any {
	return map[string]any{
		"github": map[string]any{
			"appId":         "123456",
			"webhookSecret": "test-webhook-secret",
			"privateKey":    fakeKey,
		},
		"database": map[string]any{
			"url": "postgres://clerkguard:pw@db.internal:5432/clerkguard?sslmode=require",
		},
	}
}

func kinds(objs []object) string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.kind)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func find[T any](objs []object) T {
	var zero T
	for _, o := range objs {
		if v, ok := o.obj.(T); ok {
			return v
		}
	}
	return zero
}

func TestHelmLint(t *testing.T) {
	setupVals := withIngress(map[string]any{"setup": map[string]any{"enabled": true}, "persistence": map[string]any{"enabled": true}})
	for name, vals := range map[string]map[string]any{"postgres": baseValues(), "ingress": withIngress(baseValues()), "setup": setupVals} {
		l := lint.All(chartDir, vals, "tools", false)
		for _, m := range l.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("%s: helm lint: %s", name, m)
			}
		}
	}
}

func withIngress(v map[string]any) map[string]any {
	v["ingress"] = map[string]any{
		"enabled": true, "className": "nginx", "host": "clerkguard.example.com",
		"tls": []any{map[string]any{"secretName": "clerkguard-tls", "hosts": []any{"clerkguard.example.com"}}},
	}
	return v
}

func TestHelmDefaultsWithPostgres(t *testing.T) {
	objs, out := renderObjects(t, baseValues())
	if got, want := kinds(objs), "Deployment,PodDisruptionBudget,Secret,Service,ServiceAccount"; got != want {
		t.Fatalf("kinds %s, want %s", got, want)
	}
	checkSet(t, objs, setWant{replicas: 2, secretName: "review-clerkguard", servicePort: 80, postgres: true})
	sec := find[*corev1.Secret](objs)
	for _, k := range []string{"app-id", "webhook-secret", "private-key.pem", "database-url"} {
		if len(sec.Data[k]) == 0 {
			t.Errorf("chart Secret lacks %s", k)
		}
	}
	if string(sec.Data["private-key.pem"]) != fakeKey {
		t.Errorf("private key not carried verbatim")
	}
	dep := find[*appsv1.Deployment](objs)
	if dep.Spec.Template.Annotations["checksum/secret"] == "" {
		t.Error("pods must roll when the chart's Secret changes (checksum/secret)")
	}
	if dep.Spec.Template.Spec.ServiceAccountName != "review-clerkguard" {
		t.Errorf("serviceAccountName %q", dep.Spec.Template.Spec.ServiceAccountName)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "ghcr.io/clerkguard/clerkguard:latest" {
		t.Errorf("image %q", img)
	}
	notes := out["clerkguard/templates/NOTES.txt"]
	if !strings.Contains(notes, "/webhook") || strings.Contains(notes, "WARNING") {
		t.Errorf("NOTES.txt:\n%s", notes)
	}
}

func TestHelmExistingSecretsAndIngress(t *testing.T) {
	vals := withIngress(map[string]any{
		"github":       map[string]any{"existingSecret": "gh-app"},
		"database":     map[string]any{"existingSecret": "pg", "existingSecretKey": "dsn"},
		"replicaCount": 3,
		"extraEnv":     map[string]any{"CLERKGUARD_WORKERS": 8, "CLERKGUARD_LOG_LEVEL": "debug"},
		"image":        map[string]any{"tag": "v1.2.3"},
	})
	objs, _ := renderObjects(t, vals)
	if got, want := kinds(objs), "Deployment,Ingress,PodDisruptionBudget,Service,ServiceAccount"; got != want {
		t.Fatalf("with existingSecret the chart creates no Secret: kinds %s, want %s", got, want)
	}
	checkSet(t, objs, setWant{replicas: 3, secretName: "gh-app", servicePort: 80, requireIngressWebhook: true, postgres: true})
	dep := find[*appsv1.Deployment](objs)
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != "ghcr.io/clerkguard/clerkguard:v1.2.3" {
		t.Errorf("image %q", c.Image)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if r := env["CLERKGUARD_DATABASE_URL"].ValueFrom.SecretKeyRef; r.Name != "pg" || r.Key != "dsn" {
		t.Errorf("database from %s/%s, want pg/dsn", r.Name, r.Key)
	}
	if env["CLERKGUARD_WORKERS"].Value != "8" || env["CLERKGUARD_LOG_LEVEL"].Value != "debug" {
		t.Errorf("extraEnv not rendered: %+v", c.Env)
	}
	if _, ok := dep.Spec.Template.Annotations["checksum/secret"]; ok {
		t.Error("no checksum annotation for a Secret the chart does not own")
	}
}

func TestHelmSingleReplicaSQLite(t *testing.T) {
	vals := baseValues()
	delete(vals, "database")
	vals["replicaCount"] = 1
	vals["persistence"] = map[string]any{"existingClaim": "clerkguard-data"}
	objs, out := renderObjects(t, vals)
	if got, want := kinds(objs), "Deployment,Secret,Service,ServiceAccount"; got != want {
		t.Fatalf("one replica: no PDB; kinds %s, want %s", got, want)
	}
	checkSet(t, objs, setWant{replicas: 1, secretName: "review-clerkguard", servicePort: 80})
	dep := find[*appsv1.Deployment](objs)
	if dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("SQLite: two pods must never share the file: strategy %s, want Recreate", dep.Spec.Strategy.Type)
	}
	data := false
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if v.Name == "data" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "clerkguard-data" {
			data = true
		}
	}
	if !data {
		t.Error("SQLite data volume not from the existing claim")
	}
	if !strings.Contains(out["clerkguard/templates/NOTES.txt"], "WARNING: no PostgreSQL") {
		t.Error("NOTES.txt must warn when running without PostgreSQL")
	}
}

// TestHelmRefusesBrokenConfigurations: the chart fails at render time with a
// message that says what to set.
func TestHelmRefusesBrokenConfigurations(t *testing.T) {
	noDB := baseValues()
	delete(noDB, "database")
	badDSN := baseValues()
	badDSN["database"] = map[string]any{"url": "mysql://x"}
	noSecret := baseValues()
	noSecret["github"].(map[string]any)["webhookSecret"] = ""
	for name, tc := range map[string]struct {
		vals map[string]any
		want string
	}{
		"defaults":           {map[string]any{}, "github.appId is required"},
		"no webhook secret":  {noSecret, "github.webhookSecret is required"},
		"replicas on sqlite": {noDB, "requires PostgreSQL"},
		"not postgres":       {badDSN, "postgres://"},
	} {
		_, err := render(t, loadChart(t), tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an error containing %q, got %v", name, tc.want, err)
		}
	}
}

func TestHelmChartMetadata(t *testing.T) {
	c := loadChart(t)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Metadata.APIVersion != chart.APIVersionV2 || c.Metadata.Type != "application" {
		t.Errorf("Chart.yaml: apiVersion %s type %s", c.Metadata.APIVersion, c.Metadata.Type)
	}
	var tpls []string
	for _, tp := range c.Templates {
		tpls = append(tpls, tp.Name)
	}
	for _, want := range []string{"deployment.yaml", "service.yaml", "pdb.yaml", "ingress.yaml", "secret.yaml", "serviceaccount.yaml", "pvc.yaml", "_helpers.tpl", "NOTES.txt"} {
		if !strings.Contains(strings.Join(tpls, " "), "templates/"+want) {
			t.Errorf("chart lacks templates/%s", want)
		}
	}
	if got := fmt.Sprint(c.Values["replicaCount"]); got != "2" {
		t.Errorf("values.yaml replicaCount %s, want 2", got)
	}
}

// TestHelmSetupMode: setup.enabled installs a release without App
// credentials; the pod starts in setup mode (one replica: the token and the
// page live in one pod) and setup's credentials go to the Secret the pod
// reads (shown once by the page) or, with persistence, to the claim. Before,
// the chart refused any release without github.appId.
func TestHelmSetupMode(t *testing.T) {
	t.Run("secret", func(t *testing.T) {
		vals := withIngress(map[string]any{
			"setup":    map[string]any{"enabled": true},
			"database": map[string]any{"url": "postgres://clerkguard:pw@db.internal:5432/clerkguard?sslmode=require"},
		})
		objs, out := renderObjects(t, vals)
		if got, want := kinds(objs), "Deployment,Ingress,Secret,Service,ServiceAccount"; got != want {
			t.Fatalf("kinds %s, want %s", got, want)
		}
		checkSet(t, objs, setWant{replicas: 1, secretName: "review-clerkguard-github-app", servicePort: 80,
			requireIngressWebhook: true, postgres: true, setupSecret: true})
		sec := find[*corev1.Secret](objs)
		if sec.Name != "review-clerkguard" || len(sec.Data) != 1 || len(sec.Data["database-url"]) == 0 {
			t.Errorf("the chart's Secret in setup mode holds only database-url: %s %v", sec.Name, keysOf(sec.Data))
		}
		for _, e := range find[*appsv1.Deployment](objs).Spec.Template.Spec.Containers[0].Env {
			if e.Name == "CLERKGUARD_PUBLIC_URL" && e.Value != "https://clerkguard.example.com" {
				t.Errorf("CLERKGUARD_PUBLIC_URL %q, want the ingress host", e.Value)
			}
		}
		notes := out["clerkguard/templates/NOTES.txt"]
		for _, want := range []string{"SETUP MODE", "logs deployment/review-clerkguard", "apply -f review-clerkguard-github-app.yaml", "rollout restart"} {
			if !strings.Contains(notes, want) {
				t.Errorf("NOTES.txt lacks %q:\n%s", want, notes)
			}
		}
	})
	t.Run("persistence", func(t *testing.T) {
		vals := map[string]any{
			"setup":       map[string]any{"enabled": true},
			"publicUrl":   "https://review.example.org",
			"persistence": map[string]any{"enabled": true, "size": "2Gi"},
		}
		objs, _ := renderObjects(t, vals)
		if got, want := kinds(objs), "Deployment,PersistentVolumeClaim,Service,ServiceAccount"; got != want {
			t.Fatalf("kinds %s, want %s", got, want)
		}
		checkSet(t, objs, setWant{replicas: 1, secretName: "review-clerkguard-github-app", servicePort: 80, setupDir: true})
		pvc := find[*corev1.PersistentVolumeClaim](objs)
		if pvc.Name != "review-clerkguard" || pvc.Annotations["helm.sh/resource-policy"] != "keep" {
			t.Errorf("claim %s %v: it holds the App credentials, keep it on uninstall", pvc.Name, pvc.Annotations)
		}
		if dep := find[*appsv1.Deployment](objs); dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
			t.Errorf("one ReadWriteOnce claim: strategy %s, want Recreate", dep.Spec.Strategy.Type)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for name, tc := range map[string]struct {
			vals map[string]any
			want string
		}{
			"setup with an App":    {map[string]any{"setup": map[string]any{"enabled": true}, "github": map[string]any{"appId": "1"}}, "leave github.appId"},
			"public URL not https": {map[string]any{"setup": map[string]any{"enabled": true}, "publicUrl": "clerkguard.example.com"}, "publicUrl must be"},
		} {
			_, err := render(t, loadChart(t), tc.vals)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: want an error containing %q, got %v", name, tc.want, err)
			}
		}
	})
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
