{{/*
Wiring to the chart's dependencies (bundled subcharts under charts/, see Chart.yaml), from the
`connections` values: each names a dependency, the env vars that get its Service host and port,
fixed settings and the keys of its credentials Secret.
*/}}

{{/*
Full name of a bundled subchart, computed as its own fullname helper computes it when Helm
renders it as a subchart of this release (chart name = the dependency's name).
Usage: include "CHARTNAME.dependencyFullname" (dict "context" $ "name" "postgres")
*/}}
{{- define "CHARTNAME.dependencyFullname" -}}
{{- $values := default (dict) (index .context.Values .name) -}}
{{- if $values.fullnameOverride -}}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .name $values.nameOverride -}}
{{- if contains $name .context.Release.Name -}}
{{- .context.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .context.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Secret with a dependency's credentials: <dependency>.auth.existingSecret when set, else the
<fullname>-credentials Secret the subchart creates.
Usage: include "CHARTNAME.dependencySecret" (dict "context" $ "name" "postgres")
*/}}
{{- define "CHARTNAME.dependencySecret" -}}
{{- $values := default (dict) (index .context.Values .name) -}}
{{- $auth := default (dict) $values.auth -}}
{{- if $auth.existingSecret -}}
{{- $auth.existingSecret -}}
{{- else -}}
{{- printf "%s-credentials" (include "CHARTNAME.dependencyFullname" .) | trunc 253 -}}
{{- end -}}
{{- end -}}

{{/* Environment variables (a YAML list) connecting the app to every enabled dependency. */}}
{{- define "CHARTNAME.dependencyEnv" -}}
{{- $env := list -}}
{{- range .Values.connections -}}
{{- $dependency := default (dict) (index $.Values .dependency) -}}
{{- if $dependency.enabled -}}
{{- $ref := dict "context" $ "name" .dependency -}}
{{- if .hostEnv -}}
{{- $env = append $env (dict "name" .hostEnv "value" (include "CHARTNAME.dependencyFullname" $ref)) -}}
{{- end -}}
{{- if .portEnv -}}
{{- $env = append $env (dict "name" .portEnv "value" (toString .servicePort)) -}}
{{- end -}}
{{- $env = concat $env (default (list) .env) -}}
{{- $secret := include "CHARTNAME.dependencySecret" $ref -}}
{{- range .secretEnv -}}
{{- $env = append $env (dict "name" .name "valueFrom" (dict "secretKeyRef" (dict "name" $secret "key" .key))) -}}
{{- end -}}
{{- $env = concat $env (default (list) .appEnv) -}}
{{- end -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* NetworkPolicy egress rules (a YAML list) to the pods of every enabled dependency. */}}
{{- define "CHARTNAME.dependencyEgress" -}}
{{- $rules := list -}}
{{- range .Values.connections -}}
{{- $dependency := default (dict) (index $.Values .dependency) -}}
{{- if $dependency.enabled -}}
{{- $labels := dict "app.kubernetes.io/name" (default .dependency $dependency.nameOverride) "app.kubernetes.io/instance" $.Release.Name -}}
{{- $port := dict "port" (int .containerPort) "protocol" "TCP" -}}
{{- $rules = append $rules (dict "to" (list (dict "podSelector" (dict "matchLabels" $labels))) "ports" (list $port)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{/* "true" when an enabled bundled dependency is wired to the app (the migration hook then waits for it). */}}
{{- define "CHARTNAME.bundlesDependencies" -}}
{{- range .Values.connections -}}
{{- if (default (dict) (index $.Values .dependency)).enabled -}}true{{- end -}}
{{- end -}}
{{- end -}}
