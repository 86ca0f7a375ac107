#!/usr/bin/env bash
# .ci/reliability.sh - the reliability checks, run by .ci/run after its own
# steps (the tests, ThreadSanitizer with gcc, ASan + UBSan with clang):
#
#   ThreadSanitizer with clang     every test
#   valgrind memcheck              every test, leaks checked in every test
#   valgrind DRD                   the loop, map, reduce, nesting, error,
#                                  process, scan and n-D suites (DRD is
#                                  slow), atomics annotated (configure
#                                  --enable-drd)
#   fault injection                every allocation and thread creation made
#                                  to fail, under ASan + LSan + UBSan
#   stress                         a minute of random checked operations
#                                  (an optimised build, as users make it)
#   model check                    the spin models of the lock-free protocols
#
# Each step runs in its own build folder and prints its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
times=()

summary() { # the Check summary and failure lines of a log
  grep -hE '^[0-9]+%: Checks|:[EF]:' "$@" || true
}

timed() { # timed NAME COMMAND...: run, record how long it took
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  times+=("$(printf '%-28s %4d s' "$name" $((SECONDS - start)))")
}

configure_in() { # configure_in DIR ARGS...: a quiet configure in DIR
  local dir=$1
  shift
  mkdir -p "$dir" && (cd "$dir" && ../configure -q --enable-werror \
    --disable-shared "$@")
}

tsan_clang() { # the options as .ci/run's gcc build has them, and why
  configure_in build-tsan-clang CC=clang \
    CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread"
  (cd build-tsan-clang && make -j"$jobs" &&
    TSAN_OPTIONS="die_after_fork=0 halt_on_error=1 atexit_sleep_ms=0" \
    CK_TIMEOUT_MULTIPLIER=4 make -j"$jobs" check) ||
    { summary build-tsan-clang/tests/check_wq.log; exit 1; }
  summary build-tsan-clang/tests/check_wq.log
}

# One build serves memcheck and DRD: memcheck ignores DRD's annotations.
valgrind_build() {
  configure_in build-valgrind --enable-drd CFLAGS="-O1 -g"
  make -C build-valgrind -j"$jobs" tests/check_wq
}

# Every test, each in its own process (Check's fork mode, which valgrind
# follows), so a leak or an error fails the test that caused it.  Up to
# 1200 threads: one test makes a pool of WQ_THREADS_MAX.  Valgrind runs one
# thread of a process at a time, so the suites run as separate processes,
# as many at once as there are CPUs.
memcheck_suite() { # memcheck_suite NAME: one suite, its log memcheck-NAME.log
  CK_RUN_SUITE=$1 CK_TIMEOUT_MULTIPLIER=10 valgrind -q \
    --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible \
    --errors-for-leak-kinds=definite,possible --max-threads=1200 \
    --suppressions=../.ci/valgrind.supp tests/check_wq \
    > "memcheck-$1.log" 2>&1 ||
    { echo "memcheck: suite $1 failed"; tail -60 "memcheck-$1.log"; exit 1; }
}
export -f memcheck_suite

memcheck() {
  local suites
  # The suites that tests/main.c runs, in its order.
  suites=$(grep -o 'suite_[a-z]*()' tests/main.c | sed 's/suite_\(.*\)()/\1/')
  (cd build-valgrind && printf '%s\n' $suites |
    xargs -P "$jobs" -I{} bash -c 'memcheck_suite "$1"' _ {}) || exit 1
  # A suite name Check does not know runs nothing and passes: every suite
  # must have run checks, and all of them passed.
  for s in $suites; do
    grep -qE '^100%: Checks: [1-9]' "build-valgrind/memcheck-$s.log" ||
      { echo "memcheck: suite $s ran no checks"; exit 1; }
  done
  summary build-valgrind/memcheck-*.log
}

# No spinning (WQ_SPIN_US=0): under valgrind threads take turns, and every
# annotated load of a spin loop costs DRD a new segment.  The suites run as
# separate processes, as many at once as there are CPUs, as memcheck's do.
drd_suite() { # drd_suite NAME: one suite under DRD, its log drd-NAME.log
  WQ_SPIN_US=0 CK_RUN_SUITE=$1 CK_TIMEOUT_MULTIPLIER=20 valgrind -q \
    --tool=drd --error-exitcode=98 tests/check_wq > "drd-$1.log" 2>&1 ||
    { echo "DRD: suite $1 failed"; tail -60 "drd-$1.log"; exit 1; }
}
export -f drd_suite

drd() {
  # The longest first, so that no long suite runs alone at the end.
  local suites="scan nd reduce map nest errors process scanerrors" s
  (cd build-valgrind && printf '%s\n' $suites |
    xargs -P "$jobs" -I{} bash -c 'drd_suite "$1"' _ {}) || exit 1
  for s in $suites; do
    grep -qE '^100%: Checks: [1-9]' "build-valgrind/drd-$s.log" ||
      { echo "DRD: suite $s ran no checks"; exit 1; }
    summary "build-valgrind/drd-$s.log"
  done
}

fault_injection() {
  configure_in build-fault --enable-fault-injection CC=clang \
    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
    LDFLAGS="-fsanitize=address,undefined"
  make -C build-fault -j"$jobs" tests/check_fault
  (cd build-fault && ./tests/check_fault > fault.log 2>&1) ||
    { cat build-fault/fault.log; exit 1; }
  grep -E '^fault:' build-fault/fault.log |
    awk '{n += $3} END {print "fault: " n " failures injected, all answered"}'
  summary build-fault/fault.log
}

stress() { # optimised as users build it
  mkdir -p build-stress && (cd build-stress && ../configure -q --enable-werror)
  make -C build-stress -j"$jobs" tests/stress
  make -C build-stress stress STRESS_SECONDS=60
}

timed "ThreadSanitizer (clang)" tsan_clang
timed "valgrind build" valgrind_build
timed "valgrind memcheck" memcheck
timed "valgrind DRD" drd
timed "fault injection (ASan)" fault_injection
timed "stress (60 s)" stress
timed "model check (spin)" make -C build-stress model-check
echo "== reliability: all clean"
printf '%s\n' "${times[@]}"
