/*
 * stencil.c - a tiled 2-D loop: Jacobi sweeps of the five-point stencil
 * (each inner cell becomes the mean of its four neighbours) over an N x N
 * grid of doubles, the boundary held fixed, two grids swapped after each
 * sweep.  Each sweep is one 2-D loop over the (N-2) x (N-2) inner cells
 * (bench_for_2d: wq_for_2d, OpenMP's collapse(2), oneTBB's blocked_range2d,
 * pthreadpool's parallelize_2d_tile_2d), the same compiled kernel on every
 * tile; chunk is the tile's edge (0: each runtime's own default).  Default
 * N = 4096 (two grids of 128 MiB: memory-bound) and 8 sweeps; quick: 256
 * and 2.  Every cell is computed the same way wherever it runs, so the
 * final grid is bitwise the serial loop's.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

struct grids {
    size_t n; /* cells a side, boundary included */
    double *u, *v; /* read u, write v; swapped after each sweep */
    int sweeps;
};

static void sweep_tile(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    const struct grids *g = ctx;
    const size_t n = g->n;
    const double *restrict u = g->u;
    double *restrict v = g->v;
    for (size_t i = i0 + 1; i < i1 + 1; i++) {
        const double *up = u + (i - 1) * n, *row = u + i * n,
                     *down = u + (i + 1) * n;
        double *out = v + i * n;
        for (size_t j = j0 + 1; j < j1 + 1; j++)
            out[j] = 0.25 * (up[j] + down[j] + row[j - 1] + row[j + 1]);
    }
}

/* The same start for both grids: a hot top edge, a pattern inside. */
static void grids_reset(struct grids *g)
{
    for (size_t i = 0; i < g->n; i++)
        for (size_t j = 0; j < g->n; j++) {
            double x = i == 0 ? 1.0
                               : (double)((i * 31 + j * 17) % 101) / 101.0;
            g->u[i * g->n + j] = g->v[i * g->n + j] = x;
        }
}

static void stencil_once(const struct bench_params *p, void *arg)
{
    struct grids *g = arg;
    for (int s = 0; s < g->sweeps; s++) {
        bench_for_2d(p->bk, g->n - 2, g->n - 2, p->chunk, sweep_tile, g);
        double *t = g->u;
        g->u = g->v;
        g->v = t;
    }
}

static int stencil_run(const struct bench_params *p, struct bench_result *r)
{
    struct grids g = {p->size ? p->size : p->quick ? 256 : 4096, NULL, NULL,
                      p->quick ? 2 : 8};
    if (g.n < 3) {
        fprintf(stderr, "stencil: the grid needs at least 3 x 3 cells\n");
        return -1;
    }
    g.u = bench_alloc(g.n * g.n * sizeof *g.u);
    g.v = bench_alloc(g.n * g.n * sizeof *g.v);
    grids_reset(&g);
    bench_time(p, r, stencil_once, &g);
    /* Every timed run started where the previous one ended; the check is
     * of one run from the start, summed in index order. */
    grids_reset(&g);
    stencil_once(p, &g);
    double sum = 0;
    for (size_t k = 0; k < g.n * g.n; k++)
        sum += g.u[k];
    r->ok = isfinite(sum) && sum > 0;
    r->size = g.n;
    snprintf(r->check, sizeof r->check, "%.15e", sum);
    free(g.u);
    free(g.v);
    return 0;
}

const struct scenario scenario_stencil = {"stencil", stencil_run};
