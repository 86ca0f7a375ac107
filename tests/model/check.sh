#!/bin/sh
# check.sh - model-check the protocols of lib/queue.c, lib/pool.c and
# lib/scan.c with spin: every interleaving of each model, for assertions
# and invalid end states (deadlocks, lost wake-ups), and the absence of
# non-progress cycles (the ring in its 3-thread configurations, where that
# search stays small).
#
#   check.sh [SPIN [CC [MODEL_DIR]]]      (make model-check runs it)
set -eu
spin=${1:-spin}
cc=${2:-cc}
dir=${3:-$(cd "$(dirname "$0")" && pwd)}
command -v "$spin" >/dev/null 2>&1 ||
  { echo "check.sh: '$spin' not found (Debian: apt-get install spin)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check MODEL DEFINES MODE: MODE is safety or progress.
check() {
  model=$1 defines=$2 mode=$3
  (cd "$work" && "$spin" $defines -a "$dir/$model" >/dev/null)
  if [ "$mode" = safety ]; then flags=-DSAFETY run=; else flags=-DNP run=-l; fi
  $cc -O2 $flags -DCOLLAPSE -w -o "$work/pan" "$work/pan.c"
  out=$(cd "$work" && ./pan $run -m100000 -w22 2>&1) || true
  errors=$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p')
  states=$(printf '%s\n' "$out" | sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p')
  printf '%-10s %-16s %-8s %10s states  errors: %s\n' \
    "$model" "${defines:-as written}" "$mode" "$states" "${errors:-?}"
  if [ "${errors:-1}" != 0 ]; then
    printf '%s\n' "$out"
    (cd "$work" && "$spin" $defines -t -p "$dir/$model" | tail -40) || true
    exit 1
  fi
}

check ring.pml "" safety
check ring.pml "-DOPS=1" progress
check ring.pml "-DCONSUMERS=1" progress
check ring.pml "-DPRODUCERS=1" progress
check board.pml "" safety
check board.pml "" progress
check park.pml "" safety
check park.pml "" progress
check chain.pml "" safety
check chain.pml "-DNOTOTAL" safety
check chain.pml "" progress
echo "model-check: every interleaving checked, no errors"
