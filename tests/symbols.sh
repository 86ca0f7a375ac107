#!/bin/sh
# symbols.sh - the shared library exports exactly the names in symbols.txt:
# every public function, and nothing internal (wq__*, helpers, statics).
# A new function must be added to the list (and get a man page); a name that
# leaks fails here.  Skipped (77) for a static-only build.
set -eu
# SYMBOLS_LIB and SYMBOLS_LIST check another library (mpi_symbols.sh).
lib="${SYMBOLS_LIB:-${top_builddir:-.}/lib/.libs/libwq.so}"
list="${SYMBOLS_LIST:-${top_srcdir:-.}/tests/symbols.txt}"
if [ ! -f "$lib" ]; then
  echo "symbols.sh: no $lib (static build): skipped"
  exit 77
fi
got=$(${NM:-nm} -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' | LC_ALL=C sort)
want=$(grep -v '^#' "$list" | LC_ALL=C sort)
if [ "$got" != "$want" ]; then
  echo "symbols.sh: exported symbols differ from $list (< list, > library):"
  printf '%s\n' "$want" > symbols.want
  printf '%s\n' "$got" > symbols.got
  diff symbols.want symbols.got || true
  rm -f symbols.want symbols.got
  exit 1
fi
echo "symbols.sh: $(printf '%s\n' "$got" | wc -l) exported symbols, all listed"
