# tests/local.mk - the reliability checks, included from Makefile.am.

if HAVE_CHECK
tests_check_wq_SOURCES += tests/check_process.c
endif
