/* check_for.c - wq_for: every index exactly once, pieces in bounds, chunking,
 * errors, several callers; on every pool of the grid. */
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "callers.h"
#include "suites.h"
#include "util.h"

struct for_ctx {
    struct coverage cov;
    size_t chunk;
    _Atomic int misaligned; /* a piece not cut at a chunk boundary */
};

static int for_body(void *arg, size_t begin, size_t end)
{
    struct for_ctx *c = arg;
    coverage_mark(&c->cov, begin, end);
    if (c->chunk && (begin % c->chunk ||
                     (end - begin != c->chunk && end != c->cov.n)))
        atomic_store(&c->misaligned, 1);
    return 0;
}

static const size_t sizes[] = {1, 2, 3, 7, 64, 100, 1000, 4099, 100003};
static const size_t chunks[] = {0, 1, 2, 3, 64, 1000, 200000};

/* Each index once, every piece non-empty and in bounds, pieces cut at chunk
 * boundaries: over sizes x chunks, including chunk 1, chunk 0 and a chunk
 * larger than the range. */
START_TEST(for_each_index_once)
{
    wq_pool *pool = grid_pool(_i);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
            struct for_ctx c = {.chunk = chunks[k]};
            coverage_init(&c.cov, sizes[s]);
            atomic_init(&c.misaligned, 0);
            ck_assert_int_eq(wq_for(pool, sizes[s], chunks[k], for_body, &c),
                             0);
            coverage_check_once(&c.cov);
            ck_assert_int_eq(atomic_load(&c.misaligned), 0);
            if (chunks[k] >= sizes[s])
                ck_assert_uint_eq(atomic_load(&c.cov.pieces), 1);
            coverage_free(&c.cov);
        }
    grid_release(pool);
}
END_TEST

static int count_calls(void *arg, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    atomic_fetch_add((_Atomic int *)arg, 1);
    return 0;
}

START_TEST(for_empty_range_runs_nothing)
{
    wq_pool *pool = grid_pool(_i);
    _Atomic int calls = 0;
    ck_assert_int_eq(wq_for(pool, 0, 0, count_calls, &calls), 0);
    ck_assert_int_eq(wq_for(pool, 0, 5, count_calls, &calls), 0);
    ck_assert_int_eq(atomic_load(&calls), 0);
    grid_release(pool);
}
END_TEST

struct who {
    pthread_t caller;
    _Atomic int elsewhere;
    pthread_mutex_t lock;
    pthread_t seen[64];
    int nseen;
};

static int record_thread(void *arg, size_t begin, size_t end)
{
    struct who *w = arg;
    (void)begin;
    (void)end;
    if (!pthread_equal(pthread_self(), w->caller))
        atomic_store(&w->elsewhere, 1);
    pthread_mutex_lock(&w->lock);
    int known = 0;
    for (int i = 0; i < w->nseen; i++)
        known |= pthread_equal(w->seen[i], pthread_self());
    if (!known && w->nseen < 64)
        w->seen[w->nseen++] = pthread_self();
    pthread_mutex_unlock(&w->lock);
    return 0;
}

/* A loop of one piece runs on the calling thread, waking no one. */
START_TEST(for_single_piece_runs_inline)
{
    wq_pool *pool = grid_pool(_i);
    struct who w = {.caller = pthread_self(),
                    .lock = PTHREAD_MUTEX_INITIALIZER};
    atomic_init(&w.elsewhere, 0);
    for (int r = 0; r < 100; r++) {
        ck_assert_int_eq(wq_for(pool, 1, 0, record_thread, &w), 0);
        ck_assert_int_eq(wq_for(pool, 10, 10, record_thread, &w), 0);
        ck_assert_int_eq(wq_for(pool, 10, 50, record_thread, &w), 0);
    }
    ck_assert_int_eq(atomic_load(&w.elsewhere), 0);
    grid_release(pool);
}
END_TEST

/* A range of k pieces runs on at most k threads. */
START_TEST(for_small_range_uses_few_threads)
{
    wq_pool *pool = grid_pool(_i);
    for (int r = 0; r < 200; r++) {
        struct who w = {.caller = pthread_self(),
                        .lock = PTHREAD_MUTEX_INITIALIZER};
        atomic_init(&w.elsewhere, 0);
        ck_assert_int_eq(wq_for(pool, 2, 1, record_thread, &w), 0);
        ck_assert_int_le(w.nseen, 2);
    }
    grid_release(pool);
}
END_TEST

struct failing {
    size_t fail_at;
    _Atomic size_t pieces;
};

static int fail_from(void *arg, size_t begin, size_t end)
{
    struct failing *f = arg;
    (void)end;
    atomic_fetch_add(&f->pieces, 1);
    return begin >= f->fail_at ? (int)(100 + begin % 7) : 0;
}

/* A non-zero result stops further pieces and comes back; the pool works
 * afterwards. */
