#!/bin/sh
# `grantd migrate --db postgres://...` against the cluster tests/pg/cluster made (run it
# through that script: GRANTD_PG_URL): four migrations at once all succeed (the advisory
# lock runs the schema's creation once, the others find it done), a fifth finds the
# database up to date, and the database then holds one default tenant.
# Usage: tests/pg/cluster tests/pg/migrate.sh GRANTD_BINARY
set -eu
bin=$1
: "${GRANTD_PG_URL:?run through tests/pg/cluster}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pids=""
for i in 1 2 3 4; do
  "$bin" migrate --db "$GRANTD_PG_URL" >"$out/$i" 2>&1 &
  pids="$pids $!"
done
fail=0
for pid in $pids; do
  wait "$pid" || fail=1
done
cat "$out"/1 "$out"/2 "$out"/3 "$out"/4
[ "$fail" -eq 0 ] || { echo "FAIL: a concurrent migrate failed"; exit 1; }
# each reports the version it saw before waiting for the lock, and 19 after it: the one
# that took the lock first created the schema, the others found it done (had two created
# it, the second would have failed on its tables, and there would be two default tenants)
reached=$(cat "$out"/1 "$out"/2 "$out"/3 "$out"/4 | grep -c 'schema version [0-9]* -> 19' || true)
[ "$reached" -eq 4 ] || { echo "FAIL: $reached of 4 migrations reached 19"; exit 1; }
again=$("$bin" migrate --db "$GRANTD_PG_URL")
echo "$again"
case "$again" in
  *"schema version 19 -> 19 (up to date)") ;;
  *) echo "FAIL: a second migrate was not up to date"; exit 1 ;;
esac
tenants=$("$bin" tenant list --db "$GRANTD_PG_URL")
echo "$tenants"
[ "$(echo "$tenants" | grep -c '^1 *default')" -eq 1 ] || { echo "FAIL: not one default tenant"; exit 1; }
echo "ok"
