# plan.sh - what `make bench` and `make compare` run, sourced by run.sh.
# One plan_workload line per workload:
#
#   plan_workload NAME "SIZES" "QUICK SIZES" REPS INNER "THREADS" "CONFIGS"
#
# SIZES are passed to the programs (0: their default); QUICK SIZES are used
# by `make bench-quick`; REPS is the number of processes per configuration
# (bench-quick: 1), INNER the timed runs inside each process; CONFIGS are
# IMPL or IMPL:CHUNK (chunk 0, the runtime's default, when not given).
# Implementations a build lacks are skipped.  OpenMP configurations run
# with the runtime's default wait policy and with OMP_WAIT_POLICY=active
# unless omp_tunings says otherwise.
#
# Chunks given to OpenMP's dynamic and guided schedules, pthreadpool and
# C-Thread-Pool are the hand tuning those runtimes need: their default of
# one item a dispatch is far too fine for 10^8 cheap items.

omp="gomp-static gomp-dynamic gomp-guided omp-static omp-dynamic omp-guided"
up_to=$all_threads

# The second set of processes (run.sh): pairs of wq and the best peer for
# each ratio of the summary.  Schedbench's figures scatter most, and a cold
# fork-join process takes five seconds.  The loops between serial steps
# have a target at each of 24 points: with 11 pairs the median of a
# comparison of wq with itself wanders by up to 2 to 6% on a shared 2-CPU
# host, so that a runtime level with the best peer would show several
# points above the bound of 1.02 in every run; 41 pairs halve the
# wandering (about 12 minutes more).
pairs_of() {
  if [ -n "${BENCH_PAIRS:-}" ]; then echo "$BENCH_PAIRS"
  elif [ -n "$quick" ]; then echo 1
  elif [ "$mode" = compare ]; then echo 5
  else
    case $1 in
      forkjoin-cold) echo 5 ;;
      sched) echo 31 ;;
      solver-*) echo 41 ;;
      *) echo 11 ;;
    esac
  fi
}

# ---------------------------------------------------------------- compare --
# `make compare`: the seed workloads, serial against parallel on every
# runtime, at their full sizes, on one thread and on all of them, with one
# natural configuration a runtime (OpenMP at its default wait policy) and
# three processes each (Python, slow, one); about five minutes on two CPUs.
if [ "$mode" = compare ]; then
  omp_tunings=default python_reps=1
  ends=$(echo 1 "$maxt" | tr ' ' '\n' | sort -un | tr '\n' ' ')
  each="serial wq gomp-static omp-static tbb ptp-tile cthpool"
  plan_workload pi 100000000 1000000 3 3 "$ends" "$each python-serial
     python-pool"
  plan_workload walk 10000 1000 3 3 "$ends" "$each"
  plan_workload squares 10 10 3 1001 "$ends" "$each"
  plan_workload squares 10000000 100000 3 5 "$ends" "$each"
  plan_workload map 1000000 10000 3 3 "$ends" "$each"
  plan_workload sort "100 10000 100000" "10 1000" 3 5 "$ends" \
    "serial wq gomp-dynamic omp-dynamic tbb ptp-1d cthpool"
  plan_workload slowadd 0 0 3 1 "1 10" \
    "serial wq:1 gomp-dynamic:1 omp-dynamic:1 tbb:1 ptp-1d cthpool:1"
  uneven="serial wq gomp-static gomp-dynamic:16 omp-static omp-dynamic:16
     tbb ptp-1d cthpool:64"
  plan_workload tri 14000 2000 3 1 "$ends" "$uneven"
  plan_workload expo 50000 2000 3 1 "$ends" "$uneven"
  return 0
fi

# ---------------------------------------------------------- seed workloads --
plan_workload pi 100000000 1000000 21 3 "$up_to" \
  "serial wq wq-unordered gomp-static gomp-dynamic:100000 gomp-guided:1000
   omp-static omp-dynamic:100000 omp-guided:1000 tbb tbb-static tbb-det
   ptp-1d:100000 ptp-tile cthpool python-serial python-pool"

plan_workload walk 10000 1000 5 3 "$up_to" \
  "serial wq gomp-static gomp-dynamic:16 gomp-guided omp-static
   omp-dynamic:16 omp-guided tbb tbb-static ptp-1d:16 ptp-tile cthpool
   python-serial python-pool"

balanced="serial wq gomp-static gomp-dynamic:1024 gomp-guided omp-static
   omp-dynamic:1024 omp-guided tbb tbb-static ptp-1d:1024 ptp-tile cthpool"
plan_workload squares 10 10 5 1001 "$up_to" "$balanced"
plan_workload squares 10000000 100000 5 5 "$up_to" "$balanced"
plan_workload map 1000000 10000 5 3 "$up_to" "$balanced"

tasks="serial wq gomp-static gomp-dynamic omp-static omp-dynamic tbb ptp-1d
   cthpool"
plan_workload sort "10 100 1000 10000" "10 1000" 5 51 "$up_to" "$tasks"
plan_workload sort 100000 100000 5 5 "$up_to" "$tasks"
plan_workload sort 1000000 "" 3 1 "$up_to" "$tasks"

