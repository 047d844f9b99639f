package setup

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// pageData feeds the one page template; Kind is "owner" (which account owns
// the App), "setup", "done" or "error".
type pageData struct {
	Kind    string
	Title   string
	Message string

	// setup
	Action, Manifest, Org, GitHubHost string
	WebhookURL, CallbackURL, AppName  string
	Permissions, Events               []string
	// Storage is where the credentials go (a directory or a Secret).
	Storage     string
	Unreachable bool

	// done
	Creds      *Credentials
	InstallURL string
	// SecretName and SecretYAML: with CLERKGUARD_CREDENTIALS_SECRET, the
	// Secret to apply, shown on this page once.
	SecretName, SecretYAML string
}

// doneData is the page answering the callback that registered the App, in
// the browser that presented the setup token. Later visits get nothing.
// With a Secret name, the page carries the Secret manifest: the only place
// the credentials are shown.
func doneData(c *Credentials, secretName string) pageData {
	install := ""
	if c.HTMLURL != "" {
		install = strings.TrimSuffix(c.HTMLURL, "/") + "/installations/new"
	}
	d := pageData{Kind: "done", Title: "clerkguard is registered", Creds: c, InstallURL: install, SecretName: secretName}
	if secretName != "" {
		d.SecretYAML = SecretManifest(secretName, c)
	}
	return d
}

