#!/usr/bin/env bash
# voxmon benchmark (issue 3): generates four workloads with voxmon-gen, runs `voxmon -r` and
# `tshark -q -z rtp,streams -z sip,stat` on each file in the same run, and prints one table row
# per workload and tool (Markdown, ready for docs/PERFORMANCE.md). Not a test.
#
#   tools/bench/run_all.sh BUILD_DIR [--scale F] [--keep DIR] [--no-tshark] [--perf]
#
# --scale F multiplies the packet time and talk times of every workload (1 = the issue's
# sizes; 0.1 for a quick run) and the call count of (d). Needs about 230 bytes of disk per packet in $TMPDIR;
# each file is deleted after use unless --keep. --perf records `perf record -g` of voxmon on
# workload (a) into DIR/perf.data (with --keep) and prints the top symbols.
#
# Workloads:
#  (a) 1,000 concurrent G.711 calls (PCMU/PCMA, 20 ms, talk 50-70 s), 600 s of packet time
#  (b) 20,000 concurrent G.711 calls (talk 10-20 s), 30 s of packet time
#  (c) SIP only: 2,000 call attempts/s for 120 s (busy, declined, cancel, no answer, unanswered)
#  (d) 100,000 calls set up and held (answered, ~0.5 s of RTP both ways, never hung up):
#      bytes per concurrent call = (peak RSS of (d) - peak RSS of an empty run) / calls
set -euo pipefail
build=${1:?usage: run_all.sh BUILD_DIR [--scale F] [--keep DIR] [--no-tshark] [--perf]}
shift
scale=1 keep= tshark=1 perf=0
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --no-tshark) tshark=0; shift ;;
    --perf) perf=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
gen="$build/tools/voxmon-gen"
vox="$build/voxmon"
dir=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/voxmon-bench.XXXXXX")}
mkdir -p "$dir"
[ -z "$keep" ] && trap 'rm -rf "$dir"' EXIT
calc() { awk "BEGIN { printf \"%.${2:-0}f\", $1 }"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "# CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "# command: tools/bench/run_all.sh $build --scale $scale; voxmon $($vox --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1)"
echo
echo "| workload | tool | packets | MB | wall s | user s | sys s | packets/s | Mbit/s | peak RSS MiB | bytes/conc. call | CDRs | CDRs/s | speed vs tshark |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"

# Baseline RSS: voxmon on a capture with a single call.
"$gen" -q --seed 1 --calls 1 --outcomes busy=1 -o "$dir/empty.pcap"
/usr/bin/time -f "%M" -o "$dir/empty.time" "$vox" -r "$dir/empty.pcap" --db none --no-progress --table-rows 0 >/dev/null
base_rss=$(cat "$dir/empty.time")

# run NAME CONCURRENT -- generator args
run() {
  local name=$1 conc=$2; shift 3
  local pcap="$dir/$name.pcap"
  "$gen" -q --seed 42 -o "$pcap" "$@"
  cat "$pcap" > /dev/null  # page cache
  local bytes packets
  bytes=$(stat -c %s "$pcap")
  /usr/bin/time -f "%e %U %S %M" -o "$dir/$name.vtime" "$vox" -r "$pcap" --db none --no-progress \
    --table-rows 0 --cdr-jsonl "$dir/$name.cdr.jsonl" > "$dir/$name.vout"
  packets=$(grep -o 'packets=[0-9]*' "$dir/$name.vout" | head -1 | cut -d= -f2)
  local cdrs; cdrs=$(wc -l < "$dir/$name.cdr.jsonl")
  read -r vw vu vs vr < "$dir/$name.vtime"
  local tw=0
  if [ "$tshark" = 1 ]; then
    /usr/bin/time -f "%e %U %S %M" -o "$dir/$name.ttime" tshark -q -r "$pcap" -z rtp,streams -z sip,stat > "$dir/$name.tout" 2>/dev/null
    read -r tw tu ts tr < "$dir/$name.ttime"
  fi
  local per_call=$(( (vr - base_rss) * 1024 / conc ))
  local ratio="-"; [ "$tshark" = 1 ] && ratio="$(calc "$tw / $vw" 1)x"
  echo "| $name | voxmon | $packets | $(calc "$bytes/1e6") | $vw | $vu | $vs | $(calc "$packets/$vw") | $(calc "$bytes*8/1e6/$vw") | $(calc "$vr/1024") | $per_call | $cdrs | $(calc "$cdrs/$vw") | $ratio |"
  if [ "$tshark" = 1 ]; then
    echo "| $name | tshark | $packets | $(calc "$bytes/1e6") | $tw | $tu | $ts | $(calc "$packets/$tw") | $(calc "$bytes*8/1e6/$tw") | $(calc "$tr/1024") | $(( (tr) * 1024 / conc )) | - | - | 1x |"
  fi
  if [ "$perf" = 1 ] && [ "$name" = a ]; then
    perf record -g -o "$dir/perf.data" "$vox" -r "$pcap" --db none --no-progress --table-rows 0 >/dev/null 2>&1
    perf report -i "$dir/perf.data" --no-children --percent-limit 1.5 --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 > "$dir/perf.top"
  fi
  [ -z "$keep" ] && rm -f "$pcap"
  return 0
}

ta=$(calc "600 * $scale"); tb=$(calc "30 * $scale"); tc=$(calc "120 * $scale"); nd=$(calc "100000 * $scale")
# Concurrency mode: each slot runs back-to-back calls of talk time + ~3 s of signalling.
run a 1000 -- --calls "$(calc "1000 * ($ta / (60 * $scale + 3) + 1)")" --concurrency 1000 \
  --duration-min "$(calc "50 * $scale" 2)" --duration-max "$(calc "70 * $scale" 2)" \
  --outcomes answered=1 --codecs PCMU=1,PCMA=1
run b 20000 -- --calls "$(calc "20000 * ($tb / (15 * $scale + 3) + 1)")" --concurrency 20000 \
  --duration-min "$(calc "10 * $scale" 2)" --duration-max "$(calc "20 * $scale" 2)" \
  --outcomes answered=1 --codecs PCMU=1,PCMA=1
run c "$(calc "2000 * 14")" -- --calls "$(calc "2000 * $tc")" --cps 2000 \
  --outcomes busy=3,declined=2,cancel=2,noanswer=2,unanswered=1
run d "$nd" -- --calls "$nd" --cps 10000 --hold-open --duration-min 0.4 --duration-max 0.6 \
  --outcomes answered=1 --codecs PCMU=1,PCMA=1
echo
echo "# baseline RSS (one call): $((base_rss / 1024)) MiB; (c) 'concurrent' = 2,000 cps x ~14 s mean call life"
[ -f "$dir/perf.top" ] && { echo "# perf (workload a, self time):"; sed 's/^/#   /' "$dir/perf.top"; }
exit 0
