# bench/configure.m4 - what `make bench` compares wq with, found at
# configure time.  Every peer is optional: one that is missing is left out
# of the benchmark (the driver says so), never a reason to fail.

# Random123 (header only) draws the workloads' random numbers; without it
# there is no benchmark at all.
AC_CHECK_HEADER([Random123/philox.h], [bench_r123=yes], [bench_r123=no])

# libgomp: the C compiler's OpenMP, if that compiler is gcc.
AC_OPENMP
AC_MSG_CHECKING([for libgomp through $CC $OPENMP_CFLAGS])
bench_gomp=no
AS_IF([test "x$OPENMP_CFLAGS" != x], [
  bench_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS $OPENMP_CFLAGS"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#if defined __clang__ || !defined _OPENMP
#error not gcc
#endif]])], [bench_gomp=yes])
  CFLAGS=$bench_save_CFLAGS])
AC_MSG_RESULT([$bench_gomp])

# libomp: clang's OpenMP, compiled by clang whatever CC is.
AC_ARG_VAR([BENCH_CLANG], [clang for the libomp benchmark])
AC_CHECK_PROGS([BENCH_CLANG], [clang clang-16 clang-15 clang-14], [no])
bench_libomp=no
AS_IF([test "x$BENCH_CLANG" != xno], [
  AC_MSG_CHECKING([whether $BENCH_CLANG -fopenmp links with libomp])
  bench_save_CC=$CC
  CC="$BENCH_CLANG -fopenmp"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <omp.h>]],
                    [[return omp_get_max_threads() < 1;]])],
                 [bench_libomp=yes])
  CC=$bench_save_CC
  AC_MSG_RESULT([$bench_libomp])])

# oneTBB (C++).
PKG_CHECK_MODULES([TBB], [tbb], [bench_tbb=yes], [bench_tbb=no])

# pthreadpool.
bench_ptp=no
AC_CHECK_HEADER([pthreadpool.h],
  [AC_CHECK_LIB([pthreadpool], [pthreadpool_create], [bench_ptp=yes])])

# C-Thread-Pool ships as source (Debian's cthreadpool-dev); built here.
AC_ARG_WITH([cthreadpool],
  [AS_HELP_STRING([--with-cthreadpool=DIR],
    [C-Thread-Pool's thpool.c for the benchmark @<:@/usr/share/cthreadpool@:>@])],
  [], [with_cthreadpool=/usr/share/cthreadpool])
AC_ARG_VAR([BENCH_CTHPOOL_INC], [directory of C-Thread-Pool's thpool.h])
: ${BENCH_CTHPOOL_INC=/usr/include/cthreadpool}
bench_cthp=no
AS_IF([test "x$with_cthreadpool" != xno &&
       test -f "$with_cthreadpool/thpool.c" &&
       test -f "$BENCH_CTHPOOL_INC/thpool.h"], [bench_cthp=yes])
AC_SUBST([BENCH_CTHPOOL_SRC], ["$with_cthreadpool/thpool.c"])

AC_CHECK_PROGS([PYTHON3], [python3], [no])
AC_CHECK_PROGS([GNUPLOT], [gnuplot], [no])

AM_CONDITIONAL([BENCH], [test "x$bench_r123" = xyes])
AM_CONDITIONAL([BENCH_GOMP], [test "x$bench_gomp" = xyes])
AM_CONDITIONAL([BENCH_LIBOMP], [test "x$bench_libomp" = xyes])
AM_CONDITIONAL([BENCH_TBB], [test "x$bench_tbb" = xyes])
AM_CONDITIONAL([BENCH_PTP], [test "x$bench_ptp" = xyes])
AM_CONDITIONAL([BENCH_CTHP], [test "x$bench_cthp" = xyes])
AC_MSG_NOTICE([bench: Random123 $bench_r123, libgomp $bench_gomp, dnl
libomp $bench_libomp, oneTBB $bench_tbb, pthreadpool $bench_ptp, dnl
C-Thread-Pool $bench_cthp, python3 $PYTHON3, gnuplot $GNUPLOT])
