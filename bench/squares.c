/*
 * squares.c - seed 003's first question, when is parallel slower?  Square
 * `size` integers (10 and 10^7 in `make bench`) with a map: out[i] = in[i]^2
 * through each runtime's map (wq_map; elsewhere a loop calling the same
 * item function).  For 10 items every runtime costs more than the loop.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

struct squares {
    size_t n;
    int64_t *in, *out;
};

static int square(void *ctx, const void *in, void *out)
{
    (void)ctx;
    int64_t x = *(const int64_t *)in;
    *(int64_t *)out = x * x;
    return 0;
}

static void squares_once(const struct bench_params *p, void *arg)
{
    struct squares *s = arg;
    bench_map(p->bk, s->n, p->chunk, s->in, sizeof *s->in, s->out,
              sizeof *s->out, square, NULL);
}

static int squares_run(const struct bench_params *p, struct bench_result *r)
{
    struct squares s = {p->size ? p->size : 10, 0, 0};
    s.in = bench_alloc(s.n * sizeof *s.in);
    s.out = bench_alloc(s.n * sizeof *s.out);
    for (size_t i = 0; i < s.n; i++)
        s.in[i] = (int64_t)i;
    bench_time(p, r, squares_once, &s);
    /* Every square in place, and their sum as the fingerprint. */
    uint64_t sum = 0;
    r->ok = 1;
    for (size_t i = 0; i < s.n; i++) {
        r->ok &= s.out[i] == (int64_t)i * (int64_t)i;
        sum += (uint64_t)s.out[i];
    }
    r->size = s.n;
    snprintf(r->check, sizeof r->check, "%" PRIu64, sum);
    free(s.in);
    free(s.out);
    return 0;
}

const struct scenario scenario_squares = {"squares", squares_run};
