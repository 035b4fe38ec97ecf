#!/usr/bin/env bash
# `make image-check`: build the image with a real container runtime (podman) and run it the way
# the Helm chart runs it. No Docker engine and no image registry are needed:
#   1. podman, runc, slirp4netns, catatonit, debootstrap from the machine's package manager (apt),
#      when missing, and the settings
#      of deploy/podman/containers.conf as a drop-in of /etc/containers/containers.conf.d;
#   2. the Dockerfile's base image: pulled when a registry answers, else a stand-in made by
#      debootstrap (Debian bookworm's python3, venv, pip) and tagged under the base's name. Kept
#      in podman's image store, so the next run reuses it;
#   3. the Dockerfile, unchanged: podman build --pull=never --format docker;
#   4. the image as the chart runs it (uid 10001, read-only root filesystem, tmpfs /tmp, every
#      capability dropped, no new privileges), against this machine's PostgreSQL and Redis:
#      `db upgrade`, `serve --production` (/healthz, /readyz, /metrics, a sign-up, an account and
#      two transactions), `worker` (registered in Redis), SIGTERM -> exit 0 for both, with a
#      request in flight at the web's SIGTERM still answered;
#   5. the chart's rendered migrations, web and worker pods with `podman kube play`
#      (scripts/image_check.py: what podman 4.3 cannot honour is worked around on a copy of the
#      rendered YAML and printed; the chart itself is never changed for podman);
#   6. figures: image size (target <= 200 MB) and start-to-ready time (target <= 3 s).
# Exits non-zero when any check fails. Runs as root (through sudo when started by another user).
#
# Settings (environment): PG_ADMIN_URL (postgresql://postgres@127.0.0.1:5432: a superuser, who
# makes the role and database ft_image_check and drops them at the end), REDIS_HOST_URL
# (redis://127.0.0.1:6379/14: a database of its own, emptied at the end), PYTHON (the venv's, with
# the `deploy` extra: helm-python-sdk renders the chart), IMAGE (finance-tracker:image-check),
# SKIP_PODS=1 (no kube play), KEEP=1 (leave the containers for a look). PostgreSQL and Redis must
# listen on this machine's loopback: containers reach it as 10.0.2.2 (slirp4netns).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

IMAGE="${IMAGE:-localhost/finance-tracker:image-check}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432}"
REDIS_HOST_URL="${REDIS_HOST_URL:-redis://127.0.0.1:6379/14}"
PYTHON="${PYTHON:-$root/.venv/bin/python}"
DB_NAME="ft_image_check"
PREFIX="ft-image-check"
# From a container on slirp4netns with allow_host_loopback, the host's 127.0.0.1 is 10.0.2.2.
HOST_FROM_CONTAINER="10.0.2.2"
SIZE_TARGET_MB=200
READY_TARGET_S=3

