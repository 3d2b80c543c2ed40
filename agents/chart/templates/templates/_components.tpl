{{/*
Components: further workloads on the app's image (e.g. a Celery or Sidekiq worker), each with
its values under its own key (worker.replicaCount, worker.command, …).
*/}}

{{/*
Fills .out with a render context for component .key: the chart's values with the component's
own settings laid over them, its name as the app.kubernetes.io/component label (part of its
selector) and no data volume (the app's claim stays the app's). The shared pod template then
renders the component's pods like the app's.
Usage: $ctx := dict; include "CHARTNAME.componentContext" (dict "context" $ "key" "worker" "name" "worker" "out" $ctx)
*/}}
{{- define "CHARTNAME.componentContext" -}}
{{- $root := .context -}}
{{- $component := index $root.Values .key -}}
{{- $values := deepCopy $root.Values -}}
{{- range $field := list "command" "args" "ports" "resources" "livenessProbe" "readinessProbe" "startupProbe" "terminationGracePeriodSeconds" -}}
{{- $_ := set $values $field (index $component $field) -}}
{{- end -}}
{{- $_ := set $values "extraEnvVars" (concat (default (list) $root.Values.extraEnvVars) (default (list) $component.extraEnvVars)) -}}
{{- $_ := set $values "component" .name -}}
{{- $_ := set $values "componentInSelector" true -}}
{{- $_ := set $values.persistence "enabled" false -}}
{{- $_ := set .out "Values" $values -}}
{{- $_ := set .out "Chart" $root.Chart -}}
{{- $_ := set .out "Release" $root.Release -}}
{{- $_ := set .out "Capabilities" $root.Capabilities -}}
{{- $_ := set .out "Template" $root.Template -}}
{{- $_ := set .out "Files" $root.Files -}}
{{- end -}}

{{/* Name of a component's objects: <fullname>-<component>. Usage: include "CHARTNAME.componentFullname" (dict "context" $ "name" "worker") */}}
{{- define "CHARTNAME.componentFullname" -}}
{{- printf "%s-%s" (include "CHARTNAME.fullname" .context) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
