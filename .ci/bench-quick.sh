#!/usr/bin/env bash
# .ci/bench-quick.sh - build the benchmark programs in the tree that .ci/run
# configured and run every workload on every runtime once, on small sizes.
# It checks that everything builds and every result is right; it asserts
# nothing about timings (CI machines are too noisy for that).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== bench-quick"
make -j"$(nproc)" bench-quick
