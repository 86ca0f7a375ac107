/* suites.h - one Check suite per public concept, gathered by main.c. */
#ifndef WQ_TEST_SUITES_H
#define WQ_TEST_SUITES_H

#include <check.h>

Suite *suite_pool(void);
Suite *suite_cpu(void);
Suite *suite_for(void);
Suite *suite_map(void);
Suite *suite_reduce(void);
Suite *suite_group(void);
Suite *suite_nest(void);
Suite *suite_errors(void);
Suite *suite_slot(void);
Suite *suite_progress(void);
Suite *suite_process(void);
Suite *suite_hostile(void);
Suite *suite_plan(void);
Suite *suite_handout(void);
Suite *suite_scan(void);
Suite *suite_nd(void);
Suite *suite_scanerrors(void);

#endif
