#!/usr/bin/env bash
# Installs, builds and runs the whole test suite. Tests that need ../shared/corpus skip with a
# message when it is absent. The MySQL tests use a throwaway MariaDB started here
# (tools/scripts/mariadb.sh) and stopped at the end; set VOXMON_TEST_MYSQL to use another
# server instead, or VOXMON_NO_MARIADB=1 to skip them (not allowed in CI, CI=true).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bash tools/scripts/install-deps.sh
bash tools/scripts/build.sh
bash tools/scripts/fuzz-smoke.sh
if [ -z "${VOXMON_TEST_MYSQL:-}" ] && { [ "${CI:-}" = "true" ] || [ -z "${VOXMON_NO_MARIADB:-}" ]; }; then
  dbdir=$(mktemp -d /tmp/voxmon-mariadb.XXXXXX)
  # Below the kernel's ephemeral range (32768+), so no client socket of another test can hold it;
  # the private servers of the outage tests use the next ports up.
  port=${VOXMON_TEST_MYSQL_PORT:-23306}
  # A port in use (another MariaDB, a developer's own test server) moves us up to the next one.
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 100)); done
  trap 'bash "$root/tools/scripts/mariadb.sh" stop "$dbdir"; rm -rf "$dbdir"' EXIT
  VOXMON_TEST_MYSQL=$(bash tools/scripts/mariadb.sh start "$dbdir" "$port")
  export VOXMON_TEST_MYSQL
  echo "test.sh: MariaDB for the tests at $VOXMON_TEST_MYSQL"
fi
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
# The README's first command on what was just built: it must run and store every call of the
# sample (the generator's truth has one line per call).
bash tools/scripts/quickstart.sh > build/quickstart.log 2>&1 || { cat build/quickstart.log; exit 1; }
calls=$(wc -l < sample/sample.pcap.truth.jsonl)
jsonl=$(wc -l < sample/sample.cdr.jsonl)
stored=$(sqlite3 sample/voxmon.db 'select count(*) from cdr')
if [ "$calls" -eq 0 ] || [ "$jsonl" -ne "$calls" ] || [ "$stored" -ne "$calls" ]; then
  cat build/quickstart.log
  echo "test.sh: quick start: $calls calls in the sample, $jsonl CDRs in JSON Lines, $stored in sample/voxmon.db" >&2
  exit 1
fi
echo "test.sh: quick start: $calls calls, $jsonl CDRs in JSON Lines, $stored in sample/voxmon.db"
