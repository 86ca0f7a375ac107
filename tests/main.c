/*
 * main.c - run every suite.  Check's fork mode stays on: each test runs in
 * its own process, so a crash, a sanitizer report or a timeout lands on the
 * test that caused it.  Pools are created inside tests, never in unchecked
 * fixtures (ThreadSanitizer refuses threads started before a fork).
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(suite_pool());
    srunner_add_suite(sr, suite_cpu());
    srunner_add_suite(sr, suite_for());
    srunner_add_suite(sr, suite_map());
    srunner_add_suite(sr, suite_reduce());
    srunner_add_suite(sr, suite_group());
    srunner_add_suite(sr, suite_nest());
    srunner_add_suite(sr, suite_errors());
    srunner_add_suite(sr, suite_process());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
