#!/bin/sh
# scaling.sh - make bench-scaling: how wq and its peers scale from one
# thread to every CPU of the machine it runs on, and libwq-mpi from one
# rank to one rank a CPU.  `make bench` measures a 2-CPU host in depth;
# this is the sweep for a machine with many cores, short enough (minutes)
# to run on one that is lent for a while.
#
#   scaling.sh [quick]
#
# Threads: 1, 2, 4, ... and the largest count (SCALING_THREADS overrides).
# Each configuration runs in SCALING_REPS processes (default 5; the loops
# between serial steps and the MPI launches in 3 at most), the
# configurations of a thread count in another order each repetition (a
# rotation, as run.sh does), and a figure is the median of the processes'
# medians.  Workloads (bench/*.c say what each computes):
#
#   pi, tri, expo, walk  time and parallel efficiency, serial time / (t x
#                        time), against the serial loop of the same
#                        program; DESIGN.md's target: wq's pi and uneven
#                        loops (tri, expo) at 97% or more at every count;
#   stencil              the tiled 2-D sweep (memory-bound: information);
#   forkjoin             one empty parallel region (EPCC's PARALLEL FOR);
#   solver-S             a 30 us piece a thread after a serial step of S us
#                        (bench/solver.c), the shape of issue 12's table,
#                        at 2 threads and more, with wq / the best peer.
#
# MPI (when bench/bench-mpi is built and MPIEXEC is set): bench/mpi.c's pi
# and triangular loop on R ranks of one thread, R = the same counts, with
# their efficiency against one rank; the static MPI split and the plain
# MPI loop beside them; R ranks of (largest count / R) threads, the hybrid
# layout; and the latency of a one-item wq_mpi_reduce against
# MPI_Allreduce's.
#
# Writes $BENCH_OUT/scaling.csv (one row a process) and scaling.md (the
# tables), and prints the tables.  Environment: BENCH_BUILD (the build
# folder), BENCH_OUT (default $BENCH_BUILD/bench/out), BENCH_PROGRAMS (the
# programs, relative to BENCH_BUILD), SCALING_REPS, SCALING_THREADS,
# SCALING_ONLY (workloads, and "mpi"), MPIEXEC, MPIEXEC_FLAGS.
set -eu
build=${BENCH_BUILD:-.}
out=${BENCH_OUT:-$build/bench/out}
mkdir -p "$out"
csv=$out/scaling.csv
md=$out/scaling.md
quick=
[ "${1:-}" = quick ] && quick=1
cpus=$(nproc)
reps=${SCALING_REPS:-5}
[ -n "$quick" ] && reps=${SCALING_REPS:-1}
counts=${SCALING_THREADS:-}
if [ -z "$counts" ]; then
  t=1
  while [ "$t" -lt "$cpus" ]; do counts="$counts $t" t=$((t * 2)); done
  counts="$counts $cpus"
fi
maxt=$(echo $counts | tr ' ' '\n' | sort -n | tail -n 1)
only=" ${SCALING_ONLY:-} "
wanted() { [ -z "$(echo $only)" ] || case $only in *" $1 "*) ;; *) false ;; esac; }

# impls.txt: "impl program" for every implementation a program offers.
impls=$(mktemp)
trap 'rm -f "$impls"' EXIT
for p in ${BENCH_PROGRAMS:-bench/bench-wq bench/bench-gomp bench/bench-omp \
    bench/bench-tbb bench/bench-ptp}; do
  [ -x "$build/$p" ] || continue
  "$build/$p" --list | sed -n 1p | tr ' ' '\n' | sed "s|\$| $build/$p|" >> "$impls"
done
program_of() { sed -n "s/^$1 //p" "$impls" | head -n 1; }
if [ -z "${BENCH_DELAY_RATE:-}" ]; then
  BENCH_DELAY_RATE=$("$(program_of wq)" --delay-rate)
fi
export BENCH_DELAY_RATE

