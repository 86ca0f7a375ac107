# lib/mpi/local.mk - libwq-mpi, its tests and its example, built when
# configure found MPI (lib/mpi/configure.m4); included by Makefile.am.
# The core library and its tests never need MPI.

EXTRA_DIST += lib/mpi/configure.m4 wq-mpi.pc.in tests/mpi.sh \
	tests/mpi_symbols.sh tests/mpi_symbols.txt .ci/mpi.sh .ci/mpi.supp \
	.ci/mpi-tsan.supp

if HAVE_MPI
lib_LTLIBRARIES += lib/libwq-mpi.la
lib_libwq_mpi_la_SOURCES = lib/mpi/common.h lib/mpi/common.c \
	lib/mpi/handout.h lib/mpi/handout.c lib/mpi/reduce.c lib/mpi/map.c \
	lib/mpi/pool.c
lib_libwq_mpi_la_CPPFLAGS = $(AM_CPPFLAGS) $(MPI_CFLAGS)
lib_libwq_mpi_la_CFLAGS = $(AM_CFLAGS) $(WQ_VISIBILITY)
lib_libwq_mpi_la_LIBADD = lib/libwq.la $(MPI_LIBS)
# As libwq's: hidden visibility, and the regex as a second guard.
lib_libwq_mpi_la_LDFLAGS = -version-info $(WQ_LT_VERSION) -no-undefined \
	-export-symbols-regex '^wq_mpi_[a-z]'
wqinclude_HEADERS = include/wq/mpi.h
dist_man3_MANS += man/man3/wq_mpi_reduce.3 man/man3/wq_mpi_map.3 \
	man/man3/wq_mpi_share.3 man/man3/wq_mpi_pool_create.3
pkgconfig_DATA += wq-mpi.pc

# The Check suites, run by tests/mpi.sh on 1 to 4 ranks; the preamble's
# test runs before MPI_Init and after MPI_Finalize in a program of its own.
mpi_test_cppflags = $(AM_CPPFLAGS) $(MPI_CFLAGS)
mpi_test_ldadd = lib/libwq-mpi.la lib/libwq.la $(MPI_LIBS)
if HAVE_CHECK
check_PROGRAMS += tests/check_mpi
tests_check_mpi_SOURCES = tests/mpi_main.c tests/mpi_util.h tests/sum.h tests/span.h \
	tests/check_mpi_reduce.c tests/check_mpi_map.c tests/check_mpi_pool.c
tests_check_mpi_CPPFLAGS = $(mpi_test_cppflags)
tests_check_mpi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_mpi_LDADD = $(mpi_test_ldadd) $(CHECK_LIBS) $(PTHREAD_LIBS)
endif
check_PROGRAMS += tests/mpi_uninit examples/004_pi_mpi
tests_mpi_uninit_SOURCES = tests/mpi_uninit.c
tests_mpi_uninit_CPPFLAGS = $(mpi_test_cppflags)
tests_mpi_uninit_LDADD = $(mpi_test_ldadd)
examples_004_pi_mpi_SOURCES = examples/004_pi_mpi.c examples/pi.h
examples_004_pi_mpi_CPPFLAGS = $(mpi_test_cppflags)
examples_004_pi_mpi_LDADD = $(mpi_test_ldadd)
TESTS += tests/mpi.sh tests/mpi_symbols.sh
endif

# What tests/mpi.sh needs to know of this MPI.
AM_TESTS_ENVIRONMENT += MPIEXEC='$(MPIEXEC)'; \
	MPIEXEC_FLAGS='$(MPIEXEC_FLAGS)'; export MPIEXEC MPIEXEC_FLAGS;
