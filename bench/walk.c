/*
 * walk.c - the 2-D random walks of seed 000: `size` walks (default 10^4)
 * of 1000 steps, each step +-1 on x and on y.
 *
 * Walk w draws its steps from Random123's Philox4x32-10 keyed by
 * (w, BENCH_SEED): one call yields 128 bits, two a step (x from the lower,
 * y from the upper), so 64 steps a call with the call number as counter.
 * A walk's stream depends on nothing but its index, so the endpoints are
 * identical on any thread count and in any order; bench/pool.py draws the
 * same bits in Python and must print the same fingerprint.  (The seed's
 * processes would all draw from one shared random state instead.)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <Random123/philox.h>

#include "bench.h"
#include "random.h"

#define STEPS 1000

struct walks {
    size_t n;
    int32_t *x, *y;
};

static void walk_range(void *arg, size_t begin, size_t end)
{
    struct walks *w = arg;
    for (size_t i = begin; i < end; i++) {
        philox4x32_key_t key = {{(uint32_t)i, BENCH_SEED}};
        int32_t x = 0, y = 0;
        for (uint32_t call = 0; call * 64 < STEPS; call++) {
            philox4x32_ctr_t ctr = {{call, 0, 0, 0}};
            philox4x32_ctr_t bits = philox4x32(ctr, key);
            for (unsigned s = 0; s < 64 && call * 64 + s < STEPS; s++) {
                uint32_t word = bits.v[s / 16] >> (2 * (s % 16));
                x += (int32_t)(word & 1) * 2 - 1;
                y += (int32_t)(word >> 1 & 1) * 2 - 1;
            }
        }
        w->x[i] = x;
        w->y[i] = y;
    }
}

static void walk_once(const struct bench_params *p, void *arg)
{
    struct walks *w = arg;
    p->bk->pfor(w->n, p->chunk, walk_range, w);
}

static int walk_run(const struct bench_params *p, struct bench_result *r)
{
    struct walks w = {p->size ? p->size : p->quick ? 1000 : 10000, 0, 0};
    w.x = bench_alloc(w.n * sizeof *w.x);
    w.y = bench_alloc(w.n * sizeof *w.y);
    bench_time(p, r, walk_once, &w);
    /* Fingerprint: the sum of squared distances and a hash of the
     * endpoints in walk order; a walk has even coordinates within
     * [-STEPS, STEPS], which every correct run respects. */
    uint64_t d2 = 0, h = 0;
    r->ok = 1;
    for (size_t i = 0; i < w.n; i++) {
        d2 += (uint64_t)((int64_t)w.x[i] * w.x[i] + (int64_t)w.y[i] * w.y[i]);
        h = h * 1000003u + (uint64_t)(w.x[i] + STEPS) * 4096u +
            (uint64_t)(w.y[i] + STEPS);
        r->ok &= abs(w.x[i]) <= STEPS && w.x[i] % 2 == 0 && w.y[i] % 2 == 0;
    }
    r->size = w.n;
    snprintf(r->check, sizeof r->check, "%" PRIu64 ":%016" PRIx64, d2, h);
    free(w.x);
    free(w.y);
    return 0;
}

const struct scenario scenario_walk = {"walk", walk_run};
