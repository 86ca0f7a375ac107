#!/bin/sh
# mpi.sh - libwq-mpi's tests under the MPI launcher: the Check suites
# (tests/check_mpi) on 1, 2, 3 and 4 ranks (more ranks than CPUs: the
# launcher is told to oversubscribe), the preamble before MPI_Init and
# after MPI_Finalize (tests/mpi_uninit), and examples/004_pi_mpi, whose
# line must be 004_pi's bit for bit on every rank count and thread count.
# Each run has a time limit, so a hang fails.  Skipped (77) without a
# launcher.
set -u
dir="${top_builddir:-.}"
if [ -z "${MPIEXEC:-}" ]; then
  echo "mpi.sh: no MPI launcher (configure's MPIEXEC): skipped"
  exit 77
fi
# Open MPI refuses root unless both of these say yes (CI runs as root).
if [ "$(id -u)" = 0 ]; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi
# Under AddressSanitizer, LeakSanitizer reports what MPI itself leaves
# allocated at exit unless told (.ci/mpi.supp says what and why); the slow
# unwinder finds MPI's frames, which have no frame pointers.  Without the
# sanitizer these do nothing.
srcdir_abs=$(cd "${top_srcdir:-.}" && pwd)
LSAN_OPTIONS="suppressions=$srcdir_abs/.ci/mpi.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# ThreadSanitizer likewise reports a lock order inside Open MPI
# (.ci/mpi-tsan.supp).
TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS }suppressions=$srcdir_abs/.ci/mpi-tsan.supp"
export LSAN_OPTIONS ASAN_OPTIONS TSAN_OPTIONS
limit=$((300 * ${CK_TIMEOUT_MULTIPLIER:-1}))
launch() { # launch NP PROGRAM ARGS...
  np=$1
  shift
  # shellcheck disable=SC2086 # MPIEXEC_FLAGS holds several words
  timeout "$limit" "$MPIEXEC" $MPIEXEC_FLAGS -n "$np" "$@"
}
fail=0

# MPI_TEST_RANKS: the rank counts of check_mpi (.ci/mpi.sh narrows them
# for one build).
if [ -x "$dir/tests/check_mpi" ]; then
  for np in ${MPI_TEST_RANKS:-1 2 3 4}; do
    echo "== check_mpi on $np ranks"
    launch "$np" "$dir/tests/check_mpi" || {
      echo "mpi.sh: check_mpi failed on $np ranks"; fail=1; }
  done
fi

echo "== mpi_uninit"
launch 1 "$dir/tests/mpi_uninit" || { echo "mpi.sh: mpi_uninit failed"; fail=1; }

terms=3000000
if [ -x "$dir/examples/004_pi" ]; then
  want=$(WQ_NUM_THREADS=2 "$dir/examples/004_pi" "$terms" 2>/dev/null |
    grep '^wq:')
  for np in 1 2 3 4; do
    for threads in 1 3; do
      got=$(WQ_NUM_THREADS=$threads launch "$np" "$dir/examples/004_pi_mpi" \
        "$terms" 2>/dev/null | grep '^wq:')
      if [ -z "$want" ] || [ "$got" != "$want" ]; then
        echo "mpi.sh: 004_pi_mpi on $np ranks x $threads threads printed"
        echo "  '$got', 004_pi '$want'"
        fail=1
      fi
    done
  done
  [ "$fail" = 0 ] && echo "mpi.sh: 004_pi_mpi prints 004_pi's line on 1-4 ranks x 1, 3 threads"
fi
exit "$fail"
