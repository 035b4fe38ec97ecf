#!/usr/bin/env bash
# The backup CronJob's script (templates/backup.yaml mounts it from a ConfigMap): one
# `pg_dump --format=custom` of the app's database into BACKUP_DIR, written under a temporary
# name and renamed when complete, then only the newest KEEP dumps are kept. Any failure exits
# non-zero (Kubernetes records a failed Job) and leaves no partial file behind.
#
# Environment: DATABASE_URL (as the app gets it: postgresql://, postgres:// or the SQLAlchemy
# form postgresql+psycopg://), BACKUP_DIR (default /backups), KEEP (default 7).
set -euo pipefail
export LC_ALL=C

: "${DATABASE_URL:?DATABASE_URL is not set}"
backup_dir="${BACKUP_DIR:-/backups}"
keep="${KEEP:-7}"
case "$keep" in
  '' | *[!0-9]* | 0*) echo "backup: KEEP must be a positive integer, not '$keep'" >&2; exit 2 ;;
esac

# libpq takes postgresql:// and postgres:// URLs, not SQLAlchemy's `+driver` in the scheme.
scheme="${DATABASE_URL%%://*}"
case "${scheme%%+*}" in
  postgresql | postgres) url="postgresql://${DATABASE_URL#*://}" ;;
  *) echo "backup: DATABASE_URL is not a PostgreSQL URL (scheme '$scheme')" >&2; exit 2 ;;
esac

mkdir -p -- "$backup_dir"
# A run killed outright (activeDeadlineSeconds, eviction) cannot clean up after itself; runs
# never overlap (concurrencyPolicy: Forbid), so a partial file here is a dead run's.
rm -f -- "$backup_dir"/.finance-tracker-*.dump.partial

name="finance-tracker-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$backup_dir/.$name.partial"
trap 'rm -f -- "$partial"' EXIT

echo "backup: dumping the database to $backup_dir/$name"
pg_dump --format=custom --no-password --file="$partial" --dbname="$url"
# A dump pg_restore cannot read is no backup: list its table of contents before keeping it.
pg_restore --list "$partial" >/dev/null
sync -- "$partial"
mv -- "$partial" "$backup_dir/$name"
trap - EXIT
echo "backup: wrote $name ($(wc -c <"$backup_dir/$name") bytes)"

# The names sort by their UTC timestamp: delete all but the newest KEEP.
shopt -s nullglob
dumps=("$backup_dir"/finance-tracker-*.dump)
excess=$((${#dumps[@]} - keep))
for ((i = 0; i < excess; i++)); do
  echo "backup: removing ${dumps[i]##*/} (keeping the newest $keep)"
  rm -f -- "${dumps[i]}"
done
