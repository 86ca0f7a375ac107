/*
 * epcc.c - the EPCC overhead method (see epcc.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "epcc.h"

static double batch_seconds(epcc_fn fn, void *arg, long reps)
{
    double t0 = bench_now();
    fn(arg, reps);
    return bench_now() - t0;
}

/* EPCC's getinnerreps: double until one batch reaches the target. */
static long inner_reps(epcc_fn fn, void *arg, double target)
{
    long reps = 1;
    while (batch_seconds(fn, arg, reps) < target && reps < (1L << 40))
        reps *= 2;
    return reps;
}

/* Seconds per construct of `outer` batches, after one untimed batch. */
static void per_rep(epcc_fn fn, void *arg, double target, double *t,
                    int outer)
{
    long reps = inner_reps(fn, arg, target);
    fn(arg, reps);
    for (int k = 0; k < outer; k++)
        t[k] = batch_seconds(fn, arg, reps) / (double)reps;
}

void epcc_overhead(const struct bench_params *p, struct bench_result *r,
                   epcc_fn test, void *test_arg, epcc_fn ref, void *ref_arg,
                   double per)
{
    /* bench-quick only checks that everything runs: shorter batches. */
    int outer = p->quick ? 5 : EPCC_OUTER;
    double target = p->quick ? EPCC_TARGET / 5 : EPCC_TARGET;
    double tt[EPCC_OUTER], rt[EPCC_OUTER];
    per_rep(ref, ref_arg, target, rt, outer);
    per_rep(test, test_arg, target, tt, outer);
    double ref_med = bench_median(rt, outer);
    double test_med = bench_median(tt, outer); /* sorts tt */
    r->med = (test_med - ref_med) / per;
    r->lo = (tt[0] - ref_med) / per;
    r->hi = (tt[outer - 1] - ref_med) / per;
}

void epcc_delay_items(void *ctx, size_t begin, size_t end)
{
    (void)ctx;
    for (size_t i = begin; i < end; i++)
        bench_delay(bench_delay_len);
}

double epcc_delay_count(void *ctx, size_t begin, size_t end)
{
    epcc_delay_items(ctx, begin, end);
    return (double)(end - begin);
}

static void count_items(void *ctx, size_t begin, size_t end)
{
    unsigned char *seen = ctx;
    for (size_t i = begin; i < end; i++)
        seen[i]++;
}

int epcc_covers(const struct backend *bk, size_t n, size_t chunk)
{
    unsigned char *seen = bench_alloc(n);
    memset(seen, 0, n);
    bk->pfor(n, chunk, count_items, seen);
    size_t i = 0;
    while (i < n && seen[i] == 1)
        i++;
    free(seen);
    return i == n;
}
