{{/* Names and labels shared by every template. */}}
{{- define "egov.labels" -}}
app.kubernetes.io/part-of: egov-platform
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* The Secret of generated keys, read back on upgrade so nothing is regenerated. */}}
{{- define "egov.generatedName" -}}{{ .Release.Name }}-generated{{- end }}

{{/* The services with a client at identity (every one but identity). */}}
{{- define "egov.clients" -}}
{{- $out := list }}
{{- range $name, $svc := .Values.services }}{{ if and $svc.enabled (ne $name "identity") }}{{ $out = append $out $name }}{{ end }}{{ end }}
{{- $out | toJson }}
{{- end }}

{{/* The generated secrets: existing values are kept, missing ones are made. */}}
{{- define "egov.generated" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "egov.generatedName" .) }}
{{- $old := dict }}
{{- if $existing }}{{ $old = $existing.data }}{{ end }}
{{- $keep := dict }}
{{- range $name, $svc := .Values.services }}
{{- $k := printf "%s-secret-key" $name }}
{{- $_ := set $keep $k (ternary (index $old $k | default "" | b64dec) (sha256sum (randAlphaNum 64)) (hasKey $old $k)) }}
{{- if ne $name "identity" }}
{{- $c := printf "%s-client-secret" $name }}
{{- $_ := set $keep $c (ternary (index $old $c | default "" | b64dec) (randAlphaNum 48) (hasKey $old $c)) }}
{{- end }}
{{- end }}
{{- $_ := set $keep "operator-client-secret" (ternary (index $old "operator-client-secret" | default "" | b64dec) (randAlphaNum 48) (hasKey $old "operator-client-secret")) }}
{{- $_ := set $keep "admin-password" (ternary (index $old "admin-password" | default "" | b64dec) (randAlphaNum 24) (hasKey $old "admin-password")) }}
{{- if .Values.trial.enabled }}
{{- /* The trial profile's own servers: PostgreSQL's superuser and one role per service, MinIO's
     root user. Kept here with the rest so that every template reads the same values. */}}
{{- range $k := list "postgres-password" "minio-root-password" }}
{{- $_ := set $keep $k (ternary (index $old $k | default "" | b64dec) (randAlphaNum 32) (hasKey $old $k)) }}
{{- end }}
{{- range $name, $svc := .Values.services }}
{{- $k := printf "postgres-%s-password" $name }}
{{- $_ := set $keep $k (ternary (index $old $k | default "" | b64dec) (randAlphaNum 32) (hasKey $old $k)) }}
{{- end }}
{{- end }}
{{- $keep | toJson }}
{{- end }}

{{/* The Secret the services read their keys from: the operator's own, or the generated one. */}}
{{- define "egov.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "egov.generatedName" .) }}
{{- end }}

{{/* An image by name: registry/name:tag, pinned with @digest when image.digests names one. */}}
{{- define "egov.image" -}}
{{- $img := .root.Values.image }}
{{- $ref := printf "%s/%s:%s" $img.registry .name $img.tag }}
{{- with (index ($img.digests | default dict) .name) }}{{ $ref = printf "%s@%s" $ref . }}{{ end }}
{{- $ref }}
{{- end }}

{{/* trustedProxies, required: without it every citizen seems to come from the ingress. */}}
{{- define "egov.trustedProxies" -}}
{{- if not .Values.trustedProxies }}
{{- fail "trustedProxies is required: list the CIDRs of your ingress controller's (or front proxy's) pods, e.g. --set 'trustedProxies={10.244.0.0/16}'. Sign-in lockout and the citizen lookup's limits count per client address, and without it every request seems to come from the ingress." }}
{{- end }}
{{- join "," .Values.trustedProxies }}
{{- end }}

{{/* Every enabled service's readiness URL inside the namespace, comma-separated. */}}
{{- define "egov.readyURLs" -}}
{{- $out := list }}
{{- range $name, $svc := .Values.services }}{{ if $svc.enabled }}{{ $out = append $out (printf "http://%s:8080/readyz" $name) }}{{ end }}{{ end }}
{{- join "," $out }}
{{- end }}

{{/* The trial profile's object names. */}}
{{- define "egov.trial.postgres" -}}{{ .Release.Name }}-postgresql{{- end }}
{{- define "egov.trial.nats" -}}{{ .Release.Name }}-nats{{- end }}
{{- define "egov.trial.minio" -}}{{ .Release.Name }}-minio{{- end }}
{{- define "egov.trial.proxy" -}}{{ .Release.Name }}-proxy{{- end }}

{{/* The hardened container settings every trial server shares. */}}
{{- define "egov.trial.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}
{{- end }}