started_at="$(date +%s.%N)"
failures=()
log() { printf '\n==> %s\n' "$*"; }
ok() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures+=("$*"); }
die() { printf 'image-check: %s\n' "$*" >&2; exit 1; }
note() { printf '  note  %s\n' "$*"; }
# The last $2 characters of $1 (all of it when shorter).
last() { if [ "${#1}" -gt "$2" ]; then printf '%s' "${1: -$2}"; else printf '%s' "$1"; fi; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# Podman runs as root here (rootless needs subuids and a user session a CI machine lacks).
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "needs root, or sudo"
  exec sudo --preserve-env env PATH="$PATH" "$0" "$@"
fi

# ---- 1. podman --------------------------------------------------------------------------------
install_podman() {
  log "podman: packages and settings"
  local missing=() tool
  for tool in podman runc slirp4netns catatonit debootstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
    # The ones podman only recommends are named: without slirp4netns no loopback from a
    # container, without netavark no pod network and without catatonit no pod (its pause
    # image's init) for kube play.
    local packages=(podman buildah runc slirp4netns netavark aardvark-dns iptables uidmap catatonit
      debootstrap curl)
    echo "  installing: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null \
      || { apt-get update >/dev/null \
           && apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null; }
  fi
  # A drop-in, so a machine's own /etc/containers/containers.conf keeps its other settings.
  local dropin=/etc/containers/containers.conf.d/50-finance-tracker.conf
  if ! cmp -s deploy/podman/containers.conf "$dropin" 2>/dev/null; then
    mkdir -p "$(dirname "$dropin")"
    cp deploy/podman/containers.conf "$dropin"
    echo "  wrote $dropin (from deploy/podman/containers.conf)"
  fi
  local info
  info="$(podman info --format '{{.Version.Version}} runtime={{.Host.OCIRuntime.Name}} cgroups={{.Host.CgroupManager}}/{{.Host.CgroupsVersion}} events={{.Host.EventLogger}} storage={{.Store.GraphDriverName}}')" \
    || die "podman info failed (see above)"
  echo "  podman $info"
}

# ---- 2. the base image ------------------------------------------------------------------------
base_image() {
  # The FROM of the Dockerfile (both stages use the same one).
  local from
  from="$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)"
  [ -n "$from" ] || die "no FROM line in the Dockerfile"
  case "$from" in
    */*) BASE_REF="$from" ;;
    *) BASE_REF="docker.io/library/$from" ;;
  esac
  log "base image $BASE_REF"
  if podman image exists "$BASE_REF"; then
    local standin
    standin="$(podman image inspect --format '{{index .Labels "org.finance-tracker.stand-in"}}' "$BASE_REF")"
    if [ -n "$standin" ] && [ "$standin" != "<no value>" ]; then
      echo "  STAND-IN, not the registry's image: $standin (cached in podman's store)"
      BASE_IS_STANDIN=1
    else
      echo "  present in podman's store"
    fi
    return
  fi
  if timeout 60 podman pull -q "$BASE_REF" >/dev/null 2>&1; then
    echo "  pulled from the registry"
    return
  fi
  case "$BASE_REF" in
    *@sha256:*) die "cannot pull $BASE_REF, and a stand-in cannot carry a pinned digest: needs a registry" ;;
  esac
  echo "  cannot be pulled (no registry reachable): building a STAND-IN from Debian packages"
  build_standin "$BASE_REF"
  BASE_IS_STANDIN=1
}

apt_mirror() {
  # The Debian mirror apt already uses (deb822 .sources or one-line sources.list).
  local mirror
  mirror="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '{ print $2 }' | grep -v -- '-security' | grep -m1 '/debian/*$' || true)"
  [ -n "$mirror" ] || mirror="$(grep -hsE '^deb +(\[[^]]*\] +)?https?://[^ ]+/debian/? +bookworm' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1; exit }' || true)"
  echo "${mirror:-http://deb.debian.org/debian}"
}

build_standin() {
  local ref="$1" dir mirror began
  dir="$(mktemp -d /var/tmp/ft-base.XXXXXX)"
  mirror="$(apt_mirror)"
  began="$(date +%s.%N)"
  echo "  debootstrap --variant=minbase bookworm from $mirror"
  if ! debootstrap --variant=minbase \
      --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
      bookworm "$dir/root" "$mirror" >"$dir/debootstrap.log" 2>&1; then
    tail -20 "$dir/debootstrap.log" >&2
    rm -rf "$dir"
    die "debootstrap failed (log above)"
  fi
  # What python:*-slim leaves out too: package lists, the .deb cache, documentation.
  rm -rf "$dir"/root/var/cache/apt/archives/*.deb "$dir"/root/var/lib/apt/lists/* \
    "$dir"/root/usr/share/doc/* "$dir"/root/usr/share/man/* "$dir"/root/usr/share/info/*
  local python_version
  python_version="$(chroot "$dir/root" python3 -c 'import platform; print(platform.python_version())')"
  tar -C "$dir/root" -c . | podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.finance-tracker.stand-in=\"debootstrap bookworm minbase, Debian's python3 ${python_version}, built $(date -u +%Y-%m-%d)\"" \
    --change 'CMD ["python3"]' \
    - "$ref" >/dev/null
  rm -rf "$dir"
  echo "  imported as $ref in $(seconds_since "$began") s (Python ${python_version}, not the base's own build)"
}

# ---- 3. the image -----------------------------------------------------------------------------
build_image() {
  log "podman build --pull=never --format docker (the Dockerfile, unchanged) -> $IMAGE"
  local began commit previous ca=/etc/ssl/certs/ca-certificates.crt mounts=()
  began="$(date +%s.%N)"
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  previous="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
  # pip inside the build reaches the package index only through the machine's CA bundle.
  [ -f "$ca" ] && mounts=(-v "$ca:$ca:ro")
  # --layers=false: buildah 1.28 (podman 4.3) mishandles `RUN --mount=type=bind,from=build` with
  # cached layers: the mount is empty when the build stage came from the cache ("couldn't find
  # .../wheels on host", containers/podman#16281), and the RUN is reused when only that stage
  # changed (containers/buildah#4522). So every run builds both stages afresh (~20 s).
  if ! podman build --pull=never --format docker --layers=false "${mounts[@]}" \
      --build-arg GIT_COMMIT="$commit" -t "$IMAGE" -f Dockerfile . >"$workdir/build.log" 2>&1; then
    tail -40 "$workdir/build.log"
    die "podman build failed (last lines above)"
  fi
  BUILD_SECONDS="$(seconds_since "$began")"
  echo "  built in ${BUILD_SECONDS} s (HEALTHCHECK kept: $(podman image inspect --format '{{if .Config.Healthcheck}}yes{{else}}NO{{end}}' "$IMAGE"))"
  # The image this tag named before, now untagged: not kept.
  if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
}

# ---- 4. the image, run as the chart runs it ---------------------------------------------------
helper() { "$PYTHON" scripts/image_check.py "$@"; }

prepare_stores() {
  log "stores: database $DB_NAME on $PG_ADMIN_URL, Redis $REDIS_HOST_URL"
  [ -x "$PYTHON" ] || die "no $PYTHON: make .venv/.installed-deploy (or set PYTHON)"
  helper db-create "$PG_ADMIN_URL" "$DB_NAME" || die "cannot create database $DB_NAME"
  helper redis-flush "$REDIS_HOST_URL" || die "cannot reach Redis at $REDIS_HOST_URL"
  local redis_rest="${REDIS_HOST_URL#redis://}"
  PG_PORT="${PG_ADMIN_URL##*:}"
  case "$PG_PORT" in ''|*[!0-9]*) PG_PORT=5432 ;; esac
  # The same servers, as a container reaches them; the app logs in as its own role.
  CONTAINER_DATABASE_URL="postgresql://${DB_NAME}:${IMAGE_CHECK_DB_PASSWORD}@${HOST_FROM_CONTAINER}:${PG_PORT}/${DB_NAME}"
  CONTAINER_REDIS_URL="redis://${HOST_FROM_CONTAINER}:${redis_rest#*:}"
  echo "  from a container: postgresql://${DB_NAME}:…@${HOST_FROM_CONTAINER}:${PG_PORT}/${DB_NAME}, $CONTAINER_REDIS_URL"
}

# What the chart gives every app container: Pod Security "restricted" (uid 10001, no
# capabilities, no privilege escalation, seccomp RuntimeDefault, read-only root) with emptyDirs
# on /tmp and the two data paths (U: owned by the container's user, as fsGroup makes them), and the ConfigMap's and Secret's settings. Podman's default
# seccomp profile is its RuntimeDefault.
chart_like() {
  # shellcheck disable=SC2054  # the commas are tmpfs mount options
  RUN_AS_CHART=(
    --user 10001:10001 --read-only --read-only-tmpfs=false --cap-drop=ALL
    --security-opt no-new-privileges
    --network slirp4netns:allow_host_loopback=true
    --tmpfs /tmp:rw,nosuid,nodev,size=512m
    --tmpfs /var/lib/finance-tracker/data:rw,nosuid,nodev,size=256m,U
    --tmpfs /var/lib/finance-tracker/uploads:rw,nosuid,nodev,size=1g,U
    -e FINANCE_TRACKER_ENV=production -e AUTO_MIGRATE=false -e LOG_LEVEL=INFO
    -e REGISTRATION=open -e WEB_WORKERS=2
    -e SECRET_KEY="$SECRET_KEY" -e DATABASE_URL="$CONTAINER_DATABASE_URL"
    -e REDIS_URL="$CONTAINER_REDIS_URL"
  )
}

exit_code_of() { podman inspect --format '{{.State.ExitCode}}' "$1"; }

# Every log line JSON, none ERROR or CRITICAL.
logs_clean() {
  local name="$1" bad
  bad="$(podman logs "$name" 2>&1 | grep -E '"level": ?"(ERROR|CRITICAL)"' | head -3 || true)"
  if [ -z "$bad" ]; then ok "$name: no ERROR or CRITICAL log line"; else fail "$name logged: ${bad:0:600}"; fi
}

security_facts() {
  local name="$1"; shift
  local facts problems
  facts="$(helper snippet security | podman exec -i "$name" python - "$@" 2>&1)" \
    || { fail "$name: cannot read its security facts: $(last "$facts" 300)"; return; }
  if problems="$(printf '%s\n' "$facts" | helper security-problems)"; then
    ok "$name: uid 10001, no capabilities, no_new_privs, seccomp filter, read-only root, writable $*"
  else
    fail "$name: $problems"
  fi
}

run_migrations() {
  log "migrations: finance-tracker db upgrade (the chart's Job)"
  local name="$PREFIX-migrations"
  podman rm -f "$name" >/dev/null 2>&1 || true
  if podman run --name "$name" "${RUN_AS_CHART[@]}" "$IMAGE" db upgrade >"$workdir/migrations.log" 2>&1; then
    ok "db upgrade exit 0"
  else
    fail "db upgrade exit $(exit_code_of "$name"): $(tail -5 "$workdir/migrations.log")"
  fi
  logs_clean "$name"
  podman rm -f -v "$name" >/dev/null 2>&1 || true
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    ss -ltn 2>/dev/null | grep -q ":$port " || { echo "$port"; return; }
  done
  die "no free port"
}

run_web() {
  log "web: finance-tracker serve --production (gunicorn), published on 127.0.0.1"
  WEB="$PREFIX-web"
  WEB_PORT="$(free_port)"
  local url="http://127.0.0.1:$WEB_PORT" began
  podman rm -f "$WEB" >/dev/null 2>&1 || true
  began="$(date +%s.%N)"
  # The healthcheck timers want systemd (logged, not fatal): its command is run by hand below.
  podman run -d --name "$WEB" "${RUN_AS_CHART[@]}" \
    -e PROMETHEUS_MULTIPROC_DIR=/run/prometheus/multiproc --tmpfs /run/prometheus:rw,nosuid,nodev,size=64m,U \
    -p "127.0.0.1:$WEB_PORT:5000" "$IMAGE" serve --production >"$workdir/web.run.log" 2>&1 \
    || { cat "$workdir/web.run.log"; fail "web container did not start"; return; }
  local deadline=$(( $(date +%s) + 60 ))
  until curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ] || [ "$(podman inspect --format '{{.State.Running}}' "$WEB")" != "true" ]; then
      fail "web never ready: $(podman logs --tail 10 "$WEB" 2>&1)"
      return
    fi
    sleep 0.05
  done
  local ready_at started
  ready_at="$(date +%s.%N)"
  RUN_READY_SECONDS="$(awk -v a="$began" -v b="$ready_at" 'BEGIN { printf "%.2f", b - a }')"
  # From the moment the container's process started (podman's own set-up, the network and
  # the mounts, excluded): the app's start-to-ready.
  started="$(date -d "$(podman inspect --format '{{.State.StartedAt}}' "$WEB" | awk '{ print $1, $2, $3 }')" +%s.%N)"
  READY_SECONDS="$(awk -v a="$started" -v b="$ready_at" 'BEGIN { printf "%.2f", b - a }')"
  ok "ready (/readyz 200) ${READY_SECONDS} s after the process started, ${RUN_READY_SECONDS} s after podman run"
  local body
  for path in /healthz /readyz; do
    if body="$(curl -fsS "$url$path")"; then ok "GET $path 200 $body"; else fail "GET $path"; fi
  done
  body="$(curl -fsS "$url/metrics" || true)"
  if grep -q '^finance_tracker_build_info' <<<"$body" && grep -q '^http_requests_total' <<<"$body"; then
    ok "GET /metrics: finance_tracker_build_info, http_requests_total"
  else
    fail "GET /metrics lacks finance_tracker_build_info or http_requests_total"
  fi
  local hc
  if hc="$(podman healthcheck run "$WEB" 2>&1)"; then ok "the Dockerfile's HEALTHCHECK passes"; else fail "HEALTHCHECK: $hc"; fi
  security_facts "$WEB" /tmp /var/lib/finance-tracker/data /var/lib/finance-tracker/uploads /run/prometheus

  log "a session: sign-up (form + CSRF), API token, account, a transaction by API and one by form"
  local session
  if session="$(helper snippet session | podman exec -i "$WEB" python - 2>&1)"; then
    ok "signed up and wrote two transactions: $(last "$session" 400)"
  else
    fail "session: $(last "$session" 600)"
  fi
  local count
  count="$(helper db-count "$PG_ADMIN_URL" "$DB_NAME" transactions 2>&1 || true)"
  if [ "$count" = "2" ]; then ok "PostgreSQL holds the 2 transactions"; else fail "transactions in PostgreSQL: $count"; fi
  body="$(curl -fsS "$url/metrics" || true)"
  if grep -qE '^finance_tracker_transactions_created_total\{.*\} [1-9]' <<<"$body"; then
    ok "/metrics counts them (finance_tracker_transactions_created_total)"
  else
    fail "/metrics: no finance_tracker_transactions_created_total above 0"
  fi
}

worker_probe() {
  # The chart's worker probe: an RQ worker of this hostname is registered in Redis.
  podman exec "$1" python -c 'import os, socket, sys, redis; from rq import Worker; r = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5); sys.exit(0 if any(w.hostname == socket.gethostname() for w in Worker.all(connection=r)) else 1)' 2>/dev/null
}

run_worker() {
  log "worker: finance-tracker worker"
  WORKER="$PREFIX-worker"
  podman rm -f "$WORKER" >/dev/null 2>&1 || true
  local began
  began="$(date +%s.%N)"
  podman run -d --name "$WORKER" "${RUN_AS_CHART[@]}" -e METRICS_PORT=9101 -e EMBEDDED_JOBS=false \
    "$IMAGE" worker >"$workdir/worker.run.log" 2>&1 \
    || { cat "$workdir/worker.run.log"; fail "worker container did not start"; return; }
  local deadline=$(( $(date +%s) + 60 ))
  until worker_probe "$WORKER"; do
    if [ "$(date +%s)" -ge "$deadline" ] || [ "$(podman inspect --format '{{.State.Running}}' "$WORKER")" != "true" ]; then
      fail "worker never registered in Redis: $(podman logs --tail 10 "$WORKER" 2>&1)"
      return
    fi
    sleep 0.2
  done
  ok "registered in Redis (the chart's worker probe) $(seconds_since "$began") s after podman run"
  local metrics
  if metrics="$(podman exec "$WORKER" python -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9101/metrics", timeout=4).read().decode())' 2>&1)" \
      && grep -q '^finance_tracker_build_info' <<<"$metrics"; then
    ok "worker /metrics on :9101"
  else
    fail "worker /metrics on :9101: $(last "$metrics" 300)"
  fi
  security_facts "$WORKER" /tmp /var/lib/finance-tracker/data /var/lib/finance-tracker/uploads
}

stop_gracefully() {
  local name="$1" grace="$2" began code
  [ "$(podman inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = "true" ] || return 0
  began="$(date +%s.%N)"
  podman stop -t "$grace" "$name" >/dev/null 2>>"$workdir/podman.log"
  code="$(exit_code_of "$name")"
  if [ "$code" = "0" ]; then
    ok "$name: SIGTERM -> exit 0 in $(seconds_since "$began") s"
  else
    fail "$name: SIGTERM -> exit $code after $(seconds_since "$began") s"
  fi
  logs_clean "$name"
}

# A request in flight when SIGTERM comes is answered, not dropped: gunicorn's graceful stop.
drain_web() {
  local slow_pid term_at answer answered_at
  helper slow-request "http://127.0.0.1:$WEB_PORT/login" 3 >"$workdir/slow.out" 2>&1 &
  slow_pid=$!
  sleep 1
  term_at="$(date +%s.%N)"
  stop_gracefully "$WEB" 45
  if wait "$slow_pid"; then
    answer="$(cat "$workdir/slow.out")"
    answered_at="${answer##* at }"
    if awk -v a="$answered_at" -v t="$term_at" 'BEGIN { exit !(a > t) }'; then
      ok "a request in flight at SIGTERM was answered ($(last "${answer% at *}" 60), $(awk -v a="$answered_at" -v t="$term_at" 'BEGIN { printf "%.1f", a - t }') s after it)"
    else
      fail "the slow request was answered before SIGTERM: not a drain test ($answer)"
    fi
  else
    fail "a request in flight at SIGTERM was dropped: $(cat "$workdir/slow.out")"
  fi
}

# ---- 5. the chart's pods ----------------------------------------------------------------------
run_pods() {
  log "the chart's rendered migrations, web and worker pods: podman kube play"
  local args=(pods --image "$IMAGE" --database "$DB_NAME" --database-port "$PG_PORT"
    --host-ip "$HOST_FROM_CONTAINER" --redis-url "$CONTAINER_REDIS_URL" --workdir "$workdir/pods" --ready-file "$workdir/pod-ready")
  [ "${KEEP:-0}" = "1" ] && args+=(--keep)
  # The pods read the same database: start from an empty one, as a new release would.
  helper db-create "$PG_ADMIN_URL" "$DB_NAME"
  helper redis-flush "$REDIS_HOST_URL"
  helper "${args[@]}" || failures+=("kube play (above)")
}

# ---- 6. figures, cleanup ----------------------------------------------------------------------
figures() {
  log "figures"
  local size_bytes base_bytes size_mb base_mb
  size_bytes="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
  base_bytes="$(podman image inspect --format '{{.Size}}' "$BASE_REF")"
  size_mb=$(( size_bytes / 1000000 )); base_mb=$(( base_bytes / 1000000 ))
  local base_kind="the registry's base"
  [ "$BASE_IS_STANDIN" = "1" ] && base_kind="the debootstrap STAND-IN base"
  printf '  image size       %s MB (target <= %s MB): %s MB of %s + %s MB of the app'"'"'s venv layer\n' \
    "$size_mb" "$SIZE_TARGET_MB" "$base_mb" "$base_kind" "$(( size_mb - base_mb ))"
  [ "$size_mb" -le "$SIZE_TARGET_MB" ] || note "image size over the ${SIZE_TARGET_MB} MB target (reported, not a failed check)"
  if [ -n "${READY_SECONDS:-}" ]; then
    printf '  start-to-ready   %s s (target <= %s s): the process started -> /readyz 200 (%s s from podman run)\n' \
      "$READY_SECONDS" "$READY_TARGET_S" "$RUN_READY_SECONDS"
    awk -v s="$READY_SECONDS" -v t="$READY_TARGET_S" 'BEGIN { exit !(s > t) }' \
      && note "start-to-ready over the ${READY_TARGET_S} s target (reported, not a failed check)"
  fi
  [ -f "$workdir/pod-ready" ] && printf '  pod start-to-ready %s s: podman kube play -> readinessProbe passing\n' "$(cat "$workdir/pod-ready")"
  [ -n "${BUILD_SECONDS:-}" ] && printf '  build            %s s\n' "$BUILD_SECONDS"
  printf '  the whole check  %s s\n' "$(seconds_since "$started_at")"
}

cleanup() {
  local status=$?
  if [ "${KEEP:-0}" != "1" ]; then
    podman rm -f -v "$PREFIX-migrations" "$PREFIX-web" "$PREFIX-worker" >/dev/null 2>&1 || true
    if [ -n "${CONTAINER_DATABASE_URL:-}" ]; then
      helper db-drop "$PG_ADMIN_URL" "$DB_NAME" >/dev/null 2>&1 || true
      helper redis-flush "$REDIS_HOST_URL" >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
  else
    echo "KEEP=1: containers, database $DB_NAME and $workdir left in place"
  fi
  exit "$status"
}

workdir="$(mktemp -d /tmp/ft-image-check.XXXXXX)"
trap cleanup EXIT
BASE_IS_STANDIN=0
SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
IMAGE_CHECK_DB_PASSWORD="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export IMAGE_CHECK_DB_PASSWORD

install_podman
base_image
build_image
prepare_stores
chart_like
run_migrations
run_web
run_worker
log "SIGTERM: podman stop (the chart's grace periods)"
[ -n "${WEB:-}" ] && drain_web
[ -n "${WORKER:-}" ] && stop_gracefully "$WORKER" 60
[ "${KEEP:-0}" = "1" ] || podman rm -f -v "$PREFIX-web" "$PREFIX-worker" >/dev/null 2>&1 || true
[ "${SKIP_PODS:-0}" = "1" ] || run_pods
figures

if [ "${#failures[@]}" -gt 0 ]; then
  printf '\nimage-check: %d check(s) failed:\n' "${#failures[@]}"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
printf '\nimage-check: every check passed\n'
