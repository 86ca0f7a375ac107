#!/usr/bin/env bash
# .ci/mpi.sh - libwq-mpi in CI, once .ci/run has tested the tree (whose
# builds test it against the system's default MPI): built and tested
# against Open MPI and against MPICH by name, a program built through
# pkg-config wq-mpi against an install, and the MPI tests under
# AddressSanitizer + UndefinedBehaviorSanitizer with each MPI.  Builds in
# build-mpi-<name>; only what the MPI tests run is built.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
jobs=$(nproc)
[ -x configure ] || autoreconf -fi
sh .ci/deps.sh mpi >/dev/null # both MPIs (.ci/run installed them already)

# mpi_tests DIR MPICC MPIEXEC [CONFIGURE-ARGS...]: configure with this MPI
# (required), build the library and the MPI tests, run them.
mpi_tests() {
  local dir=$1 mpicc=$2 mpiexec=$3
  shift 3
  mkdir -p "$dir"
  (cd "$dir" &&
    ../configure -q --enable-werror --with-mpi MPICC="$mpicc" \
      MPIEXEC="$mpiexec" "$@" &&
    make -j"$jobs" lib/libwq.la lib/libwq-mpi.la tests/check_mpi \
      tests/mpi_uninit examples/004_pi examples/004_pi_mpi >/dev/null &&
    make -s check TESTS='tests/mpi.sh tests/mpi_symbols.sh' \
      check_PROGRAMS='tests/check_mpi tests/mpi_uninit examples/004_pi_mpi') ||
    { cat "$dir"/tests/mpi.sh.log 2>/dev/null | tail -60; exit 1; }
  grep -h 'check_mpi:\|mpi.sh:\|mpi_uninit:' "$dir"/tests/mpi.sh.log
}

echo "== libwq-mpi against Open MPI"
mpi_tests build-mpi-openmpi mpicc.openmpi mpiexec.openmpi

echo "== pkg-config wq-mpi against an install (Open MPI)"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s -C build-mpi-openmpi install DESTDIR="$dest" >/dev/null
prefix=$(sed -n 's/^prefix=//p' build-mpi-openmpi/wq-mpi.pc)
for f in include/wq/mpi.h lib/libwq-mpi.so lib/libwq-mpi.a \
         lib/pkgconfig/wq-mpi.pc share/man/man3/wq_mpi_reduce.3; do
  [ -e "$dest$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
# MPI's own flags point into the system, not the install: only wq's
# prefix moves (no PKG_CONFIG_SYSROOT_DIR, which would move MPI's too).
flags=$(PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" \
  pkg-config --define-variable=prefix="$dest$prefix" --cflags --libs wq-mpi)
echo "cc examples/004_pi_mpi.c $flags"
cc -std=c11 -Wall -Wextra -Werror -I"$src/examples" -o "$dest/pi_mpi" \
  "$src/examples/004_pi_mpi.c" $flags
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
LD_LIBRARY_PATH="$dest$prefix/lib" mpiexec.openmpi --oversubscribe -n 2 \
  "$dest/pi_mpi" 1000000 | grep -q '^wq: ' ||
  { echo "the installed libwq-mpi does not run"; exit 1; }

echo "== libwq-mpi against MPICH"
mpi_tests build-mpi-mpich mpicc.mpich mpiexec.mpich

# The sanitizers as .ci/run builds them; tests/mpi.sh gives LeakSanitizer
# .ci/mpi.supp, the memory each MPI itself leaves allocated at exit.
asan=(--disable-shared CC=clang
  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
  LDFLAGS="-fsanitize=address,undefined")
export CK_TIMEOUT_MULTIPLIER=4
# .ci/run's own ASan build already ran the MPI tests when it found an MPI:
# that MPI is not built again.
ran_with() { # ran_with KIND: .ci/run's build-asan passed them with KIND
  grep -q '^MPI_KIND = '"$1"'$' build-asan/Makefile 2>/dev/null &&
    grep -q ':test-result: PASS' build-asan/tests/mpi.sh.trs 2>/dev/null
}
# MPICH busy-polls inside MPI, so on more ranks than CPUs a rank waits for
# the scheduler at every message: check_mpi on 3 and 4 ranks takes about
# 45 s each under MPICH (3 s under Open MPI, which yields when
# oversubscribed).  Its ASan build runs 1 and 2 ranks; 3 and 4 ranks run
# under MPICH in the plain build above and under ASan with the other MPI.
for kind in openmpi mpich; do
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer, $kind"
  if ran_with "$kind"; then
    echo "(passed in .ci/run's build-asan)"
  elif [ "$kind" = mpich ] && ran_with openmpi; then
    MPI_TEST_RANKS="1 2" mpi_tests "build-mpi-$kind-asan" "mpicc.$kind" \
      "mpiexec.$kind" "${asan[@]}"
  else
    mpi_tests "build-mpi-$kind-asan" "mpicc.$kind" "mpiexec.$kind" "${asan[@]}"
  fi
done
