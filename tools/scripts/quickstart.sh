#!/usr/bin/env bash
# Quick start: install, build, make the sample capture with the project's own generator, and
# run voxmon on it with the embedded default store (sqlite:voxmon.db in sample/).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install-deps.sh
bash tools/scripts/build.sh
mkdir -p sample
build/tools/voxmon-gen --sample -o sample/sample.pcap
cd sample
../build/voxmon -r sample.pcap --cdr-jsonl sample.cdr.jsonl
echo
echo "CDRs: sample/sample.cdr.jsonl and sample/voxmon.db (sqlite3 sample/voxmon.db 'select * from cdr')"
