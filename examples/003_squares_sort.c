/*
 * 003_squares_sort.c - when does parallel start to win?  Measured.
 *
 * The Python pattern it replaces: Pool(3).map squares the numbers 0 to 9,
 * and a timer shows the parallel map slower than the serial loop: sending
 * ten numbers to worker processes and back costs far more than squaring
 * them.  A heavier task (fill an array of N random numbers from a seeded
 * generator, sort it) still loses for small N, and the reader is invited to
 * find the N where parallel starts to win.
 *
 * This program finds it.  Threads make the fixed cost much smaller than
 * processes do (no data is copied; a pool wakes in microseconds), but not
 * zero, so a loop must carry enough work to pay for it.  For each size it
 * times the serial loop and the parallel one (best of several runs) and
 * reports the size from which the parallel one is clearly faster.  The
 * random numbers come from Random123's Philox keyed by the task's index, so
 * every array, and hence every result on stdout, is the same on any thread
 * count; the times go to stderr.  Each task sorts in a per-thread scratch buffer found with
 * wq_worker_index(), so no task allocates.
 *
 * Beside the speedup S = serial time / parallel time on p threads, it prints
 * the efficiency S / p and the Karp-Flatt serial fraction
 * e = (1/S - 1/p) / (1 - 1/p): the share of the work that behaved as if it
 * could not be parallel, measured rather than assumed.  Near 0 the loop
 * scales; a large e at a small size is the fixed cost of waking the pool
 * (overhead, which shrinks as the work grows), above 1 the parallel loop is
 * slower than the serial one, and below 0 it beat p times the serial speed
 * (the threads' caches together held what one cache could not).
 *
 *   ./003_squares_sort [largest N]        (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <Random123/philox.h>
#include <wq.h>

#define TASKS 10

/* ------------------------------------------------------------- squares -- */

static int square(void *ctx, const void *in, void *out)
{
    (void)ctx;
    *(unsigned long long *)out =
        *(const unsigned long long *)in * *(const unsigned long long *)in;
    return 0;
}

/* For the sweep, a range body instead: the work of one square is a single
 * multiply, far less than a call through a function pointer, so the
 * serial loop and the parallel pieces run the same tight loop. */
struct arrays {
    const unsigned long long *x;
    unsigned long long *sq;
};

static int square_range(void *ctx, size_t begin, size_t end)
{
    struct arrays *a = ctx;
    for (size_t i = begin; i < end; i++)
        a->sq[i] = a->x[i] * a->x[i];
    return 0;
}

/* ----------------------------------------------------------------- sort -- */

struct sorter {
    size_t n;        /* numbers per task */
    double **buf;    /* scratch: wq_pool_slots() buffers of n, made lazily */
    size_t buf_size; /* numbers each buffer holds */
};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One task: n random numbers in [0, 1) from the stream of task `task`,
 * sorted; its result is the median. */
static double sort_task(size_t task, size_t n, double *buf)
{
    philox4x32_key_t key = {{(uint32_t)task, 42}};
    for (size_t i = 0; i < n; i += 4) {
        philox4x32_ctr_t ctr = {{(uint32_t)(i / 4), 0, 0, 0}};
        philox4x32_ctr_t r = philox4x32(ctr, key);
        for (size_t k = 0; k < 4 && i + k < n; k++)
            buf[i + k] = (double)r.v[k] * (1.0 / 4294967296.0);
    }
    qsort(buf, n, sizeof *buf, by_value);
    return buf[n / 2];
}

/* wq_map's function: task index in, median out, in this thread's buffer. */
static int sort_one(void *ctx, const void *in, void *out)
{
    struct sorter *s = ctx;
    double **mine = &s->buf[wq_worker_index()];
    if (!*mine && !(*mine = malloc(s->buf_size * sizeof **mine)))
        return 12; /* ENOMEM */
    *(double *)out = sort_task(*(const size_t *)in, s->n, *mine);
    return 0;
}

/* ----------------------------------------------------------- measuring -- */

/* One size of one experiment, run serially (pool NULL) or on the pool;
 * writes a checksum of its results. */
typedef int (*experiment)(wq_pool *pool, size_t n, void *ctx, double *sum);

static int squares(wq_pool *pool, size_t n, void *ctx, double *sum)
{
    struct arrays *a = ctx;
    int rc = pool ? wq_for(pool, n, 0, square_range, a)
                  : square_range(a, 0, n);
    *sum = 0;
    for (size_t i = 0; i < n; i++)
        *sum += (double)a->sq[i];
    return rc;
}

