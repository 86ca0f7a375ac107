/*
 * map.c - seed 002's generic map: a dataset of records, each processed
 * independently by an item function into a new dataset (Pool.map over a
 * list).  Here a record is a point in space and processing it computes its
 * spherical coordinates and a score: about a hundred nanoseconds of libm
 * calls, the size of a small but real per-item function.  Default size
 * 10^6 records; wq runs it through wq_map.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "random.h"

struct record {
    double x, y, z;
};

struct processed {
    double r, theta, phi, score;
};

static int process_item(void *ctx, const void *in, void *out)
{
    (void)ctx;
    const struct record *p = in;
    struct processed *q = out;
    q->r = sqrt(p->x * p->x + p->y * p->y + p->z * p->z);
    q->theta = atan2(p->y, p->x);
    q->phi = q->r > 0 ? acos(p->z / q->r) : 0.0;
    q->score = log1p(q->r) * exp(-p->z * p->z);
    return 0;
}

struct dataset {
    size_t n;
    struct record *in;
    struct processed *out;
};

static void map_once(const struct bench_params *p, void *arg)
{
    struct dataset *d = arg;
    bench_map(p->bk, d->n, p->chunk, d->in, sizeof *d->in, d->out,
              sizeof *d->out, process_item, NULL);
}

static int map_run(const struct bench_params *p, struct bench_result *r)
{
    struct dataset d = {p->size ? p->size : p->quick ? 10000 : 1000000, 0,
                        0};
    d.in = bench_alloc(d.n * sizeof *d.in);
    d.out = bench_alloc(d.n * sizeof *d.out);
    for (size_t i = 0; i < d.n; i++) {
        double u[3];
        bench_uniforms(u, 3, (uint32_t)i, 2);
        d.in[i] = (struct record){2 * u[0] - 1, 2 * u[1] - 1, 2 * u[2] - 1};
    }
    bench_time(p, r, map_once, &d);
    /* Every item is computed the same way wherever it runs, so the sums
     * (taken here in index order) are bitwise the serial loop's. */
    double sum = 0;
    for (size_t i = 0; i < d.n; i++)
        sum += d.out[i].r + d.out[i].theta + d.out[i].phi + d.out[i].score;
    r->ok = isfinite(sum) && sum != 0;
    r->size = d.n;
    snprintf(r->check, sizeof r->check, "%.15e", sum);
    free(d.in);
    free(d.out);
    return 0;
}

const struct scenario scenario_map = {"map", map_run};
