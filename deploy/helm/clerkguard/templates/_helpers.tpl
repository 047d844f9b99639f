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

{{/* The Secret holding app-id, webhook-secret and private-key.pem. */}}
{{- define "clerkguard.secretName" -}}
{{- default (include "clerkguard.fullname" .) .Values.github.existingSecret }}
{{- end }}

{{/*
The Secret holding the PostgreSQL DSN, or "" for the embedded SQLite store
(one replica only).
*/}}
{{- define "clerkguard.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else if .Values.database.url }}
{{- include "clerkguard.secretName" . }}
{{- else if .Values.github.existingSecret }}
{{- .Values.github.existingSecret }}
{{- end }}
{{- end }}

{{/* Fail early on configurations that cannot work. */}}
{{- define "clerkguard.validate" -}}
{{- if not .Values.github.existingSecret }}
{{- $_ := required "github.appId is required (or set github.existingSecret)" .Values.github.appId }}
{{- $_ := required "github.webhookSecret is required: the App refuses unsigned webhooks (or set github.existingSecret)" .Values.github.webhookSecret }}
{{- $_ := required "github.privateKey is required (or set github.existingSecret)" .Values.github.privateKey }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (not (include "clerkguard.databaseSecretName" .)) }}
{{- fail "replicaCount > 1 requires PostgreSQL: set database.url or database.existingSecret (the embedded SQLite store serves one replica only)" }}
{{- end }}
{{- if .Values.database.url }}
{{- if not (or (hasPrefix "postgres://" .Values.database.url) (hasPrefix "postgresql://" .Values.database.url)) }}
{{- fail "database.url must be a postgres:// DSN" }}
{{- end }}
{{- end }}
{{- end }}
