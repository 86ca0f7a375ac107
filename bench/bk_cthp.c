/*
 * bk_cthp.c - C-Thread-Pool (Debian's cthreadpool, built from its shipped
 * thpool.c): one task a chunk, queued with thpool_add_work, then
 * thpool_wait.  chunk 0: eight chunks a thread.  The calling thread only
 * waits, so a pool of `threads` has that many workers.  The reduction
 * gives each task its own padded partial, summed in order afterwards.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>

#include <thpool.h>

#include "bench.h"

static threadpool pool;
static unsigned team;

static int cthp_start(unsigned threads)
{
    pool = thpool_init((int)threads);
    team = threads;
    return pool ? 0 : -1;
}

static void cthp_stop(void)
{
    thpool_destroy(pool);
}

struct task {
    _Alignas(64) double sum; /* a task a cache line */
    size_t lo, hi;
    bench_range_fn body;
    bench_sum_fn term;
    void *ctx;
};

static void run_task(void *arg)
{
    struct task *t = arg;
    if (t->body)
        t->body(t->ctx, t->lo, t->hi);
    else
        t->sum = t->term(t->ctx, t->lo, t->hi);
}

static double run(size_t n, size_t chunk, bench_range_fn body,
                  bench_sum_fn term, void *ctx)
{
    struct bench_units u =
        bench_units_of(n, chunk ? chunk : bench_even_chunk(n, team), 0);
    struct task *tasks = bench_alloc(u.count * sizeof *tasks);
    for (size_t k = 0; k < u.count; k++) {
        struct task *t = &tasks[k];
        bench_unit_range(&u, k, &t->lo, &t->hi);
        t->body = body;
        t->term = term;
        t->ctx = ctx;
        t->sum = 0.0;
        thpool_add_work(pool, run_task, t);
    }
    thpool_wait(pool);
    double s = 0.0;
    for (size_t k = 0; k < u.count; k++)
        s += tasks[k].sum;
    free(tasks);
    return s;
}

static void cthp_for(size_t n, size_t chunk, bench_range_fn body, void *ctx)
{
    run(n, chunk, body, NULL, ctx);
}

static double cthp_sum(size_t n, size_t chunk, bench_sum_fn term, void *ctx)
{
    return run(n, chunk, NULL, term, ctx);
}

/* No 2-D loop: bench_for_2d runs bands of rows through cthp_for. */
static const struct backend cthpool = {
    .name = "cthpool",
    .start = cthp_start,
    .stop = cthp_stop,
    .pfor = cthp_for,
    .psum = cthp_sum,
};

const struct backend *const bench_backends[] = {&cthpool, NULL};
