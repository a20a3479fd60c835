#!/usr/bin/env bash
# Packet mirroring: sender cost, wire size, receiver throughput. Not a test.
#
#   [REPEAT=3] [PAYLOAD=noise|pattern] tools/bench/mirror_bench.sh [BUILD_DIR] [CALLS] [SENDERS]
#
# Every capture has CALLS calls of the generator's default mix (RTP, 30 s mean talk time;
# 2,000 calls are 4.2 M packets and 785 MB), sender i with seed i. RTP payloads are
# pseudo-random bytes (`voxmon-gen --payload noise`: coded speech compresses hardly at all);
# PAYLOAD=pattern gives the generator's compressible filler, as the runs before 2026-11-30 had.
# Steps 1-2 run REPEAT times (medians printed: CPU times vary run to run on a shared machine).
# 1. Sender cost: CPU seconds (user + sys, /usr/bin/time) per million packets of a mirror sender
#    (packetbuffer_sender = yes, file read as fast as acknowledged) against full local
#    processing (voxmon -r --db none) of the same capture; the issue's target is a ratio < 0.25.
# 2. Wire size: the sender's compression (compressed frame bytes / packet bytes, from its last
#    "mirror:" line, 2 decimals) and the estimated wire bytes (without TLS and TCP/IP headers)
#    against the pcap file size.
# 3. Receiver throughput: one central node (--db none, CDRs to JSON Lines), first 1 sender, then
#    SENDERS senders at once; the time is from the senders' start until the last one exits 0
#    (a sender exits once the receiver has processed all its frames and written the CDRs), the
#    packets are the sum of the senders' counts (the time includes each sender's start, join and
#    end handshake: 0.2-0.4 s); the receiver's CPU time is the difference of
#    utime + stime in /proc/PID/stat across that interval.
# Record the figures in docs/PERFORMANCE.md together with the command line and the load average.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
calls=${2:-2000}
senders=${3:-4}
repeat=${REPEAT:-3}  # runs of the single-sender measurements
payload=${PAYLOAD:-noise}
dir=$(mktemp -d /tmp/voxmon-mirror-bench.XXXXXX)
port=$((62000 + RANDOM % 1000))
hz=$(getconf CLK_TCK)
cleanup() {
  [ -f "$dir/server.pid" ] && kill "$(cat "$dir/server.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "load before: $(uptime | sed 's/.*load average: //'); RTP payloads: $payload"
for i in $(seq "$senders"); do
  "$build/tools/voxmon-gen" -q --seed "$i" --calls "$calls" --cps 20 --payload "$payload" -o "$dir/s$i.pcap"
  printf 'server_destination = 127.0.0.1:%s\nserver_password = bench\nid_sensor = %s\nserver_outbox = %s\npacketbuffer_sender = yes\n' \
    "$port" "$i" "$dir/outbox$i" >"$dir/m$i.conf"
done
printf 'server_bind = 127.0.0.1\nserver_bind_port = %s\nserver_password = bench\n' "$port" >"$dir/server.conf"

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime
start_server() {
  "$build/voxmon" -c "$dir/server.conf" --db none --cdr-jsonl "$dir/server$1.jsonl" \
    >"$dir/server.out" 2>"$dir/server.err" &
  echo $! >"$dir/server.pid"
  for _ in $(seq 100); do grep -q "central node listening" "$dir/server.err" && return; sleep 0.1; done
  echo "server did not start: $(cat "$dir/server.err")" >&2; exit 1
}
stop_server() { kill "$(cat "$dir/server.pid")"; wait "$(cat "$dir/server.pid")" 2>/dev/null || true; rm -f "$dir/server.pid"; }
mirror_line() { grep 'mirror: ' "$dir/m$1.err" | tail -1; }
sender_packets() { mirror_line "$1" | grep -o '[0-9]* packets' | head -1 | cut -d' ' -f1; }
sender_ratio() { mirror_line "$1" | sed 's/.*compression \([0-9.]*\).*/\1/'; }
cpu_of() { awk '{print $2 + $3}' "$1"; }  # /usr/bin/time -f '%e %U %S'
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }  # calc EXPR [DECIMALS]
per_m() { calc "$1 * 1000000 / $2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
run_senders() {  # N: senders 1..N at once; sets t0 t1 rx_cpu
  local pids=() code=0 spid c0
  spid=$(cat "$dir/server.pid")
  c0=$(cpu_ticks "$spid")
  t0=$(date +%s.%N)
  for i in $(seq "$1"); do
    /usr/bin/time -f '%e %U %S' -o "$dir/m$i.time" \
      "$build/voxmon" -c "$dir/m$i.conf" -r "$dir/s$i.pcap" >"$dir/m$i.out" 2>"$dir/m$i.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || code=$?; done
  t1=$(date +%s.%N)
  rx_cpu=$(calc "($(cpu_ticks "$spid") - $c0) / $hz" 2)
  if [ "$code" != 0 ]; then
    echo "a sender failed ($code):" >&2; tail -n 3 "$dir"/m*.err >&2; exit 1
  fi
}

# 1 + 2: REPEAT times local processing, then one sender, on capture 1; medians and ranges.
local_cpu=() tx_cpu=() rx1_cpu=() rx1_wall=()
start_server 1
for r in $(seq "$repeat"); do
  /usr/bin/time -f '%e %U %S' -o "$dir/local.time" \
    "$build/voxmon" -r "$dir/s1.pcap" --db none --cdr-jsonl "$dir/local.jsonl" --no-progress --table-rows 0 \
    >"$dir/local.out" 2>"$dir/local.err"
  local_cpu+=("$(cpu_of "$dir/local.time")")
  run_senders 1
  tx_cpu+=("$(cpu_of "$dir/m1.time")")
  rx1_cpu+=("$rx_cpu")
  rx1_wall+=("$(calc "$t1 - $t0" 2)")
  echo "run $r: local $(cat "$dir/local.time"), sender $(cat "$dir/m1.time") (wall user sys);" \
    "receiver CPU $rx_cpu s"
done
stop_server
local_packets=$(grep -o 'packets=[0-9]*' "$dir/local.out" "$dir/local.err" | head -1 | cut -d= -f2)
local_cdrs=$(wc -l <"$dir/local.jsonl")
packets=$(sender_packets 1)
ratio=$(sender_ratio 1)
size=$(stat -c %s "$dir/s1.pcap")
raw=$((size - 24 - 16 * packets))  # packet bytes: classic pcap, 16-byte record headers
wire=$(calc "$raw * $ratio" 0)
l=$(median "${local_cpu[@]}") t=$(median "${tx_cpu[@]}")
echo "capture: $calls calls, $packets packets ($local_packets locally), $size bytes, $local_cdrs CDRs locally"
echo "local processing CPU: $l s (range $(range "${local_cpu[@]}")) = $(per_m "$l" "$local_packets") s per M packets"
echo "mirror sender CPU:    $t s (range $(range "${tx_cpu[@]}")) = $(per_m "$t" "$packets") s per M packets"
echo "sender / local CPU: $(calc "$t * $local_packets / ($l * $packets)") (target < 0.25)"
echo "wire: compression $ratio of $raw packet bytes = ~$wire bytes, $(calc "$wire / $size") of the $size-byte pcap"
echo "sender log: $(mirror_line 1)"
wall=$(median "${rx1_wall[@]}") rx=$(median "${rx1_cpu[@]}")
echo "receiver, 1 sender: $packets packets in $wall s (range $(range "${rx1_wall[@]}")) = $(calc "$packets / $wall" 0)" \
  "packets/s; receiver CPU $rx s (range $(range "${rx1_cpu[@]}")) = $(per_m "$rx" "$packets") s per M packets;" \
  "$(wc -l <"$dir/server1.jsonl") CDRs in $repeat runs"

# 3: SENDERS senders at once.
start_server n
run_senders "$senders"
stop_server
total=0 tx_sum=0
for i in $(seq "$senders"); do
  total=$((total + $(sender_packets "$i")))
  tx_sum=$(calc "$tx_sum + $(cpu_of "$dir/m$i.time")" 2)
  grep -q 'lost 0 frames' <(mirror_line "$i") || echo "sender $i lost frames: $(mirror_line "$i")" >&2
done
wall=$(calc "$t1 - $t0" 2)
echo "receiver, $senders senders: $total packets in $wall s = $(calc "$total / $wall" 0) packets/s;" \
  "receiver CPU $rx_cpu s = $(per_m "$rx_cpu" "$total") s per M packets; senders' CPU $tx_sum s;" \
  "$(wc -l <"$dir/servern.jsonl") CDRs (expected $((local_cdrs * senders)) if every capture has as many as capture 1)"
echo "load after: $(uptime | sed 's/.*load average: //')"
