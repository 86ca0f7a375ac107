# plan.sh - what `make bench` runs, sourced by run.sh: one plan_workload
# line per workload, its size (full run; quick runs pass "quick" to the
# programs, which then pick small sizes), repetitions, timed runs inside a
# process, thread counts, and the implementations with their chunk
# (IMPL:CHUNK; no chunk means 0, the runtime's own default).
#
# Implementations a build lacks are skipped.  Chunks given to OpenMP's
# dynamic and guided schedules, pthreadpool and C-Thread-Pool are the hand
# tuning those runtimes need: their default (one item per dispatch) makes
# no sense for 10^8 cheap items.

omp_all="gomp-static gomp-dynamic gomp-guided omp-static omp-dynamic omp-guided"
peers_sum="$omp_all tbb tbb-det ptp-1d ptp-tile cthpool"

plan_workload pi 100000000 5 1 "$all_threads" \
  "serial wq wq-unordered gomp-static gomp-dynamic:100000 gomp-guided:1000
   omp-static omp-dynamic:100000 omp-guided:1000 tbb tbb-static tbb-det
   ptp-1d:100000 ptp-tile cthpool python-serial python-pool"

# EPCC overheads: one item per thread.
sync_peers="wq wq-unordered $omp_all tbb tbb-static tbb-det ptp-1d ptp-tile cthpool"
plan_workload forkjoin 0 5 1 "$all_threads" "$sync_peers"
plan_workload reduction 0 5 1 "$all_threads" "$sync_peers"
plan_workload forkjoin-cold 0 3 1 "$maxt" "$sync_peers"
