/*
 * syncbench.c - fork-join and reduction overheads by EPCC's syncbench
 * method (see epcc.h): a parallel loop with one item per thread, each item
 * one 0.1 us delay, against that delay alone.
 *
 *   forkjoin       loops back to back, so the team is still awake (warm);
 *   forkjoin-cold  each loop after the team has been idle for longer than
 *                  any runtime's default spin window (libomp's 200 ms is the
 *                  longest), so it must be woken from sleep: what a program
 *                  that calls a loop now and then pays;
 *   reduction      the same loop as a sum reduction.
 *
 * Results are seconds of overhead per loop; size is the number of items.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "epcc.h"

struct sync_arg {
    const struct bench_params *p;
    double sum; /* the reduction's results, to check */
};

static void ref_delays(void *arg, long reps)
{
    (void)arg;
    for (long k = 0; k < reps; k++)
        bench_delay(bench_delay_len);
}

static void loops(void *arg, long reps)
{
    const struct bench_params *p = ((struct sync_arg *)arg)->p;
    for (long k = 0; k < reps; k++)
        p->bk->pfor(p->threads, 1, epcc_delay_items, NULL);
}

static void reductions(void *arg, long reps)
{
    struct sync_arg *a = arg;
    const struct bench_params *p = a->p;
    for (long k = 0; k < reps; k++)
        a->sum += p->bk->psum(p->threads, 1, epcc_delay_count, NULL);
}

static void sync_setup(const struct bench_params *p, struct bench_result *r)
{
    bench_delay_calibrate(EPCC_DELAY);
    r->size = p->threads;
    r->ok = epcc_covers(p->bk, p->threads, 1);
    snprintf(r->check, sizeof r->check, "%s", r->ok ? "covered" : "MISSED");
}

static int forkjoin_run(const struct bench_params *p, struct bench_result *r)
{
    struct sync_arg a = {p, 0};
    sync_setup(p, r);
    epcc_overhead(p, r, loops, &a, ref_delays, NULL, 1);
    return 0;
}

static int reduction_run(const struct bench_params *p, struct bench_result *r)
{
    struct sync_arg a = {p, 0};
    sync_setup(p, r);
    epcc_overhead(p, r, reductions, &a, ref_delays, NULL, 1);
    /* Every reduction must have counted one per item: the sum is an
     * integer, exact in a double, and a multiple of the thread count. */
    double loops_run = a.sum / p->threads;
    r->ok = r->ok && a.sum > 0 && loops_run == (double)(long)loops_run;
    snprintf(r->check, sizeof r->check, "%s",
             r->ok ? "summed" : "WRONG-SUM");
    return 0;
}

/* Cold loops cannot be batched (a batch would keep the team warm), so each
 * is timed alone: at tens of microseconds a loop is far above the clock's
 * resolution. */
static int forkjoin_cold_run(const struct bench_params *p,
                             struct bench_result *r)
{
    double t[EPCC_OUTER], ref[EPCC_OUTER];
    sync_setup(p, r);
    for (int k = 0; k < EPCC_OUTER; k++) {
        double t0 = bench_now();
        bench_delay(bench_delay_len);
        ref[k] = bench_now() - t0;
    }
    double ref_med = bench_median(ref, EPCC_OUTER);
    int reps = p->quick ? 2 : EPCC_OUTER;
    for (int k = 0; k < reps; k++) {
        bench_sleep(0.25);
        double t0 = bench_now();
        p->bk->pfor(p->threads, 1, epcc_delay_items, NULL);
        t[k] = bench_now() - t0 - ref_med;
    }
    r->med = bench_median(t, reps);
    r->lo = t[0];
    r->hi = t[reps - 1];
    return 0;
}

const struct scenario scenario_forkjoin = {"forkjoin", forkjoin_run};
const struct scenario scenario_forkjoin_cold = {"forkjoin-cold",
                                                forkjoin_cold_run};
const struct scenario scenario_reduction = {"reduction", reduction_run};
