#!/usr/bin/env bash
# `make cluster`: a local Kubernetes with the whole kit, step by step.
#   1. a kind cluster (deploy/kind/cluster.yaml: 127.0.0.1:80/443 go to ingress-nginx)
#   2. ingress-nginx            (Helm chart, deploy/kind/ingress-nginx-values.yaml)
#   3. kube-prometheus-stack    (Helm chart, deploy/monitoring/kube-prometheus-stack-values.yaml)
#   4. Argo CD                  (its install manifest, deploy/argocd/argocd-cm-patch.yaml; UI at
#                                http://argocd.localhost)
#   5. the app image, built from this work tree and loaded into the kind node
#   6. the app's Secret (random values, created once)
#   7. an Argo CD Application syncing deploy/helm/finance-tracker from Git with values-kind.yaml
# Needs docker, kind, kubectl and helm on PATH, and the internet. Safe to run again.
#
# Argo CD pulls the chart from Git, not from this folder: push your branch first, or point
# REPO_URL / REVISION elsewhere. Every setting below can be overridden from the environment.
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-finance-tracker}"
INGRESS_NGINX_CHART_VERSION="${INGRESS_NGINX_CHART_VERSION:-4.14.1}"
KUBE_PROMETHEUS_STACK_VERSION="${KUBE_PROMETHEUS_STACK_VERSION:-81.6.2}"
ARGOCD_VERSION="${ARGOCD_VERSION:-v3.3.8}"
APP_NAMESPACE="${APP_NAMESPACE:-finance-tracker}"
APP_SECRET="${APP_SECRET:-finance-tracker-kind}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'cluster-up: %s\n' "$*" >&2; exit 1; }

for tool in docker kind kubectl helm git openssl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (see README: Kubernetes on your machine)"
done
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (is it running?)"

REPO_URL="${REPO_URL:-$(git remote get-url origin 2>/dev/null || true)}"
[ -n "$REPO_URL" ] || die "no Git remote 'origin': set REPO_URL to a repository Argo CD can clone"
case "$REPO_URL" in
  # git@host:owner/repo.git -> https://host/owner/repo.git (Argo CD needs no key for a public one)
  git@*:*) ssh_path="${REPO_URL#git@}"; REPO_URL="https://${ssh_path/://}" ;;
esac
REVISION="${REVISION:-$(git rev-parse --abbrev-ref HEAD)}"
IMAGE_TAG="${IMAGE_TAG:-dev-$(git rev-parse --short HEAD)}"
IMAGE="finance-tracker:${IMAGE_TAG}"
context="kind-${CLUSTER_NAME}"
kc() { kubectl --context "$context" "$@"; }

log "1/7 kind cluster ${CLUSTER_NAME}"
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
  echo "already there"
else
  kind create cluster --name "$CLUSTER_NAME" --config deploy/kind/cluster.yaml --wait 120s
fi

log "2/7 ingress-nginx ${INGRESS_NGINX_CHART_VERSION}"
helm --kube-context "$context" upgrade --install ingress-nginx ingress-nginx \
  --repo https://kubernetes.github.io/ingress-nginx --version "$INGRESS_NGINX_CHART_VERSION" \
  --namespace ingress-nginx --create-namespace \
  --values deploy/kind/ingress-nginx-values.yaml --wait --timeout 5m

log "3/7 kube-prometheus-stack ${KUBE_PROMETHEUS_STACK_VERSION}"
helm --kube-context "$context" upgrade --install kube-prometheus-stack kube-prometheus-stack \
  --repo https://prometheus-community.github.io/helm-charts \
  --version "$KUBE_PROMETHEUS_STACK_VERSION" \
  --namespace monitoring --create-namespace \
  --values deploy/monitoring/kube-prometheus-stack-values.yaml --wait --timeout 10m

log "4/7 Argo CD ${ARGOCD_VERSION}"
kc create namespace argocd --dry-run=client -o yaml | kc apply -f -
# Server-side: Argo CD's CRDs are too large for the last-applied annotation.
kc apply --namespace argocd --server-side --force-conflicts \
  -f "https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml"
# Plain HTTP behind ingress-nginx, for http://argocd.localhost.
kc --namespace argocd patch configmap argocd-cmd-params-cm --type merge \
  -p '{"data":{"server.insecure":"true"}}'
kc --namespace argocd rollout restart deployment argocd-server
# Application health (a Lua check), so sync waves across Applications wait for each other, as in
# the app of apps of deploy/argocd.
kc --namespace argocd patch configmap argocd-cm --type merge \
  --patch-file deploy/argocd/argocd-cm-patch.yaml
kc apply -f deploy/kind/argocd-ingress.yaml
kc --namespace argocd rollout status deployment argocd-server --timeout 5m
kc --namespace argocd rollout status deployment argocd-repo-server --timeout 5m
kc --namespace argocd rollout status statefulset argocd-application-controller --timeout 5m

log "5/7 image ${IMAGE}"
docker build --tag "$IMAGE" \
  --build-arg GIT_COMMIT="$(git rev-parse --short HEAD)" \
  --build-arg BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
kind load docker-image "$IMAGE" --name "$CLUSTER_NAME"

log "6/7 namespace ${APP_NAMESPACE} and Secret ${APP_SECRET}"
kc create namespace "$APP_NAMESPACE" --dry-run=client -o yaml | kc apply -f -
kc label namespace "$APP_NAMESPACE" --overwrite \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest
if kc --namespace "$APP_NAMESPACE" get secret "$APP_SECRET" >/dev/null 2>&1; then
  echo "Secret ${APP_SECRET} already there: kept (the database was initialised with it)"
else
  kc --namespace "$APP_NAMESPACE" create secret generic "$APP_SECRET" \
    --from-literal=secret-key="$(openssl rand -hex 32)" \
    --from-literal=postgres-password="$(openssl rand -hex 24)"
fi

log "7/7 Argo CD Application (${REPO_URL} @ ${REVISION}, image tag ${IMAGE_TAG})"
sed -e "s|__REPO_URL__|${REPO_URL}|" -e "s|__REVISION__|${REVISION}|" \
  -e "s|__IMAGE_TAG__|${IMAGE_TAG}|" deploy/kind/argocd-application.yaml | kc apply -f -
echo "waiting for Argo CD to sync and the app to turn Healthy (up to 10 minutes)…"
kc --namespace argocd wait application/finance-tracker --timeout 600s \
  --for=jsonpath='{.status.health.status}'=Healthy

argocd_password="$(kc --namespace argocd get secret argocd-initial-admin-secret \
  -o jsonpath='{.data.password}' | base64 --decode)"
grafana_password="$(kc --namespace monitoring get secret kube-prometheus-stack-grafana \
  -o jsonpath='{.data.admin-password}' | base64 --decode)"
cat <<DONE

Ready.
  Finance Tracker  http://finance-tracker.localhost
  Grafana          http://grafana.localhost      admin / ${grafana_password}
                   (dashboard: Dashboards > Finance Tracker)
  Prometheus       http://prometheus.localhost
  Argo CD          http://argocd.localhost       admin / ${argocd_password}
  kubectl          kubectl --context ${context} --namespace ${APP_NAMESPACE} get pods
Tear it all down with: make cluster-down
DONE
