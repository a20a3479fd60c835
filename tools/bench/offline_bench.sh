#!/usr/bin/env bash
# Offline throughput benchmark: generates a large capture with voxmon-gen (deterministic seed),
# then times `voxmon -r` on it several times and prints packets/s. Not a test.
#
#   tools/bench/offline_bench.sh [BUILD_DIR] [CALLS] [CONCURRENCY] [RUNS]
#
# Record the figures in docs/PERFORMANCE.md together with the command line.
set -euo pipefail
build=${1:-build}
calls=${2:-2000}
concurrency=${3:-500}
runs=${4:-3}
dir=$(mktemp -d /tmp/voxmon-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$build/tools/voxmon-gen" -q --seed 42 --calls "$calls" --concurrency "$concurrency" \
  --duration-min 20 --duration-max 60 --outcomes answered=1 -o "$dir/bench.pcap"
size=$(stat -c %s "$dir/bench.pcap")
echo "capture: $calls calls, concurrency $concurrency, $((size / 1048576)) MiB"

# db=spool: no store, savesip + savertp into a fresh spool directory per run under $dir (kept
# until the end: deleting a tree just before a run makes ext4 inode allocation slower).
for db in none sqlite spool; do
  for i in $(seq "$runs"); do
    rm -f "$dir/bench.db"
    dbarg=none
    extra=()
    [ "$db" = sqlite ] && dbarg="sqlite:$dir/bench.db"
    [ "$db" = spool ] && extra=(--savesip yes --savertp yes --spooldir "$dir/spool-$i")
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$dir/rss" "$build/voxmon" -r "$dir/bench.pcap" --db "$dbarg" \
      --no-progress --table-rows 0 "${extra[@]}" > "$dir/out.txt"
    end=$(date +%s.%N)
    packets=$(grep -o 'packets=[0-9]*' "$dir/out.txt" | head -1 | cut -d= -f2)
    cdrs=$(grep -o 'cdrs=[0-9]*' "$dir/out.txt" | head -1 | cut -d= -f2)
    awk -v p="$packets" -v s="$start" -v e="$end" -v c="$cdrs" -v db="$db" -v rss="$(cat "$dir/rss")" \
      'BEGIN { t = e - s; printf "db=%-6s packets=%d cdrs=%d wall=%.2fs rate=%.0f packets/s maxrss=%d MiB\n", db, p, c, t, p / t, rss / 1024 }'
  done
done