{
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cores: $cpus usable ($(getconf _NPROCESSORS_ONLN) online)"
  lscpu 2>/dev/null | grep -E '^(Thread|Core|Socket|NUMA node)' || :
  echo "kernel: $(uname -sr)"
  echo "commit: $(git -C "${BENCH_SRC:-$(dirname "$0")}" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "threads: $counts; processes a configuration: $reps"
} > "$out/scaling-machine.txt"
echo "rep,workload,impl,threads,size,chunk,median_s,min_s,max_s,result" > "$csv"

. "${BENCH_SRC:-$(dirname "$0")}/rotate.sh" # rotated

# sweep WORKLOAD SIZE INNER "THREADS" "IMPL[:CHUNK] ..." [MOST]: every
# configuration at every count, REPS times (at most MOST), rotated; serial
# at 1 thread.
sweep() {
  w=$1 size=$2 inner=$3 threads=$4 configs=$5 most=${6:-$reps}
  wanted "$w" || return 0
  [ "$most" -lt "$reps" ] || most=$reps
  rep=1
  while [ "$rep" -le "$most" ]; do
    for t in $threads; do
      for cfg in $(rotated $((rep - 1)) $configs); do
        impl=${cfg%%:*} chunk=${cfg#*:}
        [ "$chunk" = "$cfg" ] && chunk=0
        [ "$impl" = serial ] && [ "$t" != 1 ] && continue
        prog=$(program_of "$impl")
        [ -n "$prog" ] || continue
        row=$("$prog" "$impl" "$w" "$t" "$size" "$chunk" "$inner" \
          ${quick:+quick} | head -n 1) ||
          { echo "scaling.sh: $impl $w $t failed" >&2; continue; }
        echo "$rep,$row" >> "$csv"
      done
    done
    rep=$((rep + 1))
  done
  echo "scaling.sh: $w done ($(date -u +%H:%M:%S))" >&2
}

ones=1
for t in $counts; do [ "$t" = 1 ] || ones="$ones $t"; done
two_up=$(echo $counts | tr ' ' '\n' | awk '$1 >= 2' | tr '\n' ' ')
if [ -n "$quick" ]; then pi_n=1000000 tri_n=2000 expo_n=2000 walk_n=1000 grid=256
else pi_n=100000000 tri_n=14000 expo_n=50000 walk_n=10000 grid=4096; fi
sweep pi $pi_n 3 "$counts" "serial wq gomp-static omp-static tbb ptp-1d:100000"
uneven="serial wq gomp-dynamic:16 omp-dynamic:16 tbb ptp-1d"
sweep tri $tri_n 1 "$counts" "$uneven"
sweep expo $expo_n 1 "$counts" "$uneven"
sweep walk $walk_n 3 "$counts" "serial wq gomp-dynamic:16 omp-dynamic:16 tbb ptp-1d:16"
sweep stencil $grid 1 "$counts" "serial wq gomp-static omp-static tbb ptp-tile"
sweep forkjoin 0 1 "$counts" "wq gomp-static omp-static tbb ptp-1d"
for s in 0 200 1000 5000; do
  sweep solver-$s 30 1 "$two_up" "wq gomp-static omp-static tbb ptp-1d" 3
done

# --------------------------------------------------------------- MPI --
mpi_rows=$out/scaling-mpi.csv
: > "$mpi_rows"
mpi=$build/bench/bench-mpi
if wanted mpi && [ -x "$mpi" ] && [ -n "${MPIEXEC:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
  fi
  bind=
  "$MPIEXEC" --version 2>/dev/null | grep -q 'Open MPI\|OpenRTE' &&
    bind="--bind-to none"
  WQ_BENCH_REPS=${WQ_BENCH_REPS:-5}
  export WQ_BENCH_REPS
  launch() { # RANKS THREADS SCENARIO KIND
    n=
    [ -n "$quick" ] && case $3 in pi) n=$pi_n ;; tri) n=$tri_n ;; esac
    # shellcheck disable=SC2086 # MPIEXEC_FLAGS holds several words
    WQ_NUM_THREADS=$2 OMP_NUM_THREADS=$2 OMP_PROC_BIND=false \
      "$MPIEXEC" ${MPIEXEC_FLAGS:-} $bind -n "$1" "$mpi" "$3" "$4" $n \
      2>/dev/null | head -n 1 >> "$mpi_rows" ||
      echo "scaling.sh: mpi $*: failed" >&2
  }
  mreps=$reps
  [ "$mreps" -gt 3 ] && mreps=3
  rep=1
  while [ "$rep" -le "$mreps" ]; do
    for r in $counts; do
      for c in $(rotated $((rep - 1)) pi:wq pi:plain tri:wq tri:static); do
        launch "$r" 1 "${c%:*}" "${c#*:}"
      done
      launch "$r" $((maxt / r)) pi wq
      [ "$r" = 1 ] || launch "$r" 1 latency wq
      [ "$r" = 1 ] || launch "$r" 1 latency allreduce
    done
    rep=$((rep + 1))
  done
  echo "scaling.sh: mpi done ($(date -u +%H:%M:%S))" >&2
