/*
 * schedbench.c - per-chunk scheduling overhead by EPCC's schedbench method
 * (see epcc.h): a loop of 1024 items per thread, each one 0.1 us delay,
 * handed out in chunks of `chunk` items (make bench sweeps 1 to 1024),
 * against the same delays run serially by one thread.  The figure is the
 * overhead of one loop divided by the chunks each thread runs: what one
 * more chunk costs.  OpenMP runs its loops inside one parallel region, as
 * schedbench does; the pools, which have no such region, run loop after
 * loop.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "epcc.h"

#define ITERS_PER_THREAD 1024

struct sched_arg {
    const struct bench_params *p;
    size_t n, chunk;
};

static void loops(void *arg, long reps)
{
    const struct sched_arg *a = arg;
    const struct backend *bk = a->p->bk;
    if (bk->pfor_reps)
        bk->pfor_reps(reps, a->n, a->chunk, epcc_delay_items, NULL);
    else
        for (long k = 0; k < reps; k++)
            bk->pfor(a->n, a->chunk, epcc_delay_items, NULL);
}

static void ref_delays(void *arg, long reps)
{
    (void)arg;
    for (long k = 0; k < reps; k++)
        epcc_delay_items(NULL, 0, ITERS_PER_THREAD);
}

static int sched_run(const struct bench_params *p, struct bench_result *r)
{
    struct sched_arg a = {p, (size_t)ITERS_PER_THREAD * p->threads,
                          p->chunk ? p->chunk : 1};
    bench_delay_calibrate(EPCC_DELAY);
    r->size = a.n;
    r->ok = epcc_covers(p->bk, a.n, a.chunk);
    snprintf(r->check, sizeof r->check, "%s", r->ok ? "covered" : "MISSED");
    double chunks = (double)ITERS_PER_THREAD / (double)a.chunk;
    epcc_overhead(p, r, loops, &a, ref_delays, NULL, chunks < 1 ? 1 : chunks);
    return 0;
}

const struct scenario scenario_sched = {"sched", sched_run};
