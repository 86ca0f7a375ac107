/*
 * prefix.c - an inclusive prefix sum of doubles, out[i] = in[0] + ... +
 * in[i], on every runtime's own scan (wq_scan, oneTBB's parallel_scan,
 * OpenMP's scan directive) and as the serial loop.  Default size 10^8
 * (1.6 GB of arrays; bench-quick: 10^6).  Memory-bound: a parallel scan
 * reads the input twice where the serial loop reads it once.
 *
 * The items are small integers, so every partial sum is exact in a double
 * whatever order a runtime adds them in: each runtime's outputs must equal
 * the serial loop's bit for bit, and the check compares every one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct prefix {
    size_t n;
    double *in, *out;
};

static double prefix_sum(void *ctx, size_t begin, size_t end)
{
    const struct prefix *pf = ctx;
    double sum = 0.0;
    for (size_t i = begin; i < end; i++)
        sum += pf->in[i];
    return sum;
}

static double prefix_scan(void *ctx, size_t begin, size_t end, double carry)
{
    const struct prefix *pf = ctx;
    for (size_t i = begin; i < end; i++) {
        carry += pf->in[i];
        pf->out[i] = carry;
    }
    return carry;
}

static void prefix_once(const struct bench_params *p, void *arg)
{
    struct prefix *pf = arg;
    p->bk->pscan(pf->n, p->chunk, prefix_sum, prefix_scan, pf);
}

static int prefix_run(const struct bench_params *p, struct bench_result *r)
{
    struct prefix pf = {p->size ? p->size : p->quick ? 1000000 : 100000000,
                        NULL, NULL};
    r->size = pf.n;
    if (!p->bk->pscan) {
        snprintf(r->check, sizeof r->check, "no scan");
        return 1;
    }
    pf.in = bench_alloc(pf.n * sizeof *pf.in);
    pf.out = bench_alloc(pf.n * sizeof *pf.out);
    /* Below 2^10, so sums up to 2^53 / 2^10 items stay exact. */
    for (size_t i = 0; i < pf.n; i++)
        pf.in[i] = (double)((i * 2654435761u >> 7) & 1023);
    memset(pf.out, 0, pf.n * sizeof *pf.out);
    bench_time(p, r, prefix_once, &pf);
    double run = 0.0;
    size_t bad = pf.n;
    for (size_t i = 0; i < pf.n && bad == pf.n; i++) {
        run += pf.in[i];
        if (pf.out[i] != run)
            bad = i;
    }
    r->ok = bad == pf.n;
    if (r->ok)
        snprintf(r->check, sizeof r->check, "%.0f", pf.n ? run : 0.0);
    else
        snprintf(r->check, sizeof r->check, "out[%zu] wrong", bad);
    free(pf.in);
    free(pf.out);
    return 0;
}

const struct scenario scenario_scan = {"scan", prefix_run};
