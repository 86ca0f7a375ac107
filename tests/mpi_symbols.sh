#!/bin/sh
# mpi_symbols.sh - libwq-mpi.so exports exactly the names in
# mpi_symbols.txt, as tests/symbols.sh checks libwq.so.
set -eu
SYMBOLS_LIB="${top_builddir:-.}/lib/.libs/libwq-mpi.so"
SYMBOLS_LIST="${top_srcdir:-.}/tests/mpi_symbols.txt"
export SYMBOLS_LIB SYMBOLS_LIST
exec sh "${top_srcdir:-.}/tests/symbols.sh"
