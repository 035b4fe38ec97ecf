{{/*
Names. The chart is namespace-agnostic: no template writes metadata.namespace, and every
in-cluster address is a short Service name, resolved in the namespace the release lands in.
*/}}
{{- define "finance-tracker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "finance-tracker.fullname" -}}
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

{{- define "finance-tracker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects: <fullname>-<component>, cut to 63 characters. */}}
{{- define "finance-tracker.componentName" -}}
{{- printf "%s-%s" (include "finance-tracker.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "finance-tracker.labels" -}}
helm.sh/chart: {{ include "finance-tracker.chart" . }}
app.kubernetes.io/name: {{ include "finance-tracker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: finance-tracker
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of one component's objects: dict "root" $ "component" "web". */}}
{{- define "finance-tracker.componentLabels" -}}
{{ include "finance-tracker.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one component: never change them, Deployments' selectors are immutable. */}}
{{- define "finance-tracker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "finance-tracker.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every pod of the release (NetworkPolicy default deny). */}}
{{- define "finance-tracker.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "finance-tracker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "finance-tracker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "finance-tracker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference: repository:tag, or repository@digest when a digest is given. */}}
{{- define "finance-tracker.imageRef" -}}
{{- if .image.digest -}}
{{ .image.repository }}@{{ .image.digest }}
{{- else -}}
{{ .image.repository }}:{{ .image.tag | default .default }}
{{- end -}}
{{- end }}

{{- define "finance-tracker.image" -}}
{{ include "finance-tracker.imageRef" (dict "image" .Values.image "default" .Chart.AppVersion) }}
{{- end }}

{{- define "finance-tracker.secretName" -}}
{{- default (include "finance-tracker.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{- define "finance-tracker.postgresqlHost" -}}
{{ include "finance-tracker.componentName" (dict "root" . "component" "postgresql") }}
{{- end }}

{{/*
Which Redis the app gets: "bundled" (redis.enabled), "external" (externalRedis.url, or key
redis-url of secret.existingSecret), or "" (none: no worker, so the web pods run the jobs
themselves; finance-tracker.validate refuses a Redis without a worker).
*/}}
{{- define "finance-tracker.redis" -}}
{{- if .Values.redis.enabled -}}
bundled
{{- else if .Values.worker.enabled -}}
external
{{- end -}}
{{- end }}

{{- define "finance-tracker.webServiceName" -}}
{{ include "finance-tracker.componentName" (dict "root" . "component" "web") }}
{{- end }}

{{/* Pod-level security context of every pod: Pod Security "restricted". */}}
{{- define "finance-tracker.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}

{{/* Container-level security context of every container: Pod Security "restricted". */}}
{{- define "finance-tracker.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext }}
{{- end }}

{{/*
Environment of every app container (web, worker, migrations, CronJob): the ConfigMap, then the
secrets. DATABASE_URL with the bundled PostgreSQL is composed from the password by Kubernetes'
$(VAR) expansion, so an existing Secret needs only the password, not a URL.
*/}}
{{- define "finance-tracker.appEnv" -}}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "finance-tracker.secretName" . }}
      key: secret-key
{{ include "finance-tracker.databaseEnv" . }}
{{- if eq (include "finance-tracker.redis" .) "external" }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "finance-tracker.secretName" . }}
      key: redis-url
{{- end }}
{{- if and .Values.mail.host .Values.mail.username }}
- name: SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "finance-tracker.secretName" . }}
      key: smtp-password
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL as the app gets it (and the backup CronJob: the same connection): composed from the
bundled PostgreSQL's password, or key database-url of the Secret.
*/}}
{{- define "finance-tracker.databaseEnv" -}}
{{- if .Values.postgresql.enabled -}}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "finance-tracker.secretName" . }}
      key: postgres-password
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(POSTGRES_PASSWORD)@%s:%d/%s" .Values.postgresql.auth.username (include "finance-tracker.postgresqlHost" .) (int .Values.postgresql.service.port) .Values.postgresql.auth.database | quote }}
{{- else -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "finance-tracker.secretName" . }}
      key: database-url
{{- end }}
{{- end }}

{{- define "finance-tracker.appEnvFrom" -}}
- configMapRef:
    name: {{ include "finance-tracker.fullname" . }}
{{- with .Values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Scheduling of one component: its own value, else the chart-wide one. dict "root" $ "values" .Values.web */}}
{{- define "finance-tracker.scheduling" -}}
{{- with (.values.nodeSelector | default .root.Values.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.values.tolerations | default .root.Values.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.values.affinity | default .root.Values.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
PUBLIC_URL: config.publicUrl; with mail and no publicUrl, https://<first ingress host> when the
Ingress is enabled and that host is in ingress.tls; else empty.
*/}}
{{- define "finance-tracker.publicUrl" -}}
{{- if .Values.config.publicUrl -}}
{{ .Values.config.publicUrl }}
{{- else if and .Values.mail.host .Values.ingress.enabled .Values.ingress.hosts -}}
{{- $host := (index .Values.ingress.hosts 0).host -}}
{{- $secured := false -}}
{{- range .Values.ingress.tls -}}
{{- if has $host (.hosts | default list) -}}
{{- $secured = true -}}
{{- end -}}
{{- end -}}
{{- if $secured -}}
https://{{ $host }}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Values that cannot work together: refuse them here, with the reason, rather than render pods
that crash at start (the app refuses the same settings) or a sender that only collects errors.
*/}}
{{- define "finance-tracker.validate" -}}
{{- if and .Values.traffic.enabled (ne .Values.config.registration "open") }}
{{- fail "traffic.enabled needs config.registration=open: the traffic sender signs its simulated users up through the sign-up form" }}
{{- end }}
{{- if and (eq .Values.config.registration "email") (not .Values.mail.host) }}
{{- fail "config.registration=email needs mail.host: the sign-up link is sent by email" }}
{{- end }}
{{- if and .Values.mail.host (not (include "finance-tracker.publicUrl" .)) }}
{{- fail "mail.host needs config.publicUrl (links in emails are built on it), or an Ingress whose first host is in ingress.tls (then https://<that host>)" }}
{{- end }}
{{- if and (not .Values.worker.enabled) (or .Values.redis.enabled .Values.externalRedis.url) }}
{{- fail "worker.enabled=false needs the app without Redis: with a REDIS_URL the web pods queue bank imports and sign-up and password-reset mails in Redis and leave the hourly upload sweep and recurring transactions to the worker, so without one nobody runs them. Either keep the worker (worker.enabled=true), or also set redis.enabled=false with externalRedis.url empty: the web pods then run the jobs themselves, sessions live in signed cookies and login rate limits in each web process (one web pod keeps them tight)" }}
{{- end }}
{{- if and .Values.worker.enabled (eq (int .Values.worker.replicaCount) 0) }}
{{- fail "worker.replicaCount=0 leaves the job queue in Redis without a consumer: bank imports, mails, the upload sweep and recurring transactions never run. Set worker.replicaCount to 1 or more, or run without a worker and Redis (worker.enabled=false, redis.enabled=false, externalRedis.url empty) so that the web pods run the jobs" }}
{{- end }}
{{- end }}

{{/* Checksums that roll the pods when their configuration changes. */}}
{{- define "finance-tracker.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secret.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* The uploads volume: the claim, or an emptyDir when persistence is off. */}}
{{- define "finance-tracker.uploadsVolume" -}}
{{- if .Values.uploads.persistence.enabled -}}
persistentVolumeClaim:
  claimName: {{ .Values.uploads.persistence.existingClaim | default (include "finance-tracker.componentName" (dict "root" . "component" "uploads")) }}
{{- else -}}
emptyDir:
  sizeLimit: 1Gi
{{- end }}
{{- end }}

{{/*
The worker's probe: is an RQ worker of this pod (hostname = pod name) registered in Redis? Its
key expires when the heartbeat stops, so a hung worker fails it.
*/}}
{{- define "finance-tracker.workerProbeCommand" -}}
- python
- -c
- >-
  import os, socket, sys, redis; from rq import Worker;
  r = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5);
  sys.exit(0 if any(w.hostname == socket.gethostname() for w in Worker.all(connection=r)) else 1)
{{- end }}

{{/* A NetworkPolicy peer: pods of this release with one of the given components. */}}
{{- define "finance-tracker.componentsPeer" -}}
- podSelector:
    matchLabels:
      {{- include "finance-tracker.releaseSelectorLabels" .root | nindent 6 }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: {{ toJson .components }}
{{- end }}

{{/* Egress rule to the database: the bundled PostgreSQL's pods, or the external one. */}}
{{- define "finance-tracker.databaseEgress" -}}
{{- if .Values.postgresql.enabled }}
- to:
    {{- include "finance-tracker.componentsPeer" (dict "root" . "components" (list "postgresql")) | nindent 4 }}
  ports:
    - protocol: TCP
      port: 5432
{{- else }}
- ports:
    - protocol: TCP
      port: {{ .Values.externalDatabase.port }}
  {{- with .Values.externalDatabase.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Egress rule to Redis: the bundled one's pods, the external one, or nothing (no Redis). */}}
{{- define "finance-tracker.redisEgress" -}}
{{- $redis := include "finance-tracker.redis" . }}
{{- if eq $redis "bundled" }}
- to:
    {{- include "finance-tracker.componentsPeer" (dict "root" . "components" (list "redis")) | nindent 4 }}
  ports:
    - protocol: TCP
      port: 6379
{{- else if eq $redis "external" }}
- ports:
    - protocol: TCP
      port: {{ .Values.externalRedis.port }}
  {{- with .Values.externalRedis.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Egress rule to the mail server (whoever runs the jobs sends the mail): mail.port, at mail.cidrs. */}}
{{- define "finance-tracker.mailEgress" -}}
- ports:
    - protocol: TCP
      port: {{ .Values.mail.port }}
  {{- with .Values.mail.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}

{{/* To the ECB (or ecbRates.url): HTTPS, or HTTP for an http:// url. */}}
{{- define "finance-tracker.ecbEgress" -}}
- ports:
    - protocol: TCP
      port: {{ hasPrefix "http://" .Values.ecbRates.url | ternary 80 443 }}
  {{- with .Values.ecbRates.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}

{{/* A peer from values: namespaceSelector and podSelector together (both must match). */}}
{{- define "finance-tracker.valuesPeer" -}}
- namespaceSelector:
    {{- toYaml .namespaceSelector | nindent 4 }}
  podSelector:
    {{- toYaml .podSelector | nindent 4 }}
{{- end }}
