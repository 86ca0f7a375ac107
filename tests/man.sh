#!/bin/sh
# man.sh - the manual: every page formats without a single warning, every
# .so link leads to a page, every exported function (tests/symbols.txt) has
# a section 3 page whose NAME lists it, and Makefile.am (or libwq-mpi's
# lib/mpi/local.mk) installs every page.
# Skipped (77) where groff is missing.
set -eu
cd "${top_srcdir:-.}/man"
if ! command -v groff >/dev/null 2>&1; then
  echo "man.sh: no groff: skipped"
  exit 77
fi
fail=0
complain() { echo "man.sh: $*"; fail=1; }

# The page a page really is: its .so target, or itself.
resolve() { sed -n '1s/^\.so //p' "$1" | grep . || echo "$1"; }

for page in man3/*.3 man7/*.7; do
  cat ../Makefile.am ../lib/mpi/local.mk | grep -q "man/$page" ||
    complain "$page is not installed"
  real=$(resolve "$page")
  if [ "$real" != "$page" ]; then
    [ -f "$real" ] || complain "$page: .so to missing $real"
    continue
  fi
  # -t: tbl for the pages that ask for it; -ww: every warning.
  out=$(groff -t -man -ww -z "$page" 2>&1) || complain "$page: groff failed"
  [ -z "$out" ] || complain "$page: $out"
  if command -v man >/dev/null 2>&1; then
    out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) ||
      complain "$page: man failed"
    [ -z "$out" ] || complain "$page: $out"
  fi
done

for sym in $(grep -hv "^#" ../tests/symbols.txt ../tests/mpi_symbols.txt); do
  page="man3/$sym.3"
  if [ ! -f "$page" ]; then
    complain "no page for $sym"
    continue
  fi
  names=$(awk '/^\.SH NAME/ { on = 1; next } /^\.SH/ { on = 0 } on' \
    "$(resolve "$page")" | sed 's/\\-.*//')
  printf '%s\n' "$names" | tr ', ' '\n\n' | grep -qx "$sym" ||
    complain "$page: NAME does not list $sym"
done
[ "$fail" = 0 ] && echo "man.sh: $(ls man3 man7 | grep -c '\.[37]$') pages clean"
exit "$fail"
