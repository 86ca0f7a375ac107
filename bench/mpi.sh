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
#   a reduction of one item a rank at most twice MPI_Allreduce's latency.
#
# Environment: MPIEXEC, MPIEXEC_FLAGS (from configure), BENCH_BUILD,
# BENCH_OUT, WQ_BENCH_REPS (timed runs a configuration, default 11).
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

# one RANKS THREADS SCENARIO KIND: one configuration's CSV row.
one() {
  # shellcheck disable=SC2086 # MPIEXEC_FLAGS holds several words
  WQ_NUM_THREADS=$2 OMP_NUM_THREADS=$2 OMP_PROC_BIND=false \
    "$MPIEXEC" ${MPIEXEC_FLAGS:-} -n "$1" "$bin" "$3" "$4" | tee -a "$rows"
}

echo "scenario,kind,ranks,threads,n,median_s,min_s,max_s,result"
one 2 1 pi wq
one 1 2 pi local
one 2 1 pi hybrid
one 2 1 pi plain
one 2 1 tri wq
one 1 2 tri local
one 2 1 tri static
one 2 1 latency wq
one 2 1 latency allreduce
cat "$rows" >> "$csv"

# The verdicts: the median of wq's configuration over the yardstick's.
awk -F, '
  { t[$1 "," $2 "," $3] = $6 }
  function verdict(what, a, b, most) {
    r = t[a] / t[b]
    printf "%-46s %8.4f  target <= %.2f  %s\n", what, r, most,
      r <= most ? "met" : "MISSED"
  }
  END {
    print ""
    printf "%-46s %8s\n", "ratio (median over median)", "value"
    verdict("pi: 2x1 wq / 2x1 MPI+OpenMP hybrid", "pi,wq,2", "pi,hybrid,2", 1.03)
    verdict("pi: 2x1 wq / 1x2 wq", "pi,wq,2", "pi,local,1", 1.03)
    verdict("pi: 2x1 wq / 2x1 plain MPI", "pi,wq,2", "pi,plain,2", 1.03)
    verdict("tri: 2x1 wq / 1x2 wq", "tri,wq,2", "tri,local,1", 1.05)
    verdict("tri: 2x1 wq / 2x1 static MPI split", "tri,wq,2", "tri,static,2", 1.05)
    verdict("latency: wq_mpi_reduce / MPI_Allreduce", "latency,wq,2", "latency,allreduce,2", 2.0)
  }' "$rows"
