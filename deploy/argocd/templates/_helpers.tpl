{{/*
The repository and revision every Application syncs from: handed down by the root Application
(root-application.yaml), the one file that names them.
*/}}
{{- define "gitops.repoURL" -}}
{{- $url := required "repoURL is empty: the root Application (deploy/argocd/root-application.yaml) passes it as $ARGOCD_APP_SOURCE_REPO_URL" .Values.repoURL -}}
{{- if hasPrefix "$" $url -}}
{{- fail (printf "repoURL is %s: only Argo CD substitutes its build variables; set repoURL when rendering by hand" $url) -}}
{{- end -}}
{{- $url -}}
{{- end }}

{{- define "gitops.targetRevision" -}}
{{- $revision := required "targetRevision is empty: the root Application (deploy/argocd/root-application.yaml) passes it as $ARGOCD_APP_SOURCE_TARGET_REVISION" .Values.targetRevision -}}
{{- if hasPrefix "$" $revision -}}
{{- fail (printf "targetRevision is %s: only Argo CD substitutes its build variables; set targetRevision when rendering by hand" $revision) -}}
{{- end -}}
{{- $revision -}}
{{- end }}

{{/* Labels of every object. */}}
{{- define "gitops.labels" -}}
app.kubernetes.io/part-of: finance-tracker
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* Automated sync that deletes what Git no longer has and undoes changes made by hand. */}}
{{- define "gitops.automatedSync" -}}
automated:
  prune: true
  selfHeal: true
retry:
  limit: {{ .Values.retry.limit }}
  backoff:
    duration: {{ .Values.retry.backoff.duration }}
    factor: {{ .Values.retry.backoff.factor }}
    maxDuration: {{ .Values.retry.backoff.maxDuration }}
{{- end }}

{{/* The chart's full name for the app's release (its finance-tracker.fullname rule). */}}
{{- define "gitops.appFullname" -}}
{{- $release := .Values.app.releaseName -}}
{{- if contains "finance-tracker" $release -}}
{{- $release -}}
{{- else -}}
{{- printf "%s-finance-tracker" $release | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end }}
