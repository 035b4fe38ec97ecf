#!/usr/bin/env bash
# Run checkov from a venv of its own: it pins an old `packaging` that would downgrade the
# project's. The venv is made on first use under the cache folder (about a minute), then reused.
#   scripts/checkov.sh -d DIR --config-file deploy/checkov.yaml
set -euo pipefail
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
PYTHON="${PYTHON:-python3}"
venv="${CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/finance-tracker/checkov-${CHECKOV_VERSION}}"
mkdir -p "$(dirname "$venv")"
# Two runs at once (pytest -n, make deploy-check beside make test) must not build it together.
exec 9>"${venv}.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ ! -x "$venv/bin/checkov" ]; then
  echo "checkov: installing ${CHECKOV_VERSION} into ${venv}" >&2
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}" >&2
fi
exec "$venv/bin/checkov" "$@"
