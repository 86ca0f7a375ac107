#!/usr/bin/env bash
# .ci/eco.sh - what CI checks of wq as an installed library, once .ci/run
# has tested the tree: install and uninstall under DESTDIR, a program built
# through pkg-config against that install and one through CMake's
# find_package (tests/cmake), make distcheck (with every
# tracked test, example and page in the tarball), and the deliberately racy
# example caught by ThreadSanitizer.  Run from .ci/run (after autoreconf),
# or alone; it builds in its own folder, build-eco.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
jobs=$(nproc)
[ -x configure ] || autoreconf -fi
mkdir -p build-eco && cd build-eco
../configure -q --enable-werror
make -j"$jobs" >/dev/null

echo "== install and uninstall under DESTDIR"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" >/dev/null
prefix=$(sed -n 's/^prefix=//p' wq.pc)
for f in include/wq.h include/wq/version.h lib/libwq.so lib/libwq.a \
         lib/pkgconfig/wq.pc lib/cmake/wq/wqConfig.cmake \
         lib/cmake/wq/wqConfigVersion.cmake share/man/man3/wq_for.3 \
         share/man/man3/wq_worker_index.3 share/man/man7/wq.7; do
  [ -e "$dest$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
make -s installcheck DESTDIR="$dest"
# The CMake package, found under DESTDIR: a moved install, so this also
# shows that its paths are relative.
if command -v cmake >/dev/null 2>&1; then
  rm -rf cmake-consumer
  { cmake -S "$src/tests/cmake" -B cmake-consumer \
      -DCMAKE_PREFIX_PATH="$dest$prefix" &&
    cmake --build cmake-consumer; } >cmake.log 2>&1 ||
    { cat cmake.log; exit 1; }
  grep -E '^-- wq' cmake.log
  LD_LIBRARY_PATH="$dest$prefix/lib" ./cmake-consumer/consumer
else
  echo "no cmake: the CMake consumer is not built (.ci/deps.sh cmake)"
fi
MANPATH="$dest$prefix/share/man" MANWIDTH=80 man wq_pool_slots 2>&1 |
  grep -q 'wq_pool_slots' || { echo "installed .so man link broken"; exit 1; }
make -s uninstall DESTDIR="$dest" >/dev/null
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || { echo "left after uninstall:"; echo "$left"; exit 1; }
echo "installed, used through pkg-config and CMake, uninstalled cleanly"

echo "== make distcheck"
make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1 ||
  { tail -40 distcheck.log; exit 1; }
grep -E '^(PASS|FAIL|SKIP|ERROR):' distcheck.log
tarball=$(ls -t wq-*.tar.gz | head -1)
base=${tarball%.tar.gz}
# Every tracked test and example file travels, odd names (commas) included.
missing=$(comm -23 \
  <(git -C "$src" ls-files tests examples man | LC_ALL=C sort) \
  <(tar tzf "$tarball" | sed -n "s|^$base/||p" | LC_ALL=C sort))
[ -z "$missing" ] || { echo "missing from $tarball:"; echo "$missing"; exit 1; }
echo "$tarball holds every tracked test, example and page"

echo "== the racy example is racy"
if [ -d "$src/build-tsan" ]; then
  tsan="$src/build-tsan"
  make -C "$tsan" -s examples-racy >/dev/null
  # The race needs two threads in the loop at once: a long loop on 4
  # threads gives them ample time to join, and three tries make a miss
  # (all work done before any worker woke) practically impossible.
  caught=no
  for _ in 1 2 3; do
    WQ_NUM_THREADS=4 TSAN_OPTIONS="halt_on_error=1" \
      "$tsan/examples/001_total_racy" 10000000 >/dev/null 2>racy.log || true
    if grep -q 'data race' racy.log; then caught=yes; break; fi
  done
  [ "$caught" = yes ] ||
    { echo "ThreadSanitizer did not report the race in 001_total_racy"; exit 1; }
  echo "ThreadSanitizer reports the data race of 001_total_racy, as it should"
  rm -f racy.log
fi
make -s examples-racy >/dev/null && ./examples/001_total_racy
