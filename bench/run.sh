#!/bin/sh
# run.sh - the benchmark driver of `make bench`, `make compare` and
# `make bench-quick`.
#
#   run.sh bench|compare|bench-quick [WORKLOAD...]
#
# Runs one process per implementation, configuration and repetition,
# alternating implementations (A B C, then B C A, ...) so that one runtime's
# spinning threads never slow the next, and hands the rows to report.awk
# (tables, results.csv).  Then a second, disjoint set of processes: for each
# ratio of the summary, pairs of wq and the peer the first set found
# fastest (pairs.awk: the median ratio and difference, with intervals).  Last,
# summary.awk (the targets, summary.md) and plot.sh (PNGs).  compare runs
# the seed workloads alone, with fewer processes (plan.sh).
# Environment (set by make):
#   BENCH_BUILD     the build folder; BENCH_PROGRAMS the programs, relative
#   BENCH_SRC       this folder (pool.py, report.awk, plot.sh)
#   BENCH_OUT       where results go (bench/out in the build folder)
#   PYTHON3 GNUPLOT the programs, or "no"
#   BENCH_REPS      override the repetitions of every workload
#   BENCH_PAIRS     override the pairs of processes of every comparison
#                   (0: none; the summary's ratios are then the first
#                   set's medians')
#   BENCH_THREADS   the largest thread count (default: the usable CPUs)
#   BENCH_ONLY      run only these workloads (as the arguments do)
#   BENCH_IMPLS     run only these implementations
#   BENCH_QUIET     percent of all CPUs other programs may use before a run
#                   starts (default 15 for bench, off for bench-quick): each
#                   run waits, up to 10 s, for a quiet moment, because a
#                   shared machine's bursts would otherwise land in the
#                   medians.  0 turns the wait off.
#   BENCH_LINK      percent of its best that a cache line's round trip
#                   between two CPUs may take before an overhead run on
#                   2 or more threads (forkjoin, forkjoin-cold, reduction,
#                   sched, dispatch) starts (default 150 for bench, off for
#                   bench-quick): each such run waits, up to 10 s, for the
#                   host to place the virtual CPUs as it did at their
#                   fastest (bench/link.c says why).  0 turns the wait off.
set -u
mode=full
[ "${1:-}" = bench-quick ] && mode=quick
[ "${1:-}" = compare ] && mode=compare
[ $# -gt 0 ] && shift
only=" $* ${BENCH_ONLY:-} "
impls_only=" ${BENCH_IMPLS:-} "
src=${BENCH_SRC:?} out=${BENCH_OUT:?} build=${BENCH_BUILD:?}
mkdir -p "$out"
rm -f "$out"/*.dat "$out"/*.png # a run's plots show that run alone
quick=
[ "$mode" = quick ] && quick=quick
cpus=$(nproc)
maxt=${BENCH_THREADS:-$cpus}

# --------------------------------------------------------------- machine --
# The description that goes with every result.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
[ -n "$cpu" ] || cpu=$(uname -m)
kernel=$(uname -sr)
{
  echo "cpu: $cpu"
  echo "cores: $cpus usable ($(getconf _NPROCESSORS_ONLN) online)"
  echo "kernel: $kernel"
  echo "compilers: $(gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /')" \
       "$(clang --version 2>/dev/null | head -n 1)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode: $mode"
} > "$out/machine.txt"

# ------------------------------------------------- who runs which impl --
# impls.txt: "impl command..." for every implementation a program offers,
# and scenarios.txt: "program workload" for the workloads it knows.
: > "$out/impls.txt"
: > "$out/scenarios.txt"
add_program() { # command...
  list=$("$@" --list) || return
  echo "$list" | sed -n 1p | tr ' ' '\n' | while read -r impl; do
    echo "$impl $*" >> "$out/impls.txt"
  done
  echo "$list" | sed -n 2p | tr ' ' '\n' | while read -r w; do
    echo "$1 $w" >> "$out/scenarios.txt"
  done
}
for p in ${BENCH_PROGRAMS:-}; do add_program "$build/$p"; done
if [ "${PYTHON3:-no}" != no ]; then
  add_program "$PYTHON3" "$src/pool.py"
fi
command_of() { sed -n "s/^$1 //p" "$out/impls.txt"; }
# One rate of the busy loop for the whole run, so that a piece of the loops
# between serial steps is the same work in every process (bench/solver.c).
if [ -z "${BENCH_DELAY_RATE:-}" ]; then
  for p in ${BENCH_PROGRAMS:-}; do
    BENCH_DELAY_RATE=$("$build/$p" --delay-rate 2>/dev/null) && break
  done
fi
export BENCH_DELAY_RATE
echo "delay rate: ${BENCH_DELAY_RATE:-none} iterations a microsecond" >> "$out/machine.txt"
knows() { # impl workload (solver-200 is known as solver-N)
  prog=$(command_of "$1" | cut -d' ' -f1)
  [ -n "$prog" ] || return 1
  grep -q "^$prog $2\$" "$out/scenarios.txt" && return 0
  case $2 in
    *-[0-9]*) grep -q "^$prog ${2%-*}-N\$" "$out/scenarios.txt" ;;
    *) return 1 ;;
  esac
}

# ------------------------------------------------------------ tunings --
# Every OpenMP configuration runs with the runtime's defaults and with its
# best tuning for latency: threads that never stop spinning.  The variables
# are always set or unset explicitly and recorded with the results.
# plan.sh may set omp_tunings to "default" for workloads where the
# schedule, not the wait policy, is what is tuned.
omp_tunings="default active"
python_reps=3
tunings_of() {
  case $1 in
    gomp-*|omp-*) echo "$omp_tunings" ;;
    *) echo "default" ;;
  esac
}
tuning_env() {
  case $1 in
    active) echo "OMP_WAIT_POLICY=active GOMP_SPINCOUNT=infinite KMP_BLOCKTIME=infinite" ;;
    *) echo "" ;;
  esac
}

# ---------------------------------------------------------------- plan --
# plan.txt, one line a process, in the order they run:
#   workload impl threads size chunk inner tuning rep
plan=$out/plan.txt
: > "$plan"
listed() { # WORD LIST: true if the list is empty or holds the word
  [ -z "$(echo $2)" ] && return 0
  case " $2 " in *" $1 "*) return 0 ;; esac
  return 1
}
# plan_workload WORKLOAD "SIZES" "QUICK-SIZES" REPS INNER "THREADS" \
#               "IMPL:CHUNK ..."
plan_workload() {
  w=$1 sizes=$2 reps=${BENCH_REPS:-$4} inner=$5 threads=$6 configs=$7
  listed "$w" "$only" || return 0
  [ -n "$quick" ] && { sizes=$3 reps=${BENCH_REPS:-1}; }
  rep=1
  while [ "$rep" -le "$reps" ]; do
    for size in $sizes; do plan_configs; done
    rep=$((rep + 1))
  done
}
. "$src/rotate.sh" # rotated
# Each repetition starts one configuration further on (A B C, B C A,
# C A B, ...): every runtime takes every place in the order, so none is
# always the first to need both CPUs after the 1-thread runs, the moment a
# shared host may have given the idle CPU away.
plan_configs() {
    for t in $threads; do
      for cfg in $(rotated $((rep - 1)) $configs); do
        impl=${cfg%%:*} chunk=${cfg#*:}
        [ "$chunk" = "$cfg" ] && chunk=0
        listed "$impl" "$impls_only" || continue
        knows "$impl" "$w" || continue
        case $impl in serial|python-serial) [ "$t" = 1 ] || continue ;; esac
        # Python is slow: three repetitions are plenty (plan.sh may say
        # fewer).
        case $impl in python-*) [ "$rep" -le "$python_reps" ] || continue ;; esac
        for tun in $(tunings_of "$impl"); do
          echo "$w $impl $t $size $chunk $inner $tun $rep" >> "$plan"
        done
      done
    done
}
threads_upto() { seq 1 "$1" | tr '\n' ' '; }
# Pairs of processes for each of a workload's comparisons; plan.sh may
# say otherwise.
pairs_of() { [ -n "$quick" ] && echo "${BENCH_PAIRS:-1}" || echo "${BENCH_PAIRS:-11}"; }
all_threads=$(threads_upto "$maxt")

. "$src/plan.sh"

# ----------------------------------------------------------------- run --
quiet=${BENCH_QUIET:-15}
[ -n "$quick" ] && quiet=${BENCH_QUIET:-0}
# Percent of all CPUs busy over 50 ms, from /proc/stat's first line.
busy_percent() {
  a=$(head -n 1 /proc/stat); sleep 0.05; b=$(head -n 1 /proc/stat)
  echo "$a $b" | awk '{ n = (NF - 2) / 2; t = 0; i = 0
    for (k = 2; k <= n + 1; k++) { d = $(k + n + 1) - $k; t += d
      if (k == 5 || k == 6) i += d }
    print (t > 0 ? int(100 * (t - i) / t) : 0) }'
}
waited=0 noisy=0 skip=0
# Wait up to 10 s; a machine still busy then is busy for longer than waiting
# can help, so the next 50 runs go ahead without asking.
wait_quiet() {
  [ "$quiet" -gt 0 ] && [ -r /proc/stat ] || return 0
  [ "$skip" -gt 0 ] && { skip=$((skip - 1)); return 0; }
  tries=0
  while [ "$(busy_percent)" -gt "$quiet" ]; do
    tries=$((tries + 1))
    [ $tries -lt 100 ] || { noisy=$((noisy + 1)) skip=50; break; }
    sleep 0.05
  done
  [ $tries -eq 0 ] || waited=$((waited + 1))
}

# The link gate, for the runs whose figures are a few cache-line crossings:
# the best round trip seen so far is the host's best placement, and a run
# waits until the round trip is within $link percent of it.  As with the
# quiet gate, a host that stays slow for 10 s makes the next 50 runs go
# ahead without waiting; every run records the round trip it started with.
link=${BENCH_LINK:-150}
[ -n "$quick" ] && link=${BENCH_LINK:-0}
link_prog=${BENCH_LINK_PROGRAM:-}
link_best= link_waited=0 link_vain=0 link_skip=0 link_runs=0 link_ns=-
link_gate() { # WORKLOAD THREADS: sets link_ns
  link_ns=-
  [ "$link" -gt 0 ] && [ "$2" -gt 1 ] && [ -x "$link_prog" ] || return 0
  case $1 in forkjoin|forkjoin-cold|reduction|sched|dispatch) ;; *) return 0 ;; esac
  link_runs=$((link_runs + 1))
  tries=0
  while :; do
    link_ns=$(timeout 5 "$link_prog") && [ "${link_ns:-0}" -gt 0 ] ||
      { link_ns=-; return 0; }
    if [ -z "$link_best" ] || [ "$link_ns" -lt "$link_best" ]; then
      link_best=$link_ns
    fi
    [ "$link_skip" -gt 0 ] && { link_skip=$((link_skip - 1)); break; }
    [ $((link_ns * 100)) -le $((link_best * link)) ] && break
    tries=$((tries + 1))
    [ $tries -lt 50 ] || { link_vain=$((link_vain + 1)) link_skip=50; break; }
    sleep 0.2
  done
  [ $tries -eq 0 ] || link_waited=$((link_waited + 1))
}

header="workload,impl,threads,size,chunk,median,min,max,check,tuning,rep,link_ns"
failed=0 runs=0 all_start=$(date +%s)
# run_plan PLAN RAW WHAT: one process for each line of PLAN, its rows (with
# tuning, rep and link_ns) appended to RAW.
run_plan() {
  total=$(wc -l < "$1") n=0 start=$(date +%s) last_w= logged=-10
  echo "bench: $total runs ($3, $mode) on $cpu, $cpus CPUs, $kernel" >&2
  while read -r w impl t size chunk inner tun rep; do
    n=$((n + 1))
    el=$(($(date +%s) - start))
    if [ -t 2 ]; then
      printf '\r[%d/%d %ds] %-14s %-14s %2s threads %-7s rep %s   ' \
        "$n" "$total" "$el" "$w" "$impl" "$t" "$tun" "$rep" >&2
    elif [ "$w" != "$last_w" ] && [ "$el" -ge $((logged + 10)) ]; then
      # A log: a line when the workload changes, at most one in 10 s (the
      # pairs change workload at every pair).
      printf '[%d/%d %ds] %s %s %s threads\n' "$n" "$total" "$el" "$w" \
        "$impl" "$t" >&2
      logged=$el
    fi
    last_w=$w
    cmd=$(command_of "$impl")
    wait_quiet
    link_gate "$w" "$t"
    row=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u KMP_BLOCKTIME \
          $(tuning_env "$tun") timeout 600 \
          $cmd "$impl" "$w" "$t" "$size" "$chunk" "$inner" $quick \
          2>> "$out/errors.txt" < /dev/null)
    status=$?
    if [ $status -ne 0 ] || [ -z "$row" ]; then
      failed=$((failed + 1))
      echo "$w $impl $t $size $chunk: exit $status" >> "$out/errors.txt"
      row="$w,$impl,$t,$size,$chunk,,,,FAILED"
    fi
    # A process may print more than one row (solver: its -spin row).
    printf '%s\n' "$row" | sed "s/\$/,$tun,$rep,$link_ns/" >> "$2"
  done < "$1"
  [ -t 2 ] && echo "" >&2
  echo "bench: $n runs ($3) in $(($(date +%s) - start)) s" >&2
  runs=$((runs + n))
}

# The first set of processes: every configuration of the plan.
raw=$out/raw.csv
echo "$header" > "$raw"
run_plan "$plan" "$raw" "every configuration"
order=$(awk '!seen[$1]++ { printf "%s ", $1 }' "$plan")
tail -n +2 "$raw" | sort -t, -k1,1 -k2,2 -k10,10 -k3,3n -k4,4n -k5,5n -k6,6g |
  awk -f "$src/report.awk" -v csv="$out/results.csv" -v order="$order" \
      -v machine="$out/machine.txt" -v data="$out" > "$out/tables.txt" ||
  failed=$((failed + 1))

# The second set: each ratio the summary gives, wq against the peer the
# first set found fastest, measured in pairs of processes run one right
# after the other (the order swapped from pair to pair, and the pairs of
# all comparisons interleaved), so that the set that chose the peer is not
# the one that measures the ratio.  pairs_of (plan.sh) says how many pairs.
cmp=$out/comparisons.txt pairs=$out/pairs.csv
awk -F, -f "$src/summary.awk" -v want=1 "$out/results.csv" > "$cmp" || : > "$cmp"
while read -r w rest; do
  echo "$(pairs_of "$w") $w $rest"
done < "$cmp" | awk -v plan="$plan" '
  BEGIN { # size and inner of each configuration, as the plan ran it
    while ((getline < plan) > 0) {
      k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5 SUBSEP $7
      if (!((k, $4) in inner)) { inner[k, $4] = $6; size[k, $4] = $4 }
      if (!(k in any)) { any[k] = $6; anysize[k] = $4 }
    }
  }
  { id++; P[id] = $1; line[id] = $0; if ($1 > most) most = $1 }
  function emit(id, k, impl, chunk, tun,   f, key) {
    split(line[id], f, " ")
    key = f[2] SUBSEP impl SUBSEP f[4] SUBSEP chunk SUBSEP tun
    if ((key, f[3]) in inner)
      print f[2], impl, f[4], size[key, f[3]], chunk, inner[key, f[3]], tun, id ":" k
    else if (key in any)
      print f[2], impl, f[4], anysize[key], chunk, any[key], tun, id ":" k
  }
  END {
    for (k = 1; k <= most; k++)
      for (id = 1; id <= NR; id++) {
        if (k > P[id]) continue
        split(line[id], f, " ")
        if (k % 2) { emit(id, k, f[5], f[6], f[7]); emit(id, k, f[8], f[9], f[10]) }
        else { emit(id, k, f[8], f[9], f[10]); emit(id, k, f[5], f[6], f[7]) }
      }
  }' > "$out/pairs-plan.txt"
echo "$header" > "$pairs"
if [ -s "$out/pairs-plan.txt" ]; then
  run_plan "$out/pairs-plan.txt" "$pairs" "pairs of wq and its best peer"
fi
awk -F, -f "$src/pairs.awk" -v comparisons="$cmp" "$pairs" > "$out/ratios.csv"

echo "bench: $runs runs in $(($(date +%s) - all_start)) s, $waited of them" \
     "waited for a quiet machine, $link_waited for the host's best" \
     "placement; load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
echo "quiet gate: ${quiet}% of all CPUs; $waited of $runs runs waited," \
  "$noisy times in vain" >> "$out/machine.txt"
if [ "$link_runs" -gt 0 ]; then
  echo "link gate: ${link}% of the best round trip between two CPUs" \
    "(${link_best:-?} ns); $link_waited of $link_runs overhead runs waited," \
    "$link_vain times in vain" >> "$out/machine.txt"
fi

# -------------------------------------------------------------- report --
cat "$out/machine.txt" "$out/tables.txt"
awk -F, -f "$src/summary.awk" -v ratios="$out/ratios.csv" "$out/results.csv" \
  > "$out/summary.md" && { echo; cat "$out/summary.md"; }
if [ "${GNUPLOT:-no}" != no ]; then
  sh "$src/plot.sh" "$out" "$GNUPLOT" || echo "bench: plots failed" >&2
fi
echo "results: $out/results.csv, $out/summary.md" >&2
if [ "$mode" = compare ]; then
  echo "bench: that was make compare, the short run ($(($(date +%s) - all_start)) s)." \
    "The full run, every workload with the overheads, the loops between" \
    "serial steps and more processes, is make bench (about an hour on" \
    "2 CPUs); README.md, Benchmarks, says what each measures." >&2
fi
[ "$failed" -eq 0 ] || { echo "bench: $failed runs failed or were wrong;" \
  "see $out/errors.txt" >&2; exit 1; }
