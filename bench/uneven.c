/*
 * uneven.c - loops whose iterations cost different amounts, where the
 * schedule decides the time:
 *
 *   tri   iteration i costs i units (a triangular loop, as the rows of a
 *         triangular matrix); default 20000 iterations;
 *   expo  iteration i costs a number of units drawn from an exponential
 *         distribution of mean 2000 (Philox, keyed by i); default 10^5.
 *
 * A unit is one step of a 64-bit xorshift generator, a dependent chain of
 * a nanosecond or so; each iteration stores its final state, and the XOR
 * and sum of the states are the fingerprint.  wq runs these with chunk 0;
 * OpenMP is given its schedules and chunks by hand (see plan.sh).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "random.h"

#define EXPO_MEAN 2000.0

struct uneven {
    size_t n;
    uint32_t *cost; /* units of iteration i */
    uint64_t *state;
};

static uint64_t units(uint64_t s, uint32_t count)
{
    for (uint32_t k = 0; k < count; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
    }
    return s;
}

static void uneven_range(void *arg, size_t begin, size_t end)
{
    struct uneven *u = arg;
    for (size_t i = begin; i < end; i++)
        u->state[i] = units(i + 1, u->cost[i]);
}

static void uneven_once(const struct bench_params *p, void *arg)
{
    struct uneven *u = arg;
    p->bk->pfor(u->n, p->chunk, uneven_range, u);
}

/* Time the loop and fingerprint it; cost[] is filled by the caller. */
static int uneven_measure(const struct bench_params *p,
                          struct bench_result *r, struct uneven *u)
{
    u->state = bench_alloc(u->n * sizeof *u->state);
    bench_time(p, r, uneven_once, u);
    uint64_t x = 0, sum = 0;
    r->ok = 1;
    for (size_t i = 0; i < u->n; i++) {
        x ^= u->state[i];
        sum += u->state[i];
        r->ok &= u->state[i] != 0; /* xorshift never reaches 0 from i+1 */
    }
    r->size = u->n;
    snprintf(r->check, sizeof r->check, "%016" PRIx64 ":%016" PRIx64, x,
             sum);
    free(u->state);
    free(u->cost);
    return 0;
}

static int tri_run(const struct bench_params *p, struct bench_result *r)
{
    struct uneven u = {p->size ? p->size : p->quick ? 2000 : 20000, 0, 0};
    u.cost = bench_alloc(u.n * sizeof *u.cost);
    for (size_t i = 0; i < u.n; i++)
        u.cost[i] = (uint32_t)i;
    return uneven_measure(p, r, &u);
}

static int expo_run(const struct bench_params *p, struct bench_result *r)
{
    struct uneven u = {p->size ? p->size : p->quick ? 2000 : 100000, 0, 0};
    u.cost = bench_alloc(u.n * sizeof *u.cost);
    for (size_t i = 0; i < u.n; i++) {
        double v;
        bench_uniforms(&v, 1, (uint32_t)i, 3);
        u.cost[i] = (uint32_t)(-EXPO_MEAN * log1p(-v));
    }
    return uneven_measure(p, r, &u);
}

const struct scenario scenario_tri = {"tri", tri_run};
const struct scenario scenario_expo = {"expo", expo_run};
