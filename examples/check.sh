#!/bin/sh
# check.sh - run every example built in this tree on 1 thread and on 3, and
# check that each prints what it should and the same thing both times:
# stdout holds results only (times go to stderr), and those must not depend
# on the thread count.  Sizes are cut down so the whole run takes seconds.
set -u
dir="${top_builddir:-.}/examples"
fail=0
ran=0

# run NAME PATTERN [ARGS...]: NAME's stdout on 1 and 3 threads must match
# each other and contain a line matching PATTERN (grep -E).
run() {
  name=$1 pattern=$2
  shift 2
  if [ ! -x "$dir/$name" ]; then
    echo "check.sh: $name not built (Random123 missing?): skipped"
    return
  fi
  ran=$((ran + 1))
  one=$(WQ_NUM_THREADS=1 "$dir/$name" "$@" 2>/dev/null) || {
    echo "check.sh: $name failed on 1 thread"; fail=1; return; }
  three=$(WQ_NUM_THREADS=3 "$dir/$name" "$@" 2>/dev/null) || {
    echo "check.sh: $name failed on 3 threads"; fail=1; return; }
  if [ "$one" != "$three" ]; then
    echo "check.sh: $name prints different results on 1 and 3 threads:"
    printf '%s\n' "$one" > "$name.1.out"
    printf '%s\n' "$three" > "$name.3.out"
    diff "$name.1.out" "$name.3.out"
    rm -f "$name.1.out" "$name.3.out"
    fail=1
  elif ! printf '%s\n' "$one" | grep -Eq "$pattern"; then
    echo "check.sh: $name: no line matches /$pattern/ in:"
    printf '%s\n' "$one"
    fail=1
  else
    echo "check.sh: $name: ok"
  fi
}

run 000_random_walk 'mean squared distance (19[0-9][0-9]|20[0-9][0-9])\.' 4000 1000
run 001_slow_add '^busy, 10 threads: +11 12 13 14 15 6 4 2 4 7$'
run 001_total '^reduction: total = 500000500000 \(right\)$' 1000000
run 002_process_items '^parallel results equal serial ones: yes$' 100000
run 003_squares_sort '^squares: 0 1 4 9 16 25 36 49 64 81$' 1000
run 004_pi '^wq: +pi = 3\.141592' 10000000
run 005_primes '^parallel list equals the serial one: yes$' 1000000

# Every line of these must agree too (all five runs of slow_add, both
# totals), which the patterns above check only once.
if [ -x "$dir/001_total" ] &&
   WQ_NUM_THREADS=3 "$dir/001_total" 100000 2>/dev/null | grep -q WRONG; then
  echo "check.sh: 001_total: a total was wrong"
  fail=1
fi
[ "$ran" -gt 0 ] || { echo "check.sh: no example built"; exit 77; }
exit "$fail"
