# bench/mpi.mk - bench-mpi (bench/mpi.c, run by bench/mpi.sh): libwq-mpi
# against hand-written MPI+OpenMP and plain MPI codes; included by
# bench/local.mk.  `make bench-mpi` runs it, and so does `make bench` when
# MPI is built.

EXTRA_DIST += bench/mpi.sh
if HAVE_MPI
EXTRA_PROGRAMS += bench/bench-mpi
bench_bench_mpi_SOURCES = bench/mpi.c
bench_bench_mpi_CPPFLAGS = $(AM_CPPFLAGS) $(MPI_CFLAGS)
bench_bench_mpi_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
bench_bench_mpi_LDFLAGS = $(OPENMP_CFLAGS)
bench_bench_mpi_LDADD = lib/libwq-mpi.la lib/libwq.la $(MPI_LIBS)

bench-mpi: bench/bench-mpi$(EXEEXT)
	@MPIEXEC='$(MPIEXEC)' MPIEXEC_FLAGS='$(MPIEXEC_FLAGS)' \
	  BENCH_BUILD='$(abs_builddir)' BENCH_OUT='$(abs_builddir)/bench/out' \
	  $(SHELL) $(srcdir)/bench/mpi.sh
# make bench runs the MPI rows too, before its own.
bench: bench-mpi
else
bench-mpi:
	@echo "make bench-mpi needs MPI (mpicc); rerun configure" >&2
	@exit 1
endif
.PHONY: bench-mpi