omp_tunings=default
plan_workload slowadd 0 0 3 1 "1 2 5 10" \
  "serial wq:1 gomp-static gomp-dynamic:1 omp-dynamic:1 tbb:1 ptp-1d
   cthpool:1"

# Uneven loops: wq's chunk 0 against OpenMP schedules tuned by hand.
hand="static static:1 static:16 dynamic dynamic:16 dynamic:64 guided guided:16"
uneven="serial wq $(for s in $hand; do printf 'gomp-%s omp-%s ' "$s" "$s"; done)
   tbb tbb-static ptp-1d ptp-tile:16 cthpool:64"
plan_workload tri 14000 2000 5 1 "$up_to" "$uneven"
plan_workload expo 50000 2000 5 1 "$up_to" "$uneven"
omp_tunings="default active"

# ------------------------------------------------------------------ scans --
# An inclusive prefix sum of 10^8 doubles (bench/prefix.c): wq_scan against
# the serial loop, oneTBB's parallel_scan and OpenMP's scan directive, each
# at its default partitioning.  Memory-bound; BENCH_ONLY=scan runs it alone.
plan_workload scan 100000000 1000000 9 3 "$up_to" \
  "serial wq gomp-static omp-static tbb"

# ---------------------------------------------------------------- 2-D loops --
# A tiled stencil (bench/stencil.c): every runtime's 2-D loop at its own
# default tile and with square tiles of 256 cells a side, on 1, 2, 4, ...
# threads and the largest count.  The schedule is what is tuned, not the
# wait policy: a sweep lasts milliseconds.
omp_tunings=default
grid_threads= t=1
while [ "$t" -lt "$maxt" ]; do grid_threads="$grid_threads $t" t=$((t * 2)); done
plan_workload stencil 4096 256 5 3 "$grid_threads $maxt" \
  "serial wq wq:256 gomp-static gomp-static:256 gomp-dynamic:256 omp-static
   omp-static:256 omp-dynamic:256 tbb tbb:256 tbb-static:256 ptp-tile
   ptp-tile:256 cthpool"
omp_tunings="default active"

# --------------------------------------------------------------- overheads --
pools="wq $omp tbb tbb-static ptp-1d ptp-tile cthpool"
plan_workload forkjoin 0 0 11 1 "$up_to" "$pools"
plan_workload reduction 0 0 11 1 "$up_to" "wq wq-unordered $omp tbb tbb-det
   ptp-1d ptp-tile cthpool"
plan_workload forkjoin-cold 0 0 2 1 "$maxt" "$pools"
# Chunk 1, the target's, in more processes: its figures are a few ns, and
# one process's scatter on a shared machine is ten times that (-14 to +59 ns
# a chunk, from how fast each virtual CPU ran while the process measured its
# reference and then its loops).  The median of 21 processes still moves by
# 2.5 ns from run to run, as much as wq and pthreadpool differ; wq and the
# dynamic schedules the target names get 101 (a minute and a half more).
# The list below is the one summary.awk's per-chunk target compares with.
sched1= sched1x= sched=
for c in 1 2 4 8 16 32 64 128 256 512 1024; do
  for impl in wq $omp tbb ptp-1d ptp-tile cthpool; do
    case $c:$impl in
      1:wq|1:gomp-dynamic|1:omp-dynamic|1:tbb|1:ptp-1d)
        sched1x="$sched1x $impl:$c" ;;
      1:*) sched1="$sched1 $impl:$c" ;;
      *) sched="$sched $impl:$c" ;;
    esac
  done
done
plan_workload sched 0 0 101 1 "$maxt" "$sched1x"
plan_workload sched 0 0 21 1 "$maxt" "$sched1"
plan_workload sched 0 0 9 1 "$maxt" "$sched"
# The same target measured without schedbench's delays (bench/dispatch.c):
# 10^7 empty chunks of one item, the dynamic schedules it names and wq.
# OpenMP at its default wait policy only: a loop lasts 0.5 s (libgomp) to
# 2.4 s (libomp, 475 ns a chunk), so the policy, which decides how fast a
# thread starts, is a part in 10^4 of it.
omp_tunings=default
plan_workload dispatch 10000000 100000 11 5 "$maxt" \
  "wq:1 gomp-dynamic:1 omp-dynamic:1 tbb:1 ptp-1d:1"
omp_tunings="default active"
plan_workload idle 0 0 3 1 "$maxt" "$pools"
plan_workload idle-spin 0 0 3 1 "$maxt" "$pools"

# ------------------------------------------------ loops between serial steps --
# solver-S: a serial step of S us, then one piece of SIZE us a thread, the
# runtimes at their defaults (and OpenMP's active policy, as information).
# Three processes each choose the best peer; the pairs measure the ratio.
# Below the largest thread count, the 30 us row alone, on 1, 2, 4, ...
# threads: every count would outlast the rest of the run on many cores.
solver="wq gomp-static omp-static tbb ptp-1d"
below= t=1
while [ "$t" -lt "$maxt" ]; do below="$below $t" t=$((t * 2)); done
for s in 0 50 200 1000 5000 10000; do
  plan_workload solver-$s "10 30 300 1000" "30 300" 3 1 "$maxt" "$solver"
  [ -z "$below" ] || plan_workload solver-$s 30 "" 3 1 "$below" "$solver"
done
