/*
 * scenarios.c - the list of scenarios every benchmark program runs; each
 * lives in a file of its own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "bench.h"

extern const struct scenario scenario_pi, scenario_walk, scenario_squares,
    scenario_sort, scenario_slowadd, scenario_map, scenario_tri,
    scenario_expo, scenario_forkjoin, scenario_forkjoin_cold,
    scenario_reduction, scenario_sched, scenario_idle, scenario_idle_spin,
    scenario_solver, scenario_scan;
extern const struct scenario scenario_stencil, scenario_dispatch;

const struct scenario *const bench_scenarios[] = {
    &scenario_pi,       &scenario_walk,     &scenario_squares,
    &scenario_sort,     &scenario_slowadd,  &scenario_map,
    &scenario_tri,      &scenario_expo,     &scenario_forkjoin,
    &scenario_forkjoin_cold, &scenario_reduction, &scenario_sched,
    &scenario_idle,     &scenario_idle_spin, &scenario_solver,
    &scenario_scan,     &scenario_stencil,  &scenario_dispatch, NULL};
