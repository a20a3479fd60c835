#!/usr/bin/env bash
# A short, deterministic libFuzzer run over the decoder and the SIP/SDP/RTP parsers (ASan +
# UBSan): the same seed and run count every time, so a failure here is reproducible. Longer
# runs: docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-2000000}
CXX=clang++ cmake -S . -B build-fuzz -DVOXMON_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --target fuzz_packet -j"$(nproc)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build-fuzz/tests/fuzz/fuzz_packet -seed=1 -runs="$runs" -max_len=4096 \
  -artifact_prefix="$work/" "$work" tests/fuzz/seeds 2>&1 | tail -n 3
echo "fuzz smoke: $runs runs clean"
