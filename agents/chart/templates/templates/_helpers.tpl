{{/*
Helpers shared by every template. The define-name prefix is replaced by the chart name when the
chart is generated, so define names are unique when this chart is used as a subchart.
*/}}

{{/* Chart name, truncated to 63 characters (the DNS-1123 label limit). */}}
{{- define "CHARTNAME.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified app name, truncated to 63 characters. When the release name already
contains the chart name it is used alone, so "helm install web web" gives "web".
*/}}
{{- define "CHARTNAME.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Chart name and version, as used by the helm.sh/chart label. */}}
{{- define "CHARTNAME.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels: name and instance, plus the component when the chart runs several
(componentInSelector), so the app's Service, PDB and HPA never select a worker's pods. They
are immutable on Deployments and StatefulSets, so they never include the chart or app version.
Helper pods (read replicas) pass (dict "context" $ "component" "replica") to get their own name.
*/}}
{{- define "CHARTNAME.selectorLabels" -}}
{{- if hasKey . "component" -}}
app.kubernetes.io/name: {{ include "CHARTNAME.helperName" . }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- else -}}
app.kubernetes.io/name: {{ include "CHARTNAME.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if and .Values.componentInSelector .Values.component }}
app.kubernetes.io/component: {{ .Values.component }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Standard labels for every object: selector labels plus version, chart and owner. */}}
{{- define "CHARTNAME.labels" -}}
helm.sh/chart: {{ include "CHARTNAME.chart" . }}
{{ include "CHARTNAME.selectorLabels" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if and .Values.component (not .Values.componentInSelector) }}
app.kubernetes.io/component: {{ .Values.component }}
{{- end }}
{{- with .Values.partOf }}
app.kubernetes.io/part-of: {{ . }}
{{- end }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Annotations added to every object (commonAnnotations), merged with per-object ones. */}}
{{- define "CHARTNAME.annotations" -}}
{{- $annotations := merge (dict) (default (dict) .extra) (default (dict) .context.Values.commonAnnotations) -}}
{{- if $annotations -}}
annotations:
  {{- toYaml $annotations | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Name of the ServiceAccount the pods run as. */}}
{{- define "CHARTNAME.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "CHARTNAME.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference registry/repository:tag@digest; global.imageRegistry overrides the
registry. Usage: include "CHARTNAME.image" (dict "image" .Values.image "global" .Values.global)
*/}}
{{- define "CHARTNAME.image" -}}
{{- $registry := .image.registry -}}
{{- if and .global .global.imageRegistry -}}
{{- $registry = .global.imageRegistry -}}
{{- end -}}
{{- $ref := .image.repository -}}
{{- if $registry -}}
{{- $ref = printf "%s/%s" $registry .image.repository -}}
{{- end -}}
{{- if .image.tag -}}
{{- $ref = printf "%s:%s" $ref (toString .image.tag) -}}
{{- end -}}
{{- if .image.digest -}}
{{- $ref = printf "%s@%s" $ref .image.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* imagePullSecrets from global.imagePullSecrets and image.pullSecrets. */}}
{{- define "CHARTNAME.imagePullSecrets" -}}
{{- $secrets := concat (default (list) .Values.global.imagePullSecrets) (default (list) .Values.image.pullSecrets) | uniq -}}
{{- if $secrets -}}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Name of the ConfigMap that holds the config files. */}}
{{- define "CHARTNAME.configMapName" -}}
{{- printf "%s-config" (include "CHARTNAME.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the PersistentVolumeClaim used when persistence is on (Deployment, DaemonSet, Job). */}}
{{- define "CHARTNAME.claimName" -}}
{{- default (include "CHARTNAME.fullname" .) .Values.persistence.existingClaim -}}
{{- end -}}

{{/* Volume name of a writable path, e.g. /var/cache/nginx -> writable-var-cache-nginx. */}}
{{- define "CHARTNAME.writableVolumeName" -}}
{{- printf "writable%s" (regexReplaceAll "[^a-z0-9]+" (lower .) "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Whether the chart renders its ConfigMap (any config files or configData given). */}}
{{- define "CHARTNAME.hasConfig" -}}
{{- if or .Values.configFiles .Values.configData }}true{{ end -}}
{{- end -}}

{{/*
Labels for helper pods (migration hook, helm test): their name differs from the app's,
so the app's Service, PodDisruptionBudget and NetworkPolicy never select them.
Usage: include "CHARTNAME.helperLabels" (dict "context" $ "component" "migration")
*/}}
{{- define "CHARTNAME.helperLabels" -}}
helm.sh/chart: {{ include "CHARTNAME.chart" .context }}
app.kubernetes.io/name: {{ include "CHARTNAME.helperName" . }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/component: {{ .component }}
{{- with .context.Values.partOf }}
app.kubernetes.io/part-of: {{ . }}
{{- end }}
{{- end -}}

{{/* app.kubernetes.io/name of a helper pod. Usage: include "CHARTNAME.helperName" (dict "context" $ "component" "test") */}}
{{- define "CHARTNAME.helperName" -}}
{{- printf "%s-%s" (include "CHARTNAME.name" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Name of the Secret the app's credentials are read from: auth.existingSecret, else the one the
chart creates, <fullname>-credentials (umbrella charts find a dependency's Secret by this name).
*/}}
{{- define "CHARTNAME.credentialsSecretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-credentials" (include "CHARTNAME.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
data of the credentials Secret, one base64 value per key of auth.credentials: the value set in
values, else the value of the Secret already in the cluster (so upgrades keep the password),
else a new random one. The looked-up Secret is an argument, not a lookup in here, so a test can
pass a stand-in: helm template and lint get nothing from lookup.
Usage: include "CHARTNAME.credentialsData" (dict "context" $ "existing" (lookup "v1" "Secret" ns name))
*/}}
{{- define "CHARTNAME.credentialsData" -}}
{{- $existing := dict -}}
{{- if and .existing .existing.data -}}
{{- $existing = .existing.data -}}
{{- end -}}
{{- range $key, $value := .context.Values.auth.credentials }}
{{- if not (eq (toString $value) "") }}
{{ $key }}: {{ toString $value | b64enc | quote }}
{{- else if hasKey $existing $key }}
{{ $key }}: {{ index $existing $key | quote }}
{{- else }}
{{ $key }}: {{ randAlphaNum 24 | b64enc | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Whether the exporter sidecar runs: the chart has one and metrics are on. */}}
{{- define "CHARTNAME.exporterEnabled" -}}
{{- $metrics := default (dict) .Values.metrics -}}
{{- if and $metrics.enabled $metrics.exporter }}true{{ end -}}
{{- end -}}