// render writes a page with headers that keep it self-contained: no
// scripts, no external resources, forms only to itself and GitHub, no
// framing, and no Referer (the callback's address holds the code).
func (s *Setup) render(w http.ResponseWriter, status int, d pageData) {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, d); err != nil {
		s.log.Error("render setup page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	formTo := "'self'"
	if u, err := url.Parse(s.webURL); err == nil {
		formTo += " " + u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action "+formTo+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · clerkguard</title>
<style>
  :root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#1f883d; --accent-dark:#1a7f37; --warn-bg:#fff8c5; --warn-line:#d4a72c; --err:#cf222e; }
  * { box-sizing: border-box; }
  body { margin:0; font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color:var(--fg); background:var(--bg); }
  header { background:#24292f; color:#fff; padding:14px 0; }
  header .in, main { max-width: 760px; margin: 0 auto; padding: 0 24px; }
  header b { font-size: 17px; letter-spacing: .2px; }
  header span { color:#9198a1; margin-left:10px; font-size: 13px; }
  main { padding-top: 28px; padding-bottom: 40px; }
  h1 { font-size: 26px; margin: 0 0 8px; font-weight: 600; }
  h2 { font-size: 16px; margin: 0 0 12px; font-weight: 600; }
  p { margin: 0 0 12px; }
  .lead { color: var(--muted); font-size: 16px; margin-bottom: 22px; }
  .card { background:#fff; border:1px solid var(--line); border-radius: 8px; padding: 20px 22px; margin: 0 0 18px; }
  table { border-collapse: collapse; width: 100%; }
  th { text-align:left; font-weight:600; color: var(--muted); width: 150px; vertical-align: top; padding: 6px 12px 6px 0; white-space: nowrap; }
  td { padding: 6px 0; vertical-align: top; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); border:1px solid var(--line); border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
  a { color: #0969da; }
  ul.tags { list-style:none; margin:0; padding:0; display:flex; flex-wrap:wrap; gap:6px; }
  ul.tags li { background:#ddf4ff; color:#0550ae; border-radius: 999px; padding: 1px 10px; font-size: 13px; }
  .btn { display:inline-block; border:1px solid rgba(31,35,40,.15); border-radius: 6px; background: var(--accent); color:#fff; font-family: inherit; font-size: 15px; font-weight: 600; line-height: 1; padding: 12px 20px; cursor:pointer; text-decoration:none; }
  .btn:hover { background: var(--accent-dark); }
  .btn.secondary { background:#f6f8fa; color: var(--fg); font-weight: 500; line-height: 1.2; padding: 7px 12px; font-size: 14px; }
  .row { display:flex; gap: 8px; align-items:center; flex-wrap: wrap; }
  input[type=text] { font: inherit; padding: 6px 10px; border:1px solid var(--line); border-radius: 6px; min-width: 220px; }
  .muted { color: var(--muted); font-size: 14px; }
  .warn { background: var(--warn-bg); border:1px solid var(--warn-line); border-radius: 8px; padding: 12px 16px; margin: 0 0 18px; font-size: 14px; }
  .error h1 { color: var(--err); }
  .ok { color: var(--accent); }
  ol { margin: 0; padding-left: 22px; } ol li { margin-bottom: 10px; }
</style>
</head>
<body>
<header><div class="in"><b>clerkguard</b><span>Clerk security review for pull requests</span></div></header>
<main{{if eq .Kind "error"}} class="error"{{end}}>
{{- if eq .Kind "owner"}}
<h1>{{.Title}}</h1>
<p class="lead">clerkguard is running but has no GitHub App yet. First choose who owns the App on <b>{{.GitHubHost}}</b>: to review an organisation's repositories, the organisation must own it (GitHub does not let an App created under a personal account be installed on an organisation).</p>
{{- if .Unreachable}}
<div class="warn"><b>GitHub cannot reach this address.</b> Open this page through the public address of the server, or set <code>CLERKGUARD_PUBLIC_URL</code>, so that GitHub can deliver pull request events.</div>
{{- end}}
<div class="card">
<h2>Organisation</h2>
<form method="get" action="/setup" class="row">
<input type="text" id="org" name="org" required pattern="[A-Za-z0-9](?:[A-Za-z0-9\-]{0,37}[A-Za-z0-9])?" placeholder="organisation login" aria-label="organisation login">
<button class="btn" id="use-org" type="submit">Continue</button>
</form>
<p class="muted" style="margin-top:12px">You need to be an owner of the organisation (or an App manager) to create the App there.</p>
</div>
<p class="muted">Only your own repositories to review? <a id="personal" href="/setup?account=personal">Create the App under your personal account</a> instead; it can then be installed only on that account.</p>
{{- else if eq .Kind "setup"}}
<h1>{{.Title}}</h1>
<p class="lead">clerkguard is running but has no GitHub App yet. One click sends its manifest to <b>{{.GitHubHost}}</b>, which shows you the App before creating it. You can rename it there.</p>
{{- if .Unreachable}}
<div class="warn"><b>GitHub cannot reach this address.</b> The webhook URL below points at this machine only. Open this page through the public address of the server, or set <code>CLERKGUARD_PUBLIC_URL</code>, so that GitHub can deliver pull request events.</div>
{{- end}}
<div class="card">
<h2>What will be created</h2>
<table>
<tr><th>App</th><td>a private GitHub App named <b>{{.AppName}}</b></td></tr>
<tr><th>Owner</th><td>{{if .Org}}the organisation <b>{{.Org}}</b>{{else}}your personal account (it can be installed only there){{end}}</td></tr>
<tr><th>Permissions</th><td><ul class="tags">{{range .Permissions}}<li>{{.}}</li>{{end}}</ul></td></tr>
<tr><th>Events</th><td><ul class="tags">{{range .Events}}<li>{{.}}</li>{{end}}</ul></td></tr>
<tr><th>Webhook URL</th><td><code>{{.WebhookURL}}</code></td></tr>
<tr><th>Return URL</th><td><code>{{.CallbackURL}}</code></td></tr>
</table>
<p class="muted" style="margin-top:12px">clerkguard reads pull requests and code through the API and never runs them. It writes only the <b>Clerk security review</b> check run and review comments.</p>
</div>
<form method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button class="btn" id="create" type="submit">Create GitHub App{{if .Org}} for {{.Org}}{{end}} on {{.GitHubHost}}</button>
</form>
<p class="muted" style="margin-top:12px">GitHub then returns here. clerkguard keeps the App ID, private key and webhook secret in <code>{{.Storage}}</code>{{if not .SecretName}} (mode 0600){{end}} and starts reviewing at once, without a restart.</p>
<p class="muted"><a href="/setup">Choose another owner</a></p>
{{- else if eq .Kind "done"}}
<h1><span class="ok">&#10003;</span> {{.Title}}</h1>
<p class="lead">GitHub created the App, its credentials are stored, and this server now serves it: webhooks are accepted at <code>/webhook</code>.</p>
<div class="card">
<table>
<tr><th>App</th><td>{{if .Creds.HTMLURL}}<a href="{{.Creds.HTMLURL}}">{{.Creds.Slug}}</a>{{else}}{{.Creds.Slug}}{{end}} (ID {{.Creds.AppID}})</td></tr>
{{- if .Creds.Owner}}<tr><th>Owner</th><td>{{.Creds.Owner}}</td></tr>{{end}}
{{- if .SecretName}}
<tr><th>Credentials</th><td>in memory only: store them now as the Kubernetes Secret below</td></tr>
{{- else}}
<tr><th>Credentials</th><td><code>{{.Storage}}</code>: clerkguard-app.json, clerkguard-app.pem (mode 0600)</td></tr>
{{- end}}
</table>
</div>
{{- template "secret" .}}
<div class="card">
<h2>Next steps</h2>
<ol>
<li><b>Install the App</b> on the repositories or the organisation to review{{if .InstallURL}}: <a href="{{.InstallURL}}">install {{.Creds.Slug}}</a>{{end}}.</li>
<li><b>Require the check</b> <code>Clerk security review</code> in a branch ruleset or branch protection of the default branch, so that a pull request with findings at or above <code>fail_on</code> cannot merge.</li>
{{- if .SecretName}}
<li><b>Store the Secret</b> above (<code>kubectl apply -f</code> it in clerkguard's namespace), then restart clerkguard (<code>kubectl rollout restart deployment/…</code>) so that it reads the Secret.</li>
{{- else}}
<li><b>Keep the credentials safe.</b> Back up the two files, or move them to your secret store and set <code>CLERKGUARD_APP_ID</code>, <code>CLERKGUARD_PRIVATE_KEY_FILE</code> and <code>CLERKGUARD_WEBHOOK_SECRET</code> instead.</li>
{{- end}}
</ol>
</div>
{{- else}}
<h1>{{.Title}}</h1>
<div class="card"><p>{{.Message}}</p></div>
{{- template "secret" .}}
<p><a class="btn secondary" href="/setup">Back to the setup page</a></p>
{{- end}}
</main>
</body>
</html>
{{- define "secret"}}
{{- if .SecretYAML}}
<div class="card">
<h2>Kubernetes Secret {{.SecretName}}: shown only this once</h2>
<p>It holds the App's private key and secrets; clerkguard does not store or log them. Save it to a file and apply it (<code>kubectl apply -n NAMESPACE -f {{.SecretName}}.yaml</code>), or paste it into <code>kubectl apply -n NAMESPACE -f -</code>, then delete the file.</p>
<pre id="secret-manifest" style="overflow-x:auto;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px">{{.SecretYAML}}</pre>
</div>
{{- end}}
{{- end}}
`))
