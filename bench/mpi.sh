#!/bin/sh
# mpi.sh - make bench-mpi: libwq-mpi against the hybrid codes people write
# by hand, on this machine's first two CPUs' worth of ranks and threads
# (bench/mpi.c says what each configuration runs).  Prints a table of
# medians with each target's verdict and appends the rows to
# $BENCH_OUT/mpi.csv:
#
#   pi 10^8, 2 ranks x 1 thread, within 3% of the MPI+OpenMP hybrid
#     (2 x 1) and of wq on 1 rank x 2 threads;
#   the triangular loop, 2 x 1, within 5% of 1 rank x 2 threads (and the
#     static MPI split of the rows beside it);
#   a reduction of one item a rank at most twice MPI_Allreduce's latency
#     (and, beside it, against two MPI_Allreduce calls in a row: a call
#     that agrees on its arguments before any callback runs, then moves
#     the partials, makes two collectives).
#
# Each configuration is one launch; the configurations run in rounds, each
# round in another order (a rotation), and a configuration's figure is the
# median over the rounds of each launch's median.
#
# Environment: MPIEXEC, MPIEXEC_FLAGS (from configure), BENCH_BUILD,
# BENCH_OUT, WQ_BENCH_REPS (timed runs a launch, default 11),
# WQ_BENCH_ROUNDS (rounds, default 3).
set -eu
bin="${BENCH_BUILD:-.}/bench/bench-mpi"
out="${BENCH_OUT:-${BENCH_BUILD:-.}/bench/out}"
mkdir -p "$out"
csv="$out/mpi.csv"
[ -n "${MPIEXEC:-}" ] || { echo "mpi.sh: no MPI launcher" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
# Open MPI binds each process to one core when it starts two or fewer:
# the 1 rank x 2 threads yardstick would then run both its threads on
# one CPU.  Every configuration runs unbound, as the hybrid codes it is
# compared with are run with their threads spread over the node.
bind=
if "$MPIEXEC" --version 2>/dev/null | grep -q 'Open MPI\|OpenRTE'; then
  bind="--bind-to none"
fi

# one RANKS THREADS SCENARIO KIND: one configuration's CSV row.
one() {
  # shellcheck disable=SC2086 # MPIEXEC_FLAGS holds several words
  WQ_NUM_THREADS=$2 OMP_NUM_THREADS=$2 OMP_PROC_BIND=false \
    "$MPIEXEC" ${MPIEXEC_FLAGS:-} $bind -n "$1" "$bin" "$3" "$4" | tee -a "$rows"
}

echo "scenario,kind,ranks,threads,n,median_s,min_s,max_s,result"
configs="2:1:pi:wq 1:2:pi:local 2:1:pi:hybrid 2:1:pi:plain 2:1:tri:wq
1:2:tri:local 2:1:tri:static 2:1:latency:wq 2:1:latency:allreduce
2:1:latency:twice"
count=$(echo $configs | wc -w)
round=0
while [ "$round" -lt "${WQ_BENCH_ROUNDS:-3}" ]; do
  # This round's order: the list rotated by the round's number.
  for c in $(echo $configs | tr ' ' '\n' | awk -v r="$round" -v n="$count" \
               '{ l[NR - 1] = $0 } END { for (i = 0; i < n; i++) print l[(i + r) % n] }'); do
    # shellcheck disable=SC2046 # the four fields, split at the colons
    one $(echo "$c" | tr ':' ' ')
  done
  round=$((round + 1))
done
cat "$rows" >> "$csv"

# The verdicts: the median of wq's configuration over the yardstick's.
awk -F, '
  { k = $1 "," $2 "," $3; v[k, ++m[k]] = $6 }
  function median(k,   i, j, x, n) {
    n = m[k]
    for (i = 1; i <= n; i++) s[i] = v[k, i]
    for (i = 2; i <= n; i++)
      for (j = i; j > 1 && s[j - 1] > s[j]; j--) { x = s[j]; s[j] = s[j - 1]; s[j - 1] = x }
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
  }
  function verdict(what, a, b, most) {
    r = median(a) / median(b)
    printf "%-46s %8.4f  target <= %.2f  %s\n", what, r, most,
      r <= most ? "met" : "MISSED"
  }
  END {
    print ""
    printf "%-46s %8s\n", "ratio (median of rounds over median)", "value"
    verdict("pi: 2x1 wq / 2x1 MPI+OpenMP hybrid", "pi,wq,2", "pi,hybrid,2", 1.03)
    verdict("pi: 2x1 wq / 1x2 wq", "pi,wq,2", "pi,local,1", 1.03)
    verdict("pi: 2x1 wq / 2x1 plain MPI", "pi,wq,2", "pi,plain,2", 1.03)
    verdict("tri: 2x1 wq / 1x2 wq", "tri,wq,2", "tri,local,1", 1.05)
    verdict("tri: 2x1 wq / 2x1 static MPI split", "tri,wq,2", "tri,static,2", 1.05)
    verdict("latency: wq_mpi_reduce / MPI_Allreduce", "latency,wq,2", "latency,allreduce,2", 2.0)
    printf "%-46s %8.4f  (two collectives: the floor)\n", \
      "latency: wq_mpi_reduce / 2 MPI_Allreduce", \
      median("latency,wq,2") / median("latency,twice,2")
  }' "$rows"
