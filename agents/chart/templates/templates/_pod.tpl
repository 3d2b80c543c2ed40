{{/*
The pod template shared by the workload and the migration hook, so every pod the chart
creates gets the same restricted security context, volumes and scheduling rules.
Usage: include "CHARTNAME.podTemplate" (dict "context" $ "hook" false "statefulset" false "restartPolicy" "")
  hook:        a pre-install/pre-upgrade Job runs before the release's ServiceAccount and
               ConfigMap exist, so it uses the namespace's default account (without a token)
               and no config or data volumes.
  statefulset: the data volume comes from volumeClaimTemplates, not a PVC.
*/}}
{{- define "CHARTNAME.podTemplate" -}}
{{- $ctx := .context -}}
{{- $values := $ctx.Values -}}
{{- $hook := .hook -}}
{{- $annotations := dict -}}
{{- if and (include "CHARTNAME.hasConfig" $ctx) (not $hook) -}}
{{- $_ := set $annotations "checksum/config" (include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum) -}}
{{- end -}}
{{- $annotations = merge $annotations (default (dict) $values.podAnnotations) -}}
{{- $mounts := list -}}
{{- $volumes := list -}}
{{- /* a writable path the claim is mounted at is the claim, never an emptyDir too (mount paths are unique) */ -}}
{{- $claimed := "" -}}
{{- if and $values.persistence.enabled (not $hook) -}}{{- $claimed = $values.persistence.mountPath -}}{{- end -}}
{{- range $values.writablePaths -}}
{{- if ne . $claimed -}}
{{- $name := include "CHARTNAME.writableVolumeName" . -}}
{{- $mounts = append $mounts (dict "name" $name "mountPath" .) -}}
{{- $volumes = append $volumes (dict "name" $name "emptyDir" (dict)) -}}
{{- end -}}
{{- end -}}
{{- if and (include "CHARTNAME.hasConfig" $ctx) (not $hook) -}}
{{- range $values.configFiles -}}
{{- $mounts = append $mounts (dict "name" "config" "mountPath" .mountPath "subPath" .name "readOnly" true) -}}
{{- end -}}
{{- $volumes = append $volumes (dict "name" "config" "configMap" (dict "name" (include "CHARTNAME.configMapName" $ctx))) -}}
{{- end -}}
{{- if and $values.persistence.enabled (not $hook) -}}
{{- $mount := dict "name" "data" "mountPath" $values.persistence.mountPath -}}
{{- with $values.persistence.subPath }}{{ $_ := set $mount "subPath" . }}{{ end -}}
{{- $mounts = append $mounts $mount -}}
{{- if or (not .statefulset) $values.persistence.existingClaim -}}
{{- $volumes = append $volumes (dict "name" "data" "persistentVolumeClaim" (dict "claimName" (include "CHARTNAME.claimName" $ctx))) -}}
{{- end -}}
{{- end -}}
{{- range $values.secretMounts -}}
{{- $name := printf "secret-%s" .existingSecret | trunc 63 | trimSuffix "-" -}}
{{- $mounts = append $mounts (dict "name" $name "mountPath" .mountPath "readOnly" true) -}}
{{- $volumes = append $volumes (dict "name" $name "secret" (dict "secretName" .existingSecret)) -}}
{{- end -}}
{{- if not $hook -}}
{{- $mounts = concat $mounts (default (list) $values.extraVolumeMounts) -}}
{{- $volumes = concat $volumes (default (list) $values.extraVolumes) -}}
{{- end -}}
metadata:
  labels:
    {{- if $hook }}
    {{- include "CHARTNAME.helperLabels" (dict "context" $ctx "component" "migration") | nindent 4 }}
    {{- else }}
    {{- include "CHARTNAME.labels" $ctx | nindent 4 }}
    {{- end }}
    {{- with $values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with (include "CHARTNAME.imagePullSecrets" $ctx) }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- if $hook }}
  automountServiceAccountToken: false
  {{- else }}
  serviceAccountName: {{ include "CHARTNAME.serviceAccountName" $ctx }}
  automountServiceAccountToken: {{ $values.automountServiceAccountToken }}
  {{- end }}
  {{- with $values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with $values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if not (kindIs "invalid" $values.terminationGracePeriodSeconds) }}
  terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
  {{- end }}
  {{- with .restartPolicy }}
  restartPolicy: {{ . }}
  {{- end }}
  {{- with $values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if not $hook }}
  {{- if $values.affinity }}
  affinity:
    {{- toYaml $values.affinity | nindent 4 }}
  {{- else if eq $values.podAntiAffinityPreset "soft" }}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "CHARTNAME.selectorLabels" $ctx | nindent 16 }}
  {{- else if eq $values.podAntiAffinityPreset "hard" }}
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "CHARTNAME.selectorLabels" $ctx | nindent 14 }}
  {{- end }}
  {{- if $values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml $values.topologySpreadConstraints | nindent 4 }}
  {{- else if $values.topologySpread.enabled }}
  topologySpreadConstraints:
    - maxSkew: {{ $values.topologySpread.maxSkew }}
      topologyKey: {{ $values.topologySpread.topologyKey }}
      whenUnsatisfiable: {{ $values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "CHARTNAME.selectorLabels" $ctx | nindent 10 }}
  {{- end }}
  {{- end }}
  {{- if and $values.initContainers (not $hook) }}
  initContainers:
    {{- toYaml $values.initContainers | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ if $hook }}migrate{{ else }}{{ $ctx.Chart.Name }}{{ end }}
      image: {{ include "CHARTNAME.image" (dict "image" $values.image "global" $values.global) | quote }}
      imagePullPolicy: {{ $values.image.pullPolicy }}
      {{- $command := $values.command -}}
      {{- $args := $values.args -}}
      {{- if $hook }}
      {{- $command = $values.migration.command -}}
      {{- $args = $values.migration.args -}}
      {{- end }}
      {{- with $command }}
      command:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.containerSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if and $values.ports (not $hook) }}
      ports:
        {{- range $values.ports }}
        - name: {{ .name }}
          containerPort: {{ .containerPort }}
          protocol: {{ .protocol | default "TCP" }}
        {{- end }}
      {{- end }}
      {{- $env := default (list) $values.env }}
      {{- range $values.secretEnv }}
      {{- $env = append $env (dict "name" .name "valueFrom" (dict "secretKeyRef" (dict "name" .existingSecret "key" .key))) }}
      {{- end }}
      {{- range $values.configMapEnv }}
      {{- $env = append $env (dict "name" .name "valueFrom" (dict "configMapKeyRef" (dict "name" .existingConfigMap "key" .key))) }}
      {{- end }}
      {{- $env = concat $env (default (list) $values.extraEnvVars) }}
      {{- with $env }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if or $values.envFrom $values.envFromSecrets $values.extraEnvVarsCM $values.extraEnvVarsSecret }}
      envFrom:
        {{- range $values.envFromSecrets }}
        - secretRef:
            name: {{ .existingSecret }}
        {{- end }}
        {{- with $values.envFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $values.extraEnvVarsCM }}
        - configMapRef:
            name: {{ . }}
        {{- end }}
        {{- with $values.extraEnvVarsSecret }}
        - secretRef:
            name: {{ . }}
        {{- end }}
      {{- end }}
      {{- if and $hook $values.migration.resources }}
      resources:
        {{- toYaml $values.migration.resources | nindent 8 }}
      {{- else if $values.resources }}
      resources:
        {{- toYaml $values.resources | nindent 8 }}
      {{- end }}
      {{- if not $hook }}
      {{- if and $values.startupProbe $values.startupProbe.enabled }}
      startupProbe:
        {{- omit $values.startupProbe "enabled" | toYaml | nindent 8 }}
      {{- end }}
      {{- if and $values.livenessProbe $values.livenessProbe.enabled }}
      livenessProbe:
        {{- omit $values.livenessProbe "enabled" | toYaml | nindent 8 }}
      {{- end }}
      {{- if and $values.readinessProbe $values.readinessProbe.enabled }}
      readinessProbe:
        {{- omit $values.readinessProbe "enabled" | toYaml | nindent 8 }}
      {{- end }}
      {{- with $values.lifecycleHooks }}
      lifecycle:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- with $mounts }}
      volumeMounts:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if and $values.sidecars (not $hook) }}
    {{- toYaml $values.sidecars | nindent 4 }}
    {{- end }}
  {{- with $volumes }}
  volumes:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
