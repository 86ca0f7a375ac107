/*
 * 001_slow_add.c - a slow function mapped over pairs, on more threads than
 * there are cores.
 *
 * The Python pattern it replaces: a function adds the two numbers of a pair
 * after sleeping a tenth of a second, standing in for slow work.  Over ten
 * pairs a loop (or the built-in map) takes about a second; Pool(5).map takes
 * about 0.2 s and Pool(10).map about 0.1 s, because sleeping occupies no
 * core, so more workers than cores still help.  With a busy loop in place
 * of the sleep, the gain stops at the number of cores.
 *
 * In C the pairs are an array of structs and wq_map is Pool.map (starmap,
 * really: each element carries both arguments).  A pool of 10 threads runs
 * on however many cores there are.  Results go to stdout; times, which
 * depend on the machine, go to stderr.
 *
 *   ./001_slow_add
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include <wq.h>

struct pair {
    int x, y;
};

static const struct pair pairs[] = {{10, 1}, {10, 2}, {10, 3}, {10, 4},
                                    {10, 5}, {3, 3},  {2, 2},  {1, 1},
                                    {1, 3},  {4, 3}};
#define NPAIRS (sizeof pairs / sizeof *pairs)

/* wq_map's function: one input element to one output element. */
static int slow_add(void *ctx, const void *in, void *out)
{
    const struct pair *p = in;
    struct timespec tenth = {0, 100 * 1000 * 1000};
    (void)ctx;
    nanosleep(&tenth, NULL); /* the "slow calculation" */
    *(int *)out = p->x + p->y;
    return 0;
}

/* The same, busy instead of asleep: it needs a core all the time. */
static int busy_add(void *ctx, const void *in, void *out)
{
    const struct pair *p = in;
    volatile unsigned long spin = 0;
    (void)ctx;
    for (unsigned long i = 0; i < 200 * 1000 * 1000ul; i++)
        spin = spin + 1;
    *(int *)out = p->x + p->y;
    return 0;
}

static void print_results(const char *how, const int *sums)
{
    printf("%-22s", how);
    for (size_t i = 0; i < NPAIRS; i++)
        printf(" %d", sums[i]);
    putchar('\n');
}

/* Map fn over the pairs on a pool of `threads` threads (0: a plain loop on
 * this thread), print the results and the time. */
static int run(const char *how, unsigned threads, wq_map_fn fn)
{
    int sums[NPAIRS];
    wq_pool *pool = NULL;
    wq_options opt = {0};
    opt.threads = threads;
    int rc = threads ? wq_pool_create(&pool, &opt) : 0;
    double t0 = wq_now();
    if (!threads) {
        for (size_t i = 0; i < NPAIRS; i++)
            fn(NULL, &pairs[i], &sums[i]);
    } else if (!rc) {
        rc = wq_map(pool, NPAIRS, 1, pairs, sizeof *pairs, sums,
                    sizeof *sums, fn, NULL);
    }
    double secs = wq_now() - t0;
    wq_pool_destroy(pool);
    if (rc) {
        fprintf(stderr, "%s: %s\n", how, wq_strerror(rc));
        return 1;
    }
    print_results(how, sums);
    fprintf(stderr, "    %.3f s\n", secs);
    return 0;
}

int main(void)
{
    fprintf(stderr, "%u usable CPUs\n", wq_cpu_count());
    int failed = run("sleeping, serial:", 0, slow_add) ||
                 run("sleeping, 5 threads:", 5, slow_add) ||
                 run("sleeping, 10 threads:", 10, slow_add) ||
                 run("busy, 1 thread:", 1, busy_add) ||
                 run("busy, 10 threads:", 10, busy_add);
    return failed;
}
