#!/usr/bin/env bash
# Installs, builds and runs the whole test suite. Tests that need ../shared/corpus skip with a
# message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install-deps.sh
bash tools/scripts/build.sh
bash tools/scripts/fuzz-smoke.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
