# examples/local.mk - one program per seed tutorial (included by
# Makefile.am).  They build with the library, link it as users do
# (libwq.la), and `make check` runs them through examples/check.sh.

EXAMPLES_ALL = examples/001_slow_add examples/001_total \
	examples/002_process_items examples/004_pi
EXAMPLES_ALL += examples/005_primes
# The random walk and the sorting draw from Random123's Philox streams.
if HAVE_RANDOM123
EXAMPLES_ALL += examples/000_random_walk examples/003_squares_sort
endif
noinst_PROGRAMS += $(EXAMPLES_ALL)

examples_000_random_walk_SOURCES = examples/000_random_walk.c examples/bar.h
examples_000_random_walk_LDADD = lib/libwq.la
examples_001_slow_add_SOURCES = examples/001_slow_add.c
examples_001_slow_add_LDADD = lib/libwq.la
examples_001_total_SOURCES = examples/001_total.c
examples_001_total_LDADD = lib/libwq.la
examples_002_process_items_SOURCES = examples/002_process_items.c \
	examples/bar.h
examples_002_process_items_LDADD = lib/libwq.la
examples_003_squares_sort_SOURCES = examples/003_squares_sort.c
examples_003_squares_sort_LDADD = lib/libwq.la
examples_004_pi_SOURCES = examples/004_pi.c examples/bar.h examples/pi.h
examples_004_pi_LDADD = lib/libwq.la
examples_005_primes_SOURCES = examples/005_primes.c examples/bar.h
examples_005_primes_LDADD = lib/libwq.la

# Deliberately wrong (a data race), so built only on request:
#   make examples-racy && ./examples/001_total_racy
EXTRA_PROGRAMS += examples/001_total_racy
examples_001_total_racy_SOURCES = examples/001_total_racy.c
examples_001_total_racy_LDADD = lib/libwq.la
CLEANFILES += examples/001_total_racy$(EXEEXT)
examples-racy: examples/001_total_racy$(EXEEXT)
.PHONY: examples-racy

TESTS += examples/check.sh
EXTRA_DIST += examples/check.sh
