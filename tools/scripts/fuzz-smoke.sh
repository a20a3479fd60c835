#!/usr/bin/env bash
# A short, deterministic libFuzzer run over the decoder and the SIP/SDP/RTP parsers, over the
# mirror frame unpacker, and over the pcap file reader against libpcap (ASan + UBSan): the same
# seed and run count every time, so a failure here is reproducible. Longer runs: docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-2000000}
mirror_runs=$((runs / 4))
pcap_runs=$((runs / 100))  # each run writes and opens a file twice: ~1,000 runs/s
build=${VOXMON_FUZZ_BUILD:-build-fuzz}
CXX=clang++ cmake -S . -B "$build" -DVOXMON_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_packet fuzz_mirror_frame fuzz_pcap_file -j"$(nproc)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/packet" "$work/mirror" "$work/pcap"
"$build"/tests/fuzz/fuzz_packet -seed=1 -runs="$runs" -max_len=4096 \
  -artifact_prefix="$work/" "$work/packet" tests/fuzz/seeds 2>&1 | tail -n 3
echo "fuzz smoke: fuzz_packet $runs runs clean"
"$build"/tests/fuzz/fuzz_mirror_frame -seed=1 -runs="$mirror_runs" -max_len=4096 \
  -artifact_prefix="$work/" "$work/mirror" 2>&1 | tail -n 3
echo "fuzz smoke: fuzz_mirror_frame $mirror_runs runs clean"
"$build"/tests/fuzz/fuzz_pcap_file -seed=1 -runs="$pcap_runs" -max_len=4096 \
  -artifact_prefix="$work/" "$work/pcap" 2>&1 | tail -n 3
echo "fuzz smoke: fuzz_pcap_file $pcap_runs runs clean"
