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
# The rows are interleaved (run 1 of each, run 2 of each, ...; every other run in reverse order)
# so that a change in the machine's load, or an after-effect of the run before, shows in all of
# them alike. As root, every run starts with the page cache dropped and the
# capture read back into it: on a VM, the first write to guest memory that was never used costs a
# hypervisor fault per page, so a saving run whose 300 MB of new page cache landed in such memory
# measured the VM's first touch rather than voxmon (262 MB written with dd: 0.44-0.61 s system
# time into untouched memory, 0.05 s after a drop).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A walls round
ratios=""  # per round: saving off / saving on of the same round (runs minutes apart see the
           # host at different speeds; a round's rows ran back to back)
for i in $(seq "$runs"); do
  order=(none sqlite spool)
  [ $((i % 2)) = 0 ] && order=(spool sqlite none)
  for db in "${order[@]}"; do
    if [ -w /proc/sys/vm/drop_caches ]; then
      sync
      echo 3 > /proc/sys/vm/drop_caches
      cat "$dir/bench.pcap" > /dev/null
    fi
    rm -f "$dir/bench.db"
    dbarg=none
    extra=()
    [ "$db" = sqlite ] && dbarg="sqlite:$dir/bench.db"
    [ "$db" = spool ] && extra=(--savesip yes --savertp yes --spooldir "$dir/spool-$i")
    start=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$dir/rss" "$build/voxmon" -r "$dir/bench.pcap" --db "$dbarg" \
      --no-progress --table-rows 0 "${extra[@]}" > "$dir/out.txt"
    end=$(date +%s.%N)
    packets=$(grep -o 'packets=[0-9]*' "$dir/out.txt" | head -1 | cut -d= -f2)
    cdrs=$(grep -o 'cdrs=[0-9]*' "$dir/out.txt" | head -1 | cut -d= -f2)
    read -r rss user sys < "$dir/rss"
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    walls[$db]="${walls[$db]:-} $wall"
    round[$db]=$wall
    awk -v p="$packets" -v t="$wall" -v c="$cdrs" -v db="$db" -v rss="$rss" -v u="$user" -v sy="$sys" \
      'BEGIN { printf "db=%-6s packets=%d cdrs=%d wall=%.2fs rate=%.0f packets/s cpu=%.2fs+%.2fs maxrss=%d MiB\n", db, p, c, t, p / t, u, sy, rss / 1024 }'
  done
  ratios="$ratios $(awk -v off="${round[none]}" -v on="${round[spool]}" 'BEGIN { printf "%.3f", off / on }')"
done
for db in none sqlite spool; do
  # shellcheck disable=SC2086  # the list splits on purpose
  echo "median wall db=$db: $(median ${walls[$db]}) s"
done
# shellcheck disable=SC2086
awk -v off="$(median ${walls[none]})" -v on="$(median ${walls[spool]})" \
  'BEGIN { printf "saving on (db=spool) / saving off (db=none), throughput by median wall: %.0f %%\n", 100 * off / on }'
# shellcheck disable=SC2086
echo "saving on / off within each round: $ratios; median $(awk -v m="$(median $ratios)" 'BEGIN { printf "%.0f %%", 100 * m }')"
