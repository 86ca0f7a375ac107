#!/usr/bin/env bash
# .ci/bench-quick.sh - build the benchmark programs in the tree that .ci/run
# configured and run every workload on every runtime once, on small sizes.
# It checks that everything builds and every result is right; it asserts
# nothing about timings (CI machines are too noisy for that).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== bench-quick"
make -j"$(nproc)" bench-quick
# Whatever the timings, the summary holds the loops between serial steps
# with the CPU spent in the steps, and every ratio comes from pairs.
out=bench/out
grep -q '^| work a thread' "$out/summary.md"
grep -q '^| 30 us | 1 ms | .*%)' "$out/summary.md"
[ "$(tail -n +2 "$out/ratios.csv" | wc -l)" -gt 0 ]
if grep -n unpaired "$out/summary.md"; then
  echo "bench-quick: a ratio above was not measured in pairs" >&2
  exit 1
fi
# The scaling sweep (make bench-scaling) once, on small sizes: every
# table is there, serial time and efficiency beside each figure.
echo "== bench-scaling (quick)"
make -s bench-scaling SCALING_ARGS=quick > /dev/null
for t in pi tri expo walk stencil forkjoin solver-200; do
  grep -q "^### $t: " "$out/scaling.md" ||
    { echo "bench-scaling: no $t table" >&2; exit 1; }
done
grep -q '^| wq | .*%) |' "$out/scaling.md"
if [ -x bench/bench-mpi ]; then
  grep -q '^### MPI: R ranks of 1 thread' "$out/scaling.md" ||
    { echo "bench-scaling: no MPI table" >&2; exit 1; }
fi
