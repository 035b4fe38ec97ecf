#!/usr/bin/env bash
# `make cluster-down`: delete the kind cluster of `make cluster`, with everything in it.
set -euo pipefail
CLUSTER_NAME="${CLUSTER_NAME:-finance-tracker}"
command -v kind >/dev/null 2>&1 || { echo "cluster-down: kind is not on PATH" >&2; exit 1; }
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
  kind delete cluster --name "$CLUSTER_NAME"
else
  echo "no kind cluster named ${CLUSTER_NAME}"
fi
