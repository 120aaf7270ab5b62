#!/usr/bin/env bash
# `make test`'s suite in three lanes at once, each its own pytest process, database, uploads folder
# and temporary folder:
#   1. the browser tests in Chromium, on SQLite (pytest -m browser);
#   2. everything else on SQLite, tasks in-process (-m "not browser");
#   3. everything but the browser tests again on PostgreSQL, Redis and real Celery workers (the
#      data layer and the tasks; the browser adds nothing there that lane 1 has not shown).
# Each lane writes its log under $JSNA_TEST_LOGS (default test-artifacts/lanes); a line is printed
# as each lane ends, then every lane's log. Exits non-zero when any lane failed.
# Usage: bash scripts/test_lanes.sh [extra pytest arguments for every lane]
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
LOGS="${JSNA_TEST_LOGS:-test-artifacts/lanes}"
SCRATCH="${TMPDIR:-/tmp}/jsna-test-lanes-$$"
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/jsna}"
REDIS_TEST_URL="${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}"
mkdir -p "$LOGS" "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT

# The tests' settings, as for `make test-sqlite`: no secrets from .env, no HTTPS redirects, no
# tiles (pages must work offline). The key exists only for these processes.
export SECRET_KEY="test-only-$(date +%s)-not-a-secret-key-for-any-deployment-0123456789"
export DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export SECURE_HSTS_SECONDS=0 MAP_TILES_URL=

names=(browser sqlite postgres)
titles=(
  "SQLite, browser tests in Chromium"
  "SQLite, everything else, tasks in-process"
  "PostgreSQL, Redis and real Celery workers, all but the browser tests"
)
pids=()
started=$(date +%s)

lane() {  # name, database URL, Redis URL, pytest arguments...
  local name=$1 database=$2 redis=$3
  shift 3
  mkdir -p "$SCRATCH/$name/media"
  DATABASE_URL="$database" REDIS_URL="$redis" MEDIA_ROOT="$SCRATCH/$name/media" \
    "$BIN/pytest" -q -p no:cacheprovider --basetemp="$SCRATCH/$name/tmp" "$@" \
    >"$LOGS/$name.log" 2>&1
}

lane browser "" "" -m browser "$@" &
pids+=($!)
lane sqlite "" "" -m "not browser" "$@" &
pids+=($!)
lane postgres "$POSTGRES_URL" "$REDIS_TEST_URL" -m "not browser" "$@" &
pids+=($!)

echo "== ${#pids[@]} lanes started; logs in $LOGS/"
failed=0
declare -A status
remaining=${#pids[@]}
while ((remaining > 0)); do
  for i in "${!pids[@]}"; do
    [[ -n "${status[$i]:-}" ]] && continue
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      wait "${pids[$i]}"
      status[$i]=$?
      remaining=$((remaining - 1))
      summary=$(tail -n 1 "$LOGS/${names[$i]}.log")
      printf '== %s (%s s): exit %s: %s\n' "${titles[$i]}" "$(($(date +%s) - started))" \
        "${status[$i]}" "$summary"
      ((status[$i] == 0)) || failed=1
    fi
  done
  ((remaining > 0)) && sleep 5
done

for i in "${!names[@]}"; do
  echo
  echo "================ ${titles[$i]}: $LOGS/${names[$i]}.log ================"
  cat "$LOGS/${names[$i]}.log"
done
echo
echo "== all lanes in $(($(date +%s) - started)) s: $([[ $failed -eq 0 ]] && echo passed || echo FAILED)"
exit "$failed"
