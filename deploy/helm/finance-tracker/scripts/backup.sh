#!/usr/bin/env bash
# The backup CronJob's script (templates/backup.yaml mounts it from a ConfigMap): one
# `pg_dump --format=custom` of the app's database into BACKUP_DIR, written under a temporary
# name and renamed when complete, then only the newest KEEP dumps are kept. Any failure exits
# non-zero (Kubernetes records a failed Job) and leaves no partial file behind.
#
# Environment: DATABASE_URL (as the app gets it: postgresql://, postgres:// or the SQLAlchemy
# form postgresql+psycopg://), BACKUP_DIR (default /backups), KEEP (default 7).
#
# It logs as the app does, one JSON object a line (level, logger, message, time), so the same
# log pipeline reads it; only pg_dump's own messages on a failure are plain text.
set -euo pipefail
export LC_ALL=C

# log LEVEL MESSAGE: a JSON line on stdout (INFO) or stderr (anything else).
log() {
  local level="$1" message="$2"
  message="${message//\\/\\\\}"
  message="${message//\"/\\\"}"
  local line
  line="$(printf '{"level": "%s", "logger": "finance_tracker.backup", "message": "backup: %s", "time": "%s"}' \
    "$level" "$message" "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)")"
  if [ "$level" = INFO ]; then echo "$line"; else echo "$line" >&2; fi
}

: "${DATABASE_URL:?DATABASE_URL is not set}"
backup_dir="${BACKUP_DIR:-/backups}"
keep="${KEEP:-7}"
case "$keep" in
  '' | *[!0-9]* | 0*) log ERROR "KEEP must be a positive integer, not '$keep'"; exit 2 ;;
esac

# libpq takes postgresql:// and postgres:// URLs, not SQLAlchemy's `+driver` in the scheme.
scheme="${DATABASE_URL%%://*}"
case "${scheme%%+*}" in
  postgresql | postgres) url="postgresql://${DATABASE_URL#*://}" ;;
  *) log ERROR "DATABASE_URL is not a PostgreSQL URL (scheme '$scheme')"; exit 2 ;;
esac

mkdir -p -- "$backup_dir"
# A run killed outright (activeDeadlineSeconds, eviction) cannot clean up after itself; runs
# never overlap (concurrencyPolicy: Forbid), so a partial file here is a dead run's.
rm -f -- "$backup_dir"/.finance-tracker-*.dump.partial

name="finance-tracker-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$backup_dir/.$name.partial"
trap 'rm -f -- "$partial"' EXIT

log INFO "dumping the database to $backup_dir/$name"
pg_dump --format=custom --no-password --file="$partial" --dbname="$url"
# A dump pg_restore cannot read is no backup: list its table of contents before keeping it.
pg_restore --list "$partial" >/dev/null
sync -- "$partial"
mv -- "$partial" "$backup_dir/$name"
trap - EXIT
log INFO "wrote $name ($(wc -c <"$backup_dir/$name") bytes)"

# The names sort by their UTC timestamp: delete all but the newest KEEP.
shopt -s nullglob
dumps=("$backup_dir"/finance-tracker-*.dump)
excess=$((${#dumps[@]} - keep))
for ((i = 0; i < excess; i++)); do
  log INFO "removing ${dumps[i]##*/} (keeping the newest $keep)"
  rm -f -- "${dumps[i]}"
done
