#!/usr/bin/env bash
# Re-fetch the vendored front-end assets at the pinned versions (see static/vendor/README.md).
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/src/finance_tracker/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent @picocss/pico@2.1.1 chart.js@4.5.1 swagger-ui-dist@5.30.2 >/dev/null
for tgz in *.tgz; do mkdir "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"; done
cp picocss-pico-2.1.1/package/css/pico.min.css "$dest/"
cp chart.js-4.5.1/package/dist/chart.umd.min.js "$dest/"
cp swagger-ui-dist-5.30.2/package/swagger-ui-bundle.js swagger-ui-dist-5.30.2/package/swagger-ui.css "$dest/"
echo "vendored assets refreshed in $dest"
