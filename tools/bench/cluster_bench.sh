#!/usr/bin/env bash
# CDRs per second from 4 sensors into one central node writing MySQL. Not a test.
#
#   tools/bench/cluster_bench.sh [BUILD_DIR] [CDRS_PER_SENSOR] [SENSORS]
#
# Phase 1 (end to end): every sensor processes its own capture (CDRS_PER_SENSOR calls, SIP
# only) and uploads while it runs; the time is from the sensors' start until the last one has
# every CDR acknowledged (durable in MySQL).
# Phase 2 (upload only): the same CDRs are first parked in the sensors' outboxes while the
# server is down, then the server starts and the sensors upload their backlogs at once.
# Record the figures in docs/PERFORMANCE.md together with the command line.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
per_sensor=${2:-20000}
sensors=${3:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/voxmon-cluster-bench.XXXXXX)
chmod 755 "$dir"  # mariadbd runs as user mysql
mysql_port=$((34000 + RANDOM % 1000))
port=$((61000 + RANDOM % 1000))
cleanup() {
  [ -f "$dir/server.pid" ] && kill "$(cat "$dir/server.pid")" 2>/dev/null || true
  bash "$root/tools/scripts/mariadb.sh" stop "$dir/mariadb" || true
  rm -rf "$dir"
}
trap cleanup EXIT

url=$(bash "$root/tools/scripts/mariadb.sh" start "$dir/mariadb" "$mysql_port")
for i in $(seq "$sensors"); do
  "$build/tools/voxmon-gen" -q --seed "$i" --calls "$per_sensor" --cps 500 --outcomes busy=1 \
    -o "$dir/s$i.pcap"
  "$build/tools/voxmon-gen" -q --seed "$((100 + i))" --calls 1 --outcomes busy=1 -o "$dir/tiny$i.pcap"
  printf 'server_destination = 127.0.0.1:%s\nserver_password = bench\nid_sensor = %s\nserver_outbox = %s\n' \
    "$port" "$i" "$dir/outbox$i" >"$dir/s$i.conf"
  { cat "$dir/s$i.conf"; echo "server_flush_timeout = 1"; } >"$dir/s$i.park.conf"
done
printf 'server_bind = 127.0.0.1\nserver_bind_port = %s\nserver_password = bench\ncdr_journal = %s\n' \
  "$port" "$dir/server.journal" >"$dir/server.conf"

start_server() {
  "$build/voxmon" -c "$dir/server.conf" --db "${url%/*}/bench_$1" >"$dir/server.out" 2>"$dir/server.err" &
  echo $! >"$dir/server.pid"
  for _ in $(seq 100); do grep -q "listening" "$dir/server.err" && return; sleep 0.1; done
  echo "server did not start: $(cat "$dir/server.err")" >&2; exit 1
}
stop_server() { kill "$(cat "$dir/server.pid")"; wait "$(cat "$dir/server.pid")" 2>/dev/null || true; rm -f "$dir/server.pid"; }
run_sensors() {  # capture prefix, config suffix
  local pids=()
  for i in $(seq "$sensors"); do
    "$build/voxmon" -c "$dir/s$i$2.conf" -r "$dir/$1$i.pcap" --db none --no-progress --table-rows 0 \
      >"$dir/s$i.out" 2>"$dir/s$i.err" &
    pids+=($!)
  done
  local code=0
  for p in "${pids[@]}"; do wait "$p" || code=$?; done
  return $code
}
total=$((per_sensor * sensors))

start_server e2e
t0=$(date +%s.%N)
run_sensors s ""
t1=$(date +%s.%N)
stop_server
echo "end to end: $total CDRs from $sensors sensors in $(echo "$t1 - $t0" | bc) s = $(echo "$total / ($t1 - $t0)" | bc) CDRs/s"

rm -f "$dir"/outbox*
run_sensors s .park || true   # the server is down: CDRs stay in the outboxes
start_server upload
t0=$(date +%s.%N)
run_sensors tiny ""
t1=$(date +%s.%N)
stop_server
echo "upload only: $((total + sensors)) CDRs from $sensors backlogged sensors in $(echo "$t1 - $t0" | bc) s = $(echo "($total + $sensors) / ($t1 - $t0)" | bc) CDRs/s"
