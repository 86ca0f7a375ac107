# lib/mpi/configure.m4 - find MPI for libwq-mpi (included by configure.ac).
# MPI is found through its compiler wrapper, mpicc on the PATH or MPICC=,
# whose flags libwq-mpi is then compiled and linked with by $CC: the core
# never sees them.  --with-mpi makes a missing MPI an error, --without-mpi
# skips it; by default libwq-mpi is built when MPI is found.

AC_ARG_WITH([mpi],
  [AS_HELP_STRING([--with-mpi],
    [build libwq-mpi, and fail if MPI is missing (default: if mpicc works)])],
  [], [with_mpi=check])
AC_ARG_VAR([MPICC], [MPI's C compiler wrapper, for MPI's flags (mpicc)])
AC_ARG_VAR([MPIEXEC], [the launcher make check runs the MPI tests with])

have_mpi=no
mpi_kind=
AS_IF([test "x$with_mpi" != xno], [
  AS_IF([test -z "$MPICC"], [AC_CHECK_PROGS([MPICC], [mpicc])])
  AS_IF([test -n "$MPICC"], [
    AC_MSG_CHECKING([for the flags of $MPICC])
    # Open MPI's wrapper answers --showme, MPICH's -compile-info with the
    # whole command line (compiler first).
    AS_IF([mpi_c=`$MPICC --showme:compile 2>/dev/null` &&
           mpi_l=`$MPICC --showme:link 2>/dev/null`], [mpi_kind=openmpi],
          [mpi_c=`$MPICC -compile-info 2>/dev/null` &&
           mpi_l=`$MPICC -link-info 2>/dev/null`], [mpi_kind=mpich])
    # Keep what each step needs: compiling takes -I, -D and -pthread,
    # linking -L, -l, -Wl, and -pthread (clang warns of the others).
    MPI_CFLAGS=
    MPI_LIBS=
    for w in $mpi_c; do
      case $w in -I*|-D*|-pthread) MPI_CFLAGS="$MPI_CFLAGS $w" ;; esac
    done
    for w in $mpi_l; do
      case $w in -L*|-l*|-Wl,*|-pthread) MPI_LIBS="$MPI_LIBS $w" ;; esac
    done
    AC_MSG_RESULT([${mpi_kind:-none}:$MPI_CFLAGS$MPI_LIBS])
    AS_IF([test -n "$mpi_kind"], [
      AC_MSG_CHECKING([whether MPI-3 programs link with these flags])
      mpi_save_CFLAGS=$CFLAGS
      mpi_save_LIBS=$LIBS
      CFLAGS="$CFLAGS $MPI_CFLAGS"
      LIBS="$MPI_LIBS $LIBS"
      AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>
#if MPI_VERSION < 3
#error MPI-3 is needed
#endif]], [[MPI_Win w; int p; MPI_Init_thread(0, 0, MPI_THREAD_FUNNELED, &p);
  MPI_Win_lock_all(0, w); return 0;]])], [have_mpi=yes])
      CFLAGS=$mpi_save_CFLAGS
      LIBS=$mpi_save_LIBS
      AC_MSG_RESULT([$have_mpi])])
    # The launcher that belongs to this MPI: mpiexec.openmpi beside
    # mpicc.openmpi, plain mpiexec beside plain mpicc.
    mpi_suffix=`echo "$MPICC" | sed -n 's/^.*mpicc\(\.[[a-z]]*\)$/\1/p'`
    AS_IF([test -z "$MPIEXEC"],
      [AC_PATH_PROGS([MPIEXEC], [mpiexec$mpi_suffix mpirun$mpi_suffix])])
  ])
  AS_IF([test "x$with_mpi" = xyes && test "x$have_mpi" != xyes],
    [AC_MSG_ERROR([--with-mpi: no working MPI-3 (set MPICC=; Debian: libopenmpi-dev or libmpich-dev)])])
  AS_IF([test "x$have_mpi" = xyes && test -z "$MPIEXEC"],
    [AC_MSG_WARN([no mpiexec for $MPICC: make check will skip the MPI tests])])
])
# Open MPI refuses more ranks than CPUs unless told, and root unless told.
AS_IF([test "x$mpi_kind" = xopenmpi], [MPIEXEC_FLAGS=--oversubscribe],
  [MPIEXEC_FLAGS=])
AC_SUBST([MPI_CFLAGS])
AC_SUBST([MPI_LIBS])
AC_SUBST([MPI_KIND], [$mpi_kind])
AC_SUBST([MPIEXEC_FLAGS])
AM_CONDITIONAL([HAVE_MPI], [test "x$have_mpi" = xyes])
