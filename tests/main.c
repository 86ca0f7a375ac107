/*
 * main.c - run every suite.  Check's fork mode stays on: each test runs in
 * its own process, so a crash, a sanitizer report or a timeout lands on the
 * test that caused it.  Pools are created inside tests, never in unchecked
 * fixtures (ThreadSanitizer refuses threads started before a fork).
 */
#include <stdlib.h>

#include "suites.h"

/* The hostile-input tests ask for allocations no machine can satisfy, on
 * purpose: the library must answer ENOMEM, which takes a malloc that
 * returns NULL as the C standard says, where the sanitizers' allocators
 * abort by default.  (Their environment variables still override.) */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "allocator_may_return_null=1";
}

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
    srunner_add_suite(sr, suite_slot());
    srunner_add_suite(sr, suite_progress());
    srunner_add_suite(sr, suite_process());
    srunner_add_suite(sr, suite_hostile());
    srunner_add_suite(sr, suite_plan());
    srunner_add_suite(sr, suite_handout());
    srunner_add_suite(sr, suite_scan());
    srunner_add_suite(sr, suite_nd());
    srunner_add_suite(sr, suite_scanerrors());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
