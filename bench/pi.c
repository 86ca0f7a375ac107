/*
 * pi.c - the pi reduction of seed 004: the alternating series
 *
 *   pi = sum over i of (4 - 8 * (i % 2)) / (2i + 1),   i in [0, n)
 *
 * as a reduction on every runtime's own reduce (wq_reduce, OpenMP's
 * reduction clause, oneTBB's parallel_reduce, ...).  Default size 10^8.
 * The check: the sum is within the series' truncation bound 4 / (2n + 1)
 * of pi, so a loop that was optimised away or summed twice fails.
 */
#include <math.h>
#include <stdio.h>

#include "bench.h"

static double pi_terms(void *ctx, size_t begin, size_t end)
{
    (void)ctx;
    double sum = 0.0;
    for (size_t i = begin; i < end; i++)
        sum += (double)(4 - 8 * (int)(i % 2)) / (double)(2 * i + 1);
    return sum;
}

struct pi_run {
    size_t n;
    double pi;
};

static void pi_once(const struct bench_params *p, void *arg)
{
    struct pi_run *run = arg;
    run->pi = p->bk->psum(run->n, p->chunk, pi_terms, NULL);
}

static int pi_run(const struct bench_params *p, struct bench_result *r)
{
    struct pi_run run = {p->size ? p->size : p->quick ? 1000000 : 100000000,
                         0.0};
    bench_time(p, r, pi_once, &run);
    r->size = run.n;
    snprintf(r->check, sizeof r->check, "%.10f", run.pi);
    r->ok = fabs(run.pi - M_PI) <= 4.0 / (2.0 * (double)run.n + 1) + 1e-9;
    return 0;
}

const struct scenario scenario_pi = {"pi", pi_run};
