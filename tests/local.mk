# tests/local.mk - the reliability checks, included from Makefile.am.

EXTRA_DIST += .ci/reliability.sh .ci/valgrind.supp

if HAVE_CHECK
tests_check_wq_SOURCES += tests/check_process.c tests/check_hostile.c
# The reduction's plan, and libwq-mpi's hand-out of it simulated without MPI.
tests_check_wq_SOURCES += tests/check_plan.c tests/check_handout.c tests/sum.h \
	tests/span.h \
	lib/mpi/handout.h lib/mpi/handout.c
# The tiled loops.
tests_check_wq_SOURCES += tests/check_nd.c
# Several outside threads calling at once, for the suites that need them.
tests_check_wq_SOURCES += tests/callers.c tests/callers.h
# wq_scan's second suite, and the cases it shares with wq_reduce's.
tests_check_wq_SOURCES += tests/check_scan_errors.c tests/scan.h \
	tests/folding.c tests/folding.h
endif

# The fault hook's own file, and the test that walks every failure point.
if FAULT_INJECTION
lib_libwq_core_la_SOURCES += lib/fault.c
if HAVE_CHECK
check_PROGRAMS += tests/check_fault
TESTS += tests/check_fault
tests_check_fault_SOURCES = tests/check_fault.c tests/util.h
tests_check_fault_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
tests_check_fault_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_fault_LDADD = lib/libwq_core.la $(CHECK_LIBS) $(PTHREAD_LIBS)
endif
endif

# The stress test: random loops, maps, reductions and groups from four
# threads on pools of 1 to 16 threads, each checked.  make check runs it for
# two seconds; make stress for STRESS_SECONDS (CI: about a minute); make
# soak for as long as asked, e.g. make soak SOAK_SECONDS=3600.
check_PROGRAMS += tests/stress
TESTS += tests/stress
tests_stress_SOURCES = tests/stress.c tests/stress_ops.c tests/stress.h
tests_stress_LDADD = lib/libwq.la $(PTHREAD_LIBS)
STRESS_SECONDS = 60
STRESS_CROWD_SECONDS = 20
# The crowd mode (see tests/stress.c) in make check too.
TESTS += tests/stress-crowd.sh
EXTRA_DIST += tests/stress-crowd.sh
SOAK_SECONDS = 3600

stress: tests/stress$(EXEEXT)
	$(builddir)/tests/stress $(STRESS_SECONDS)
	$(builddir)/tests/stress crowd $(STRESS_CROWD_SECONDS)

soak: tests/stress$(EXEEXT)
	$(builddir)/tests/stress $(SOAK_SECONDS)

.PHONY: stress soak

# make model-check: the Promela models of the lock-free protocols (the task
# ring, a board slot, parking, the scan's chain), every interleaving
# checked with spin.
SPIN = spin
MODELS = tests/model/ring.pml tests/model/board.pml tests/model/park.pml \
	tests/model/chain.pml
EXTRA_DIST += $(MODELS) tests/model/check.sh

model-check:
	$(SHELL) $(srcdir)/tests/model/check.sh '$(SPIN)' '$(CC)' \
	  '$(abs_srcdir)/tests/model'

.PHONY: model-check