START_TEST(for_error_stops_and_returns)
{
    wq_pool *pool = grid_pool(_i);
    unsigned size = wq_pool_size(pool);
    for (int r = 0; r < 20; r++) {
        struct failing f = {.fail_at = 0};
        atomic_init(&f.pieces, 0);
        int rc = wq_for(pool, 1000000, 1, fail_from, &f);
        ck_assert_int_ge(rc, 100);
        ck_assert_int_lt(rc, 107);
        /* Each thread stops after its first failing piece; a thread may
         * have claimed one more before it saw the failure. */
        ck_assert_uint_le(atomic_load(&f.pieces), 2 * size);
    }
    struct failing late = {.fail_at = 999};
    atomic_init(&late.pieces, 0);
    ck_assert_int_eq(wq_for(pool, 1000, 1, fail_from, &late), 100 + 999 % 7);
    ck_assert_uint_le(atomic_load(&late.pieces), 1000);
    if (wq_pool_size(pool) == 1) /* in order on one thread: all ran */
        ck_assert_uint_eq(atomic_load(&late.pieces), 1000);

    struct for_ctx c = {.chunk = 0};
    coverage_init(&c.cov, 5000);
    atomic_init(&c.misaligned, 0);
    ck_assert_int_eq(wq_for(pool, 5000, 0, for_body, &c), 0);
    coverage_check_once(&c.cov);
    coverage_free(&c.cov);
    grid_release(pool);
}
END_TEST

/* Chunk 1: a piece is one index (see failing_once in util.h). */
static int fail_once(void *arg, size_t begin, size_t end)
{
    (void)end;
    return failing_once_call(arg, begin);
}

/* Once a piece has failed, every thread stops at its next claim, in its
 * own lane or stealing from another: wherever the failure falls. */
START_TEST(for_error_stops_every_thread)
{
    wq_pool *pool = grid_pool(_i);
    const size_t n = 2003; /* lanes of 250 to 2003 chunks */
    const size_t at[] = FAILING_AT(n);
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        struct failing_once f;
        failing_once_init(&f, at[k], pool);
        ck_assert_int_eq(wq_for(pool, n, 1, fail_once, &f), 42);
        failing_once_check(&f, n);
    }
    grid_release(pool);
}
END_TEST

/* One round of a caller: a random loop, checked. */
static int random_loop(void *arg, unsigned caller, int round, unsigned *seed)
{
    wq_pool *pool = arg;
    (void)caller;
    (void)round;
    size_t n = (size_t)(rand_r(seed) % 3000);
    size_t chunk = (size_t)(rand_r(seed) % 5) * (size_t)(rand_r(seed) % 40);
    struct for_ctx c = {.chunk = chunk};
    coverage_init(&c.cov, n);
    atomic_init(&c.misaligned, 0);
    int wrong = wq_for(pool, n, chunk, for_body, &c) != 0 ||
                atomic_load(&c.cov.bad) || atomic_load(&c.misaligned);
    for (size_t i = 0; i < n; i++)
        if (atomic_load(&c.cov.hits[i]) != 1)
            wrong = 1;
    coverage_free(&c.cov);
    return wrong;
}

/* Four threads outside the pool call into it at once. */
START_TEST(for_concurrent_callers)
{
    wq_pool *pool = grid_pool(_i);
    callers_run(4, 300, random_loop, pool, 1, 17);
    grid_release(pool);
}
END_TEST

/* Uneven iterations (iteration i costs i units) with chunk 0. */
static int triangle(void *arg, size_t begin, size_t end)
{
    struct for_ctx *c = arg;
    size_t sink = 0;
    for (size_t i = begin; i < end; i++)
        for (size_t k = 0; k < i; k++)
            sink += k ^ i;
    coverage_mark(&c->cov, begin, end);
    return sink == SIZE_MAX; /* never true; keeps the work alive */
}

START_TEST(for_uneven_chunk0)
{
    wq_pool *pool = grid_pool(_i);
    struct for_ctx c = {.chunk = 0};
    coverage_init(&c.cov, 3000);
    atomic_init(&c.misaligned, 0);
    ck_assert_int_eq(wq_for(pool, 3000, 0, triangle, &c), 0);
    coverage_check_once(&c.cov);
    coverage_free(&c.cov);
    grid_release(pool);
}
END_TEST

static int waiting_body(void *arg, size_t begin, size_t end)
{
    for (size_t i = begin; i < end; i++)
        waiting_piece_item(arg, i);
    return 0;
}

/* A slow chunk delays only itself: while one chunk waits for every other
 * to run, the idle threads take every chunk not yet started, wherever the
 * waiting one falls and whichever thread claimed it.  Needs two threads. */
START_TEST(for_slow_chunk_delays_only_itself)
{
    wq_pool *pool = grid_pool(_i);
    if (wq_pool_size(pool) >= 2) {
        const size_t n = 2003, sizes_of_chunk[] = {1, 3, 64};
        for (size_t k = 0; k < sizeof sizes_of_chunk / sizeof *sizes_of_chunk;
             k++) {
            const size_t at[] = WAITING_AT(n);
            for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
                struct waiting_piece w;
                waiting_piece_init(&w, n, sizes_of_chunk[k], at[a]);
                ck_assert_int_eq(
                    wq_for(pool, n, sizes_of_chunk[k], waiting_body, &w), 0);
                waiting_piece_check(&w);
            }
        }
    }
    grid_release(pool);
}
END_TEST

Suite *suite_for(void)
{
    const struct grid_case cases[] = {
        {"each_index_once", for_each_index_once, 1},
        {"empty_range", for_empty_range_runs_nothing, 1},
        {"single_piece_inline", for_single_piece_runs_inline, 1},
        {"small_range_few_threads", for_small_range_uses_few_threads, 1},
        {"error_stops", for_error_stops_and_returns, 1},
        {"error_stops_every_thread", for_error_stops_every_thread, 1},
        {"concurrent_callers", for_concurrent_callers, 1},
        {"uneven_chunk0", for_uneven_chunk0, 1},
        {"slow_chunk_delays_only_itself", for_slow_chunk_delays_only_itself,
         1},
    };
    return grid_suite("for", cases, sizeof cases / sizeof *cases);
}
