/*
 * sort.c - seed 003's second question, how big must a task be for parallel
 * to win?  Ten tasks, each filling an array of `size` random doubles
 * (Philox, keyed by the task) and sorting it with qsort; `make bench`
 * sweeps the size from 10 to 10^6 to find the crossover.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "random.h"

#define TASKS 10

struct sorts {
    size_t n;
    double *a[TASKS];
};

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sort_tasks(void *arg, size_t begin, size_t end)
{
    struct sorts *s = arg;
    for (size_t t = begin; t < end; t++) {
        bench_uniforms(s->a[t], s->n, (uint32_t)t, 1);
        qsort(s->a[t], s->n, sizeof *s->a[t], ascending);
    }
}

static void sort_once(const struct bench_params *p, void *arg)
{
    p->bk->pfor(TASKS, p->chunk, sort_tasks, arg);
}

static int sort_run(const struct bench_params *p, struct bench_result *r)
{
    struct sorts s = {p->size ? p->size : 1000, {0}};
    for (int t = 0; t < TASKS; t++)
        s.a[t] = bench_alloc(s.n * sizeof *s.a[t]);
    bench_time(p, r, sort_once, &s);
    /* Each array sorted; the sum of the medians as the fingerprint. */
    double medians = 0;
    r->ok = 1;
    for (int t = 0; t < TASKS; t++) {
        for (size_t i = 1; i < s.n; i++)
            r->ok &= s.a[t][i - 1] <= s.a[t][i];
        medians += s.a[t][s.n / 2];
        free(s.a[t]);
    }
    r->size = s.n;
    snprintf(r->check, sizeof r->check, "%.12f", medians);
    return 0;
}

const struct scenario scenario_sort = {"sort", sort_run};
