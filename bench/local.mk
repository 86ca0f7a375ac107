# bench/local.mk - the benchmark programs and the `bench` and `bench-quick`
# targets; included by Makefile.am.  Every program is an EXTRA_PROGRAM:
# neither `make` nor `make check` builds or runs it; `make bench` does.

bench_dist = bench/run.sh bench/report.awk bench/summary.awk bench/plot.sh \
	bench/plan.sh bench/pool.py bench/pairs.awk bench/rotate.sh \
	bench/scaling.sh
EXTRA_DIST += bench/configure.m4 $(bench_dist) .ci/bench-quick.sh bench/results
bench_programs =
bench_link =

if BENCH
# The scenarios and the harness, compiled once by $(CC) for every program,
# so each runtime runs the very same kernel code.
EXTRA_LIBRARIES = bench/libbench.a
bench_libbench_a_SOURCES = bench/bench.h bench/epcc.h bench/random.h \
	bench/harness.c bench/epcc.c bench/scenarios.c \
	bench/pi.c bench/walk.c bench/squares.c bench/sort.c bench/slowadd.c \
	bench/map.c bench/uneven.c \
	bench/syncbench.c bench/schedbench.c bench/idle.c bench/solver.c
bench_libbench_a_SOURCES += bench/prefix.c
bench_libbench_a_SOURCES += bench/stencil.c
bench_libbench_a_SOURCES += bench/dispatch.c
bench_libs = bench/libbench.a $(PTHREAD_LIBS)

# run.sh's link gate (bench/link.c); not an implementation.
EXTRA_PROGRAMS += bench/bench-link
bench_link += bench/bench-link
bench_bench_link_SOURCES = bench/link.c
bench_bench_link_LDADD = $(PTHREAD_LIBS)

EXTRA_PROGRAMS += bench/bench-wq
bench_programs += bench/bench-wq
bench_bench_wq_SOURCES = bench/bk_wq.c
bench_bench_wq_LDADD = $(bench_libs) lib/libwq_core.la

if BENCH_GOMP
EXTRA_PROGRAMS += bench/bench-gomp
bench_programs += bench/bench-gomp
bench_bench_gomp_SOURCES = bench/bk_omp.c
bench_bench_gomp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
bench_bench_gomp_LDFLAGS = $(OPENMP_CFLAGS)
bench_bench_gomp_LDADD = $(bench_libs)
endif

if BENCH_LIBOMP
# The same OpenMP source, compiled and linked by clang for libomp.
EXTRA_PROGRAMS += bench/bench-omp
bench_programs += bench/bench-omp
bench_bench_omp_SOURCES =
bench_bench_omp_LDADD = bench/bk_libomp.$(OBJEXT) $(bench_libs)
bench_bench_omp_DEPENDENCIES = bench/bk_libomp.$(OBJEXT) bench/libbench.a
bench_bench_omp_LINK = $(BENCH_CLANG) -fopenmp $(CFLAGS) $(LDFLAGS) -o $@
bench/bk_libomp.$(OBJEXT): bench/bk_omp.c bench/bench.h config.h
	$(AM_V_CC)$(BENCH_CLANG) -fopenmp $(DEFS) $(DEFAULT_INCLUDES) \
	  $(AM_CPPFLAGS) $(CPPFLAGS) $(WQ_CFLAGS) $(CFLAGS) \
	  -c -o $@ $(srcdir)/bench/bk_omp.c
CLEANFILES += bench/bk_libomp.$(OBJEXT)
endif

if BENCH_TBB
EXTRA_PROGRAMS += bench/bench-tbb
bench_programs += bench/bench-tbb
bench_bench_tbb_SOURCES = bench/bk_tbb.cc
bench_bench_tbb_CXXFLAGS = -std=c++17 -Wall -Wextra $(TBB_CFLAGS)
bench_bench_tbb_LDADD = $(bench_libs) $(TBB_LIBS)
endif

if BENCH_PTP
EXTRA_PROGRAMS += bench/bench-ptp
bench_programs += bench/bench-ptp
bench_bench_ptp_SOURCES = bench/bk_ptp.c
bench_bench_ptp_LDADD = $(bench_libs) -lpthreadpool
endif

if BENCH_CTHP
# C-Thread-Pool is compiled from its shipped source, with its own flags
# (our warnings are not its business).
EXTRA_PROGRAMS += bench/bench-cthp
bench_programs += bench/bench-cthp
bench_bench_cthp_SOURCES = bench/bk_cthp.c
bench_bench_cthp_CPPFLAGS = $(AM_CPPFLAGS) -I$(BENCH_CTHPOOL_INC)
bench_bench_cthp_LDADD = bench/thpool.$(OBJEXT) $(bench_libs)
bench_bench_cthp_DEPENDENCIES = bench/thpool.$(OBJEXT) bench/libbench.a
bench/thpool.$(OBJEXT): $(BENCH_CTHPOOL_SRC)
	$(AM_V_CC)$(CC) -I$(BENCH_CTHPOOL_INC) $(PTHREAD_CFLAGS) $(CFLAGS) \
	  -c -o $@ $(BENCH_CTHPOOL_SRC)
CLEANFILES += bench/thpool.$(OBJEXT)
endif
endif

CLEANFILES += $(EXTRA_PROGRAMS) $(EXTRA_LIBRARIES)

bench_env = BENCH_BUILD='$(abs_builddir)' BENCH_SRC='$(abs_srcdir)/bench' \
	BENCH_OUT='$(abs_builddir)/bench/out' PYTHON3='$(PYTHON3)' \
	GNUPLOT='$(GNUPLOT)' BENCH_PROGRAMS='$(bench_programs)' \
	BENCH_LINK_PROGRAM='$(abs_builddir)/bench/bench-link'

# `make bench`, the full run: every workload on every runtime, tables on
# the terminal, bench/out/results.csv and the plots.  `make compare`: the
# seed workloads alone, serial against every runtime, in a few minutes.
# `make bench-quick`: every workload and runtime once, on small sizes (CI;
# no timing asserted).
bench compare bench-quick: $(bench_programs) $(bench_link)
if BENCH
	@$(bench_env) $(SHELL) $(srcdir)/bench/run.sh $@
else
	@echo "make $@ needs Random123 (librandom123-dev); rerun configure" >&2
	@exit 1
endif

# `make bench-scaling`: wq and its peers on 1, 2, 4, ... threads up to
# every CPU, and libwq-mpi on as many ranks (bench/scaling.sh), in a few
# minutes: the run for a machine with many cores.  SCALING_ARGS=quick runs
# it once on small sizes (CI).
bench_scaling_deps = $(bench_programs)
if HAVE_MPI
bench_scaling_deps += bench/bench-mpi$(EXEEXT)
endif
bench-scaling: $(bench_scaling_deps)
if BENCH
	@BENCH_BUILD='$(abs_builddir)' BENCH_SRC='$(abs_srcdir)/bench' \
	  BENCH_OUT='$(abs_builddir)/bench/out' \
	  BENCH_PROGRAMS='$(bench_programs)' MPIEXEC='$(MPIEXEC)' \
	  MPIEXEC_FLAGS='$(MPIEXEC_FLAGS)' \
	  $(SHELL) $(srcdir)/bench/scaling.sh $(SCALING_ARGS)
else
	@echo "make $@ needs Random123 (librandom123-dev); rerun configure" >&2
	@exit 1
endif

.PHONY: bench compare bench-quick bench-scaling
include $(srcdir)/bench/mpi.mk
