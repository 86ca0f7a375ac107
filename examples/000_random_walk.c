/*
 * 000_random_walk.c - many 2-D random walks, in parallel, with the same
 * output on any number of threads.
 *
 * The Python pattern it replaces: a loop simulates ten thousand walks of a
 * thousand steps, each step moving x and y by a random +1 or -1 drawn from
 * the global generator, and collects the end points.  To parallelise it,
 * the loop body becomes a function of the step count, a list repeats that
 * argument once per walk, and Pool.map runs the function over the list and
 * returns the end points as a list.
 *
 * In C the loop body becomes a wq_for body over a range of walk indices.
 * The one real change is the random numbers.  One shared generator would be
 * a data race between threads (and, even locked, would hand out numbers in
 * whatever order threads arrive, so the walks would change from run to
 * run).  Instead every walk draws from its own stream: Random123's Philox,
 * a counter-based generator, keyed by the walk's index.  Walk i is then the
 * same walk whichever thread runs it, and the output below is identical on
 * 1 thread or 64.
 *
 *   ./000_random_walk [walks [steps]]        (default 10000 1000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <Random123/philox.h>
#include <wq.h>

#include "bar.h"

#define SEED 2024u

struct point {
    long x, y;
};

struct walks {
    long steps;
    struct point *end;
};

/* One walk: Philox turns (counter, key = walk index) into 128 random bits,
 * two bits a step, so each call covers 64 steps. */
static struct point walk(unsigned long index, long steps)
{
    philox4x32_key_t key = {{(uint32_t)index, SEED}};
    philox4x32_ctr_t ctr = {{0, 0, 0, 0}};
    struct point p = {0, 0};
    for (long t = 0; t < steps; t += 64) {
        ctr.v[0] = (uint32_t)(t / 64);
        philox4x32_ctr_t bits = philox4x32(ctr, key);
        for (long s = 0; s < 64 && t + s < steps; s++) {
            uint32_t word = bits.v[s / 16], shift = (uint32_t)(s % 16) * 2;
            p.x += (word >> shift) & 1 ? 1 : -1;
            p.y += (word >> (shift + 1)) & 1 ? 1 : -1;
        }
    }
    return p;
}

/* The loop body: walks [begin, end). */
static int walk_range(void *ctx, size_t begin, size_t end)
{
    struct walks *w = ctx;
    for (size_t i = begin; i < end; i++)
        w->end[i] = walk(i, w->steps);
    return 0;
}

/* A text histogram of the x end points, in place of a plot.  x has the
 * parity of steps and a standard deviation of sqrt(steps): BINS bins of an
 * even width span about six deviations, symmetric around 0. */
static void histogram(const struct point *end, long walks, long steps)
{
    enum { BINS = 11 };
    long count[BINS] = {0}, width = 2;
    while ((width * BINS) * (width * BINS) < 36 * steps)
        width += 2;
    long most = 1;
    for (long i = 0; i < walks; i++) {
        long shifted = end[i].x + width * BINS / 2;
        if (shifted >= 0 && shifted / width < BINS)
            count[shifted / width]++;
    }
    for (int b = 0; b < BINS; b++)
        most = count[b] > most ? count[b] : most;
    for (int b = 0; b < BINS; b++) {
        long from = (long)b * width - width * BINS / 2;
        printf("x in [%4ld, %4ld) %6ld ", from, from + width, count[b]);
        for (long k = 0; k < count[b] * 50 / most; k++)
            putchar('#');
        putchar('\n');
    }
}

int main(int argc, char **argv)
{
    long walks = argc > 1 ? atol(argv[1]) : 10000;
    long steps = argc > 2 ? atol(argv[2]) : 1000;
    struct walks w = {steps, calloc((size_t)(walks > 0 ? walks : 1),
                                    sizeof *w.end)};
    wq_options opt = bar_options("walks");
    wq_pool *pool;
    int rc = wq_pool_create(&pool, &opt);
    if (walks <= 0 || steps <= 0 || !w.end || rc) {
        fprintf(stderr, "usage: %s [walks [steps]] (%s)\n", argv[0],
                wq_strerror(rc));
        return 1;
    }

    double t0 = wq_now();
    rc = wq_for(pool, (size_t)walks, 0, walk_range, &w);
    double secs = wq_now() - t0;
    if (rc) {
        fprintf(stderr, "wq_for: %s\n", wq_strerror(rc));
        return 1;
    }

    /* Integer sums: exact, so the summary cannot depend on the order. */
    long long sx = 0, sy = 0, r2 = 0;
    for (long i = 0; i < walks; i++) {
        sx += w.end[i].x;
        sy += w.end[i].y;
        r2 += (long long)w.end[i].x * w.end[i].x +
              (long long)w.end[i].y * w.end[i].y;
    }
    printf("%ld walks of %ld steps\n", walks, steps);
    printf("mean end point (%.4f, %.4f), expected (0, 0)\n",
           (double)sx / (double)walks, (double)sy / (double)walks);
    printf("mean squared distance %.2f, expected %ld\n",
           (double)r2 / (double)walks, 2 * steps);
    histogram(w.end, walks, steps);
    fprintf(stderr, "%.3f s on %u threads\n", secs, wq_pool_size(pool));

    wq_pool_destroy(pool);
    free(w.end);
    return 0;
}
