#!/usr/bin/env bash
# Live capture: CPU and drops of a sensor and of a mirror sender reading an interface. Not a test.
#
#   [REPEAT=2] tools/bench/live_bench.sh [BUILD_DIR] [CALLS] [MULTIPLIER]
#
# Root only (a network namespace with a veth pair, like the live system tests). voxmon-gen
# writes CALLS calls of the default mix with speech-like payloads (--payload noise; 2,000 calls
# are 4.2 M packets); voxmon-replay plays them onto one end of the pair at MULTIPLIER x their
# own timing (8: ~200,000 packets/s at the busiest); on the other end, in turn and REPEAT times:
#   sensor: voxmon -i vb --db none (full analysis, CDRs to JSON Lines);
#   sender: a mirror sender (packetbuffer_sender = yes, interface = vb) into a central node in
#           the same namespace (--db none).
# CPU = utime + stime of the capturing process (/proc/PID/stat) from the replay's start until
# 1 s after its end; the sensor's packets come from its last status line, the sender's packets
# and capture drops from its last "mirror:" line. The replayer and the central node run on the
# same cores: on a 2-core machine they compete with the process measured.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
calls=${2:-2000}
multiplier=${3:-8}
repeat=${REPEAT:-2}
[ "$(id -u)" = 0 ] || { echo "live_bench.sh: needs root (network namespace, raw sockets)" >&2; exit 2; }
dir=$(mktemp -d /tmp/voxmon-live-bench.XXXXXX)
ns=voxmon-bench-$$
hz=$(getconf CLK_TCK)
cleanup() {
  for f in "$dir"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
in_ns() { ip netns exec "$ns" "$@"; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

"$build/tools/voxmon-gen" -q --seed 1 --calls "$calls" --cps 20 --payload noise -o "$dir/live.pcap"
port=$((62000 + RANDOM % 1000))
printf 'server_bind = 127.0.0.1\nserver_bind_port = %s\nserver_password = bench\n' "$port" >"$dir/server.conf"
printf 'server_destination = 127.0.0.1:%s\nserver_password = bench\nid_sensor = 7\nserver_outbox = %s/outbox\npacketbuffer_sender = yes\ninterface = vb\n' \
  "$port" "$dir" >"$dir/sender.conf"
echo "load before: $(uptime | sed 's/.*load average: //'); capture: $calls calls, $(stat -c %s "$dir/live.pcap") bytes, x$multiplier"

measure() {  # MODE RUN
  local mode=$1 pid c0 t0 c1 t1 rep
  rm -f "$dir"/*.jsonl
  if [ "$mode" = sender ]; then
    ip netns exec "$ns" "$build/voxmon" -c "$dir/server.conf" --db none --cdr-jsonl "$dir/server.jsonl" >/dev/null 2>"$dir/server.err" &
    echo $! >"$dir/server.pid"
    for _ in $(seq 100); do grep -q "central node listening" "$dir/server.err" && break; sleep 0.1; done
    ip netns exec "$ns" "$build/voxmon" -c "$dir/sender.conf" >/dev/null 2>"$dir/run.err" &
    pid=$!
    for _ in $(seq 100); do grep -q "mirroring to" "$dir/run.err" && break; sleep 0.1; done
  else
    ip netns exec "$ns" "$build/voxmon" -i vb --db none --cdr-jsonl "$dir/sensor.jsonl" >/dev/null 2>"$dir/run.err" &
    pid=$!
    for _ in $(seq 100); do grep -q "sensor running" "$dir/run.err" && break; sleep 0.1; done
  fi
  echo "$pid" >"$dir/run.pid"
  c0=$(ticks "$pid"); t0=$(date +%s.%N)
  rep=$(in_ns "$build/tools/voxmon-replay" -i va --multiplier "$multiplier" "$dir/live.pcap" 2>&1 | tail -1)
  sleep 1
  c1=$(ticks "$pid"); t1=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true; rm -f "$dir/run.pid"
  if [ "$mode" = sender ]; then
    kill "$(cat "$dir/server.pid")"; wait "$(cat "$dir/server.pid")" 2>/dev/null || true; rm -f "$dir/server.pid"
    local line; line=$(grep 'mirror: ' "$dir/run.err" | tail -1)
    local packets; packets=$(echo "$line" | grep -o '[0-9]* packets' | head -1 | cut -d' ' -f1)
    local drops; drops=$(echo "$line" | sed 's/.*capture drops \([0-9]*\).*/\1/')
    echo "sender run $2: CPU $(awk "BEGIN{printf \"%.2f\", ($c1-$c0)/$hz}") s in $(awk "BEGIN{printf \"%.1f\", $t1-$t0}") s;" \
      "$packets packets sent, $drops dropped by the capture = $(awk "BEGIN{printf \"%.3f\", ($c1-$c0)/$hz*1000000/$packets}") CPU s per M packets;" \
      "receiver CDRs $(wc -l <"$dir/server.jsonl"); replay: $rep"
  else
    local stopped; stopped=$(grep 'stopped: ' "$dir/run.err" | tail -1)
    local packets; packets=$(echo "$stopped" | sed 's/.*stopped: \([0-9]*\) packets.*/\1/')
    local drops; drops=$(grep -o 'total [0-9]* kernel' "$dir/run.err" | tail -1 | cut -d' ' -f2 || true)
    echo "sensor run $2: CPU $(awk "BEGIN{printf \"%.2f\", ($c1-$c0)/$hz}") s in $(awk "BEGIN{printf \"%.1f\", $t1-$t0}") s;" \
      "$packets packets, ${drops:-0} dropped by the kernel = $(awk "BEGIN{printf \"%.3f\", ($c1-$c0)/$hz*1000000/$packets}") CPU s per M packets;" \
      "CDRs $(wc -l <"$dir/sensor.jsonl"); replay: $rep"
  fi
}

for r in $(seq "$repeat"); do
  measure sensor "$r"
  measure sender "$r"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
