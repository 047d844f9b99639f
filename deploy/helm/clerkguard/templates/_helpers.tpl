{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "clerkguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "clerkguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "clerkguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clerkguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clerkguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "clerkguard.labels" -}}
helm.sh/chart: {{ include "clerkguard.chart" . }}
{{ include "clerkguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "clerkguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "clerkguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" in setup mode: the release starts without App credentials. */}}
{{- define "clerkguard.setup" -}}
{{- if .Values.setup.enabled }}true{{ end }}
{{- end }}

{{/*
The Secret holding app-id, webhook-secret and private-key.pem:
github.existingSecret, else in setup mode the Secret the setup page prints
(RELEASE-clerkguard-github-app), else the chart's own.
*/}}
{{- define "clerkguard.secretName" -}}
{{- if .Values.github.existingSecret }}
{{- .Values.github.existingSecret }}
{{- else if .Values.setup.enabled }}
{{- printf "%s-github-app" (include "clerkguard.fullname" .) }}
{{- else }}
{{- include "clerkguard.fullname" . }}
{{- end }}
{{- end }}

{{/* "true" when the chart's Secret carries the App credentials. */}}
{{- define "clerkguard.ownsAppSecret" -}}
{{- if not (or .Values.github.existingSecret .Values.setup.enabled) }}true{{ end }}
{{- end }}

{{/* "true" when the chart renders its own Secret (App credentials and/or database.url). */}}
{{- define "clerkguard.ownsSecret" -}}
{{- if or (include "clerkguard.ownsAppSecret" .) (and .Values.database.url (not .Values.database.existingSecret)) }}true{{ end }}
{{- end }}

{{/*
The Secret holding the PostgreSQL DSN, or "" for the embedded SQLite store
(one replica only).
*/}}
{{- define "clerkguard.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else if .Values.database.url }}
{{- include "clerkguard.fullname" . }}
{{- else if and .Values.github.existingSecret (not .Values.setup.enabled) }}
{{- .Values.github.existingSecret }}
{{- end }}
{{- end }}

{{/* Replicas: one in setup mode (the setup token and page live in one pod). */}}
{{- define "clerkguard.replicas" -}}
{{- if .Values.setup.enabled }}1{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/* "true" when /data is a PersistentVolumeClaim. */}}
{{- define "clerkguard.persistent" -}}
{{- if or .Values.persistence.enabled .Values.persistence.existingClaim }}true{{ end }}
{{- end }}

{{/* The https address GitHub reaches the release at. */}}
{{- define "clerkguard.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "https://%s" .Values.ingress.host }}
{{- end }}
{{- end }}

{{/* Fail early on configurations that cannot work. */}}
{{- define "clerkguard.validate" -}}
{{- if include "clerkguard.ownsAppSecret" . }}
{{- $_ := required "github.appId is required (or set github.existingSecret, or setup.enabled=true to register the App with the setup page)" .Values.github.appId }}
{{- $_ := required "github.webhookSecret is required: the App refuses unsigned webhooks (or set github.existingSecret, or setup.enabled=true)" .Values.github.webhookSecret }}
{{- $_ := required "github.privateKey is required (or set github.existingSecret, or setup.enabled=true)" .Values.github.privateKey }}
{{- end }}
{{- if and .Values.setup.enabled (or .Values.github.appId .Values.github.privateKey) }}
{{- fail "setup.enabled registers a new App: leave github.appId and github.privateKey empty (or disable setup)" }}
{{- end }}
{{- if and (gt (int (include "clerkguard.replicas" .)) 1) (not (include "clerkguard.databaseSecretName" .)) }}
{{- fail "replicaCount > 1 requires PostgreSQL: set database.url or database.existingSecret (the embedded SQLite store serves one replica only)" }}
{{- end }}
{{- if .Values.database.url }}
{{- if not (or (hasPrefix "postgres://" .Values.database.url) (hasPrefix "postgresql://" .Values.database.url)) }}
{{- fail "database.url must be a postgres:// DSN" }}
{{- end }}
{{- end }}
{{- if .Values.publicUrl }}
{{- if not (hasPrefix "https://" .Values.publicUrl) }}
{{- fail "publicUrl must be an https:// URL" }}
{{- end }}
{{- end }}
{{- end }}