fi

# ------------------------------------------------------------ tables --
awk -F, -v counts="$counts" -v maxt="$maxt" -v mpifile="$mpi_rows" '
function median(key,   n, i, j, v, a) {
  n = cnt[key]
  for (i = 1; i <= n; i++) a[i] = val[key, i]
  for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { if (!(key in cnt)) { cnt[key] = 0 } cnt[key]++; val[key, cnt[key]] = v }
function us(s) { return sprintf("%.1f us", s * 1e6) }
function secs(s) { return s >= 1 ? sprintf("%.3f s", s) : sprintf("%.2f ms", s * 1e3) }
NR == 1 { next }
{
  w = $2; impl = $3; t = $4; cfg = impl ($6 != 0 ? ":" $6 : "")
  add(w SUBSEP cfg SUBSEP t, $7)
  if (!((w, cfg) in seen)) { seen[w, cfg] = 1; order[w] = order[w] " " cfg }
  if (!(w in wseen)) { wseen[w] = 1; ws[++nw] = w }
}
END {
  nt = split(counts, tc, " ")
  head = "|"; rule = "| ---"
  for (i = 1; i <= nt; i++) { head = head " " tc[i] " |"; rule = rule " | ---" }
  for (k = 1; k <= nw; k++) {
    w = ws[k]
    n = split(order[w], cs, " ")
    serial = ((w, "serial", 1) in cnt) ? median(w SUBSEP "serial" SUBSEP 1) : 0
    if (w ~ /^solver-/) {
      printf "\n### %s: a 30 us piece a thread after a serial step of %s us (mean loop time; wq / best peer)\n\n", w, substr(w, 8)
    } else if (w == "forkjoin") {
      printf "\n### forkjoin: one empty parallel region\n\n"
    } else {
      printf "\n### %s: time (parallel efficiency: serial %s / (threads x time))\n\n", w, secs(serial)
    }
    print "| runtime " head; print rule " |"
    for (c = 1; c <= n; c++) {
      cfg = cs[c]
      if (cfg == "serial") continue
      line = "| " cfg
      for (i = 1; i <= nt; i++) {
        t = tc[i]; key = w SUBSEP cfg SUBSEP t
        if (!(key in cnt)) { line = line " | -"; continue }
        m = median(key)
        if (w ~ /^solver-|^forkjoin/) cell = us(m)
        else cell = secs(m) (serial > 0 ? sprintf(" (%.1f%%)", 100 * serial / (t * m)) : "")
        line = line " | " cell
        if (cfg != "wq") { if (!((w, t) in best) || m < best[w, t]) best[w, t] = m }
        else wqm[w, t] = m
        if (cfg == "wq" && serial > 0) { e = serial / (t * m); if (!(w in mine) || e < mine[w]) mine[w] = e }
      }
      print line " |"
    }
    if (w ~ /^solver-|^forkjoin/) {
      line = "| wq / best"
      for (i = 1; i <= nt; i++) {
        t = tc[i]
        line = line (((w, t) in wqm) && ((w, t) in best) ? sprintf(" | %.2f", wqm[w, t] / best[w, t]) : " | -")
      }
      print line " |"
    }
  }
  printf "\n### DESIGN.md: wq on pi and the uneven loops at 97%% efficiency at every count\n\n"
  for (k = 1; k <= nw; k++) {
    w = ws[k]
    if (w != "pi" && w != "tri" && w != "expo") continue
    if (!(w in mine)) continue
    printf "- %s: lowest %.1f%% -> %s\n", w, 100 * mine[w], (mine[w] >= 0.97 ? "met" : "**missed**")
  }
  # MPI rows: scenario,kind,ranks,threads,n,median,min,max,result
  nm = 0
  while ((getline l < mpifile) > 0) {
    split(l, f, ",")
    key = f[1] SUBSEP f[2] SUBSEP f[3] SUBSEP f[4]
    add("mpi" SUBSEP key, f[6])
    if (!(key in mseen)) { mseen[key] = 1; nm++ }
  }
  if (nm == 0) exit
  printf "\n### MPI: R ranks of 1 thread (efficiency against 1 rank: T(1) / (R x T(R)))\n\n"
  print "| code " head; print rule " |"
  split("pi:wq pi:plain tri:wq tri:static", kinds, " ")
  for (c = 1; c <= 4; c++) {
    split(kinds[c], sk, ":")
    one = "mpi" SUBSEP sk[1] SUBSEP sk[2] SUBSEP 1 SUBSEP 1
    t1 = (one in cnt) ? median(one) : 0
    line = "| " sk[1] " " sk[2]
    for (i = 1; i <= nt; i++) {
      key = "mpi" SUBSEP sk[1] SUBSEP sk[2] SUBSEP tc[i] SUBSEP 1
      if (!(key in cnt)) { line = line " | -"; continue }
      m = median(key)
      line = line " | " secs(m) (t1 > 0 ? sprintf(" (%.1f%%)", 100 * t1 / (tc[i] * m)) : "")
    }
    print line " |"
  }
  printf "\n### MPI: R ranks of %d / R threads, pi (efficiency against 1 rank of 1 thread)\n\n", maxt
  print "| ranks x threads | time |"; print "| --- | --- |"
  one = "mpi" SUBSEP "pi" SUBSEP "wq" SUBSEP 1 SUBSEP 1
  t1 = (one in cnt) ? median(one) : 0
  for (i = 1; i <= nt; i++) {
    r = tc[i]; th = int(maxt / r)
    key = "mpi" SUBSEP "pi" SUBSEP "wq" SUBSEP r SUBSEP th
    if (!(key in cnt)) continue
    m = median(key)
    printf "| %d x %d | %s%s |\n", r, th, secs(m), (t1 > 0 ? sprintf(" (%.1f%%)", 100 * t1 / (r * th * m)) : "")
  }
  printf "\n### MPI: one reduction of one item a rank\n\n"
  print "| call " head; print rule " |"
  split("wq allreduce", lk, " ")
  for (c = 1; c <= 2; c++) {
    line = "| " (lk[c] == "wq" ? "wq_mpi_reduce" : "MPI_Allreduce")
    for (i = 1; i <= nt; i++) {
      key = "mpi" SUBSEP "latency" SUBSEP lk[c] SUBSEP tc[i] SUBSEP 1
      line = line ((key in cnt) ? " | " us(median(key)) : " | -")
    }
    print line " |"
  }
}' "$csv" > "$md"
cat "$out/scaling-machine.txt" "$md"