static int sorts(wq_pool *pool, size_t n, void *ctx, double *sum)
{
    static const size_t task[TASKS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    struct sorter *s = ctx;
    double median[TASKS];
    int rc = 0;
    s->n = n;
    if (pool)
        rc = wq_map(pool, TASKS, 1, task, sizeof *task, median,
                    sizeof *median, sort_one, s);
    else
        for (size_t t = 0; t < TASKS; t++)
            median[t] = sort_task(t, n, s->buf[0]);
    *sum = 0;
    for (size_t t = 0; t < TASKS; t++)
        *sum += median[t];
    return rc;
}

/* Best time of several runs: enough of them to fill 20 ms, at least 3. */
static double best_time(experiment run, wq_pool *pool, size_t n, void *ctx,
                        double *sum)
{
    double best = 1e30, spent = 0;
    for (int rep = 0; rep < 3 || (spent < 0.02 && rep < 1000); rep++) {
        double t0 = wq_now();
        if (run(pool, n, ctx, sum))
            return -1;
        double t = wq_now() - t0;
        spent += t;
        best = t < best ? t : best;
    }
    return best;
}

/* The Karp-Flatt serial fraction of a speedup on p > 1 threads. */
static double karp_flatt(double speedup, unsigned p)
{
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}

/* Time the experiment at sizes first, first*step, ... up to last; print
 * checksums to stdout, times and the crossover to stderr. */
static int sweep(const char *name, experiment run, void *ctx, wq_pool *pool,
                 size_t first, size_t step, size_t last)
{
    const unsigned p = wq_pool_size(pool);
    size_t wins = 0;
    /* e (K-F): the Karp-Flatt serial fraction. */
    fprintf(stderr, "%-8s %10s %12s %12s %8s %6s %8s\n", name, "N", "serial",
            "parallel", "speedup", "effic", "e (K-F)");
    for (size_t n = first; n <= last; n *= step) {
        double sum_serial, sum_parallel;
        double ts = best_time(run, NULL, n, ctx, &sum_serial);
        double tp = best_time(run, pool, n, ctx, &sum_parallel);
        if (ts < 0 || tp < 0 || sum_serial != sum_parallel)
            return 1;
        printf("%s N=%zu checksum %.17g\n", name, n, sum_parallel);
        double speedup = ts / tp;
        fprintf(stderr, "%-8s %10zu %10.1f us %10.1f us %7.2fx %5.0f%%", "",
                n, ts * 1e6, tp * 1e6, speedup, 100.0 * speedup / p);
        /* On one thread there is nothing to apportion. */
        if (p > 1) {
            double e = karp_flatt(speedup, p);
            /* Rounded to 0.00 either way: no "-0.00". */
            fprintf(stderr, " %8.2f\n", e > -0.005 && e < 0.005 ? 0.0 : e);
        } else {
            fprintf(stderr, " %8s\n", "-");
        }
        /* The crossover: the size from which parallel wins clearly (by
         * 10%, more than timing noise) at every larger size too. */
        if (tp >= ts * 0.9)
            wins = 0;
        else if (!wins)
            wins = n;
    }
    if (wins)
        fprintf(stderr, "%s: parallel wins from N = %zu on\n\n", name, wins);
    else
        fprintf(stderr, "%s: no clear parallel win up to N = %zu\n\n", name,
                last);
    return 0;
}

int main(int argc, char **argv)
{
    size_t last = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t big = last * 100; /* squares are cheap: go further */
    unsigned long long *x = malloc(big * sizeof *x);
    struct arrays a = {x, malloc(big * sizeof *a.sq)};
    wq_pool *pool;
    int rc = wq_pool_create(&pool, NULL);
    struct sorter s = {0, NULL, last};
    if (last < 10 || !x || !a.sq || rc)
        return fprintf(stderr, "usage: %s [N >= 10]\n", argv[0]), 1;
    s.buf = calloc(wq_pool_slots(pool), sizeof *s.buf);
    s.buf[0] = malloc(last * sizeof *s.buf[0]); /* the serial loop's */
    for (size_t i = 0; i < big; i++)
        x[i] = i;

    /* The tutorial's first map: ten squares. */
    unsigned long long sq[10];
    rc = wq_map(pool, 10, 0, x, sizeof *x, sq, sizeof *sq, square, NULL);
    printf("squares:");
    for (int i = 0; i < 10; i++)
        printf(" %llu", sq[i]);
    printf("\n");
    fprintf(stderr, "%u threads\n\n", wq_pool_size(pool));

    rc = rc || sweep("squares", squares, &a, pool, 10, 10, big) ||
         sweep("sort", sorts, &s, pool, 10, 10, last);
    for (unsigned i = 0; i < wq_pool_slots(pool); i++)
        free(s.buf[i]);
    free(s.buf);
    free(a.sq);
    free(x);
    wq_pool_destroy(pool);
    return rc;
}
