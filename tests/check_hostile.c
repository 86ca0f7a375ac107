/* check_hostile.c - hostile inputs, each with the answer wq.h documents:
 * NULL in every pointer argument, n and chunk at 0, 1 and SIZE_MAX, strides
 * and partial sizes whose products overflow (for reductions and scans), pool sizes from 0 to far beyond
 * any machine, destroying a pool from inside its own work or while a group
 * lives, waiting on a group from inside its own task (also through a loop
 * that task runs), callbacks returning odd codes, and tiled loops of
 * sizes and tiles at 0, 1 and SIZE_MAX in every dimension.  None may
 * crash, hang or run a callback when the answer is an error. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "util.h"

/* ------------------------------------------------------------ callbacks -- */

struct tally {
    _Atomic unsigned long calls;
    _Atomic size_t length; /* of all pieces, modulo 2^64 */
    _Atomic int out_of_bounds;
    size_t n, chunk; /* of the loop, for the bounds check */
    int rc;          /* what each call returns */
};

static void tally_piece(struct tally *t, size_t b, size_t e)
{
    atomic_fetch_add(&t->calls, 1);
    atomic_fetch_add(&t->length, e - b);
    if (b >= e || e > t->n || (t->chunk && e - b > t->chunk))
        atomic_store(&t->out_of_bounds, 1);
}

static int tally_for(void *ctx, size_t b, size_t e)
{
    tally_piece(ctx, b, e);
    return ((struct tally *)ctx)->rc;
}

static int tally_map(void *ctx, const void *in, void *out)
{
    struct tally *t = ctx;
    (void)in;
    (void)out;
    atomic_fetch_add(&t->calls, 1);
    return t->rc;
}

static void len_init(void *ctx, void *p)
{
    (void)ctx;
    *(size_t *)p = 0;
}

/* Adds the length of each piece: O(1) a call, so even [0, SIZE_MAX) folds
 * in a moment when the pieces are few. */
static int len_fold(void *ctx, size_t b, size_t e, void *p)
{
    tally_piece(ctx, b, e);
    *(size_t *)p += e - b;
    return ((struct tally *)ctx)->rc;
}

static void len_combine(void *ctx, void *p, const void *o)
{
    (void)ctx;
    *(size_t *)p += *(const size_t *)o;
}

static const wq_reducer len_sum = {sizeof(size_t), len_init, len_fold,
                                   len_combine};

/* A scan of the lengths: running must be begin on entry (the prefix of
 * [0, begin)), else the piece counts as out of bounds. */
static int len_scan(void *ctx, size_t b, size_t e, void *p)
{
    if (*(size_t *)p != b)
        atomic_store(&((struct tally *)ctx)->out_of_bounds, 1);
    return len_fold(ctx, b, e, p);
}

static const wq_scanner len_scanner = {sizeof(size_t), len_init, len_fold,
                                       len_combine, len_scan};

static int nothing_task(void *arg)
{
    (void)arg;
    return 0;
}

/* ---------------------------------------------------------------- NULLs -- */

/* Every pointer argument NULL in turn: EINVAL where the pointer is needed,
 * no callback run; the default pool where a pool may be NULL; ctx and arg
 * passed through untouched. */
START_TEST(hostile_null_pointers)
{
    wq_pool *pool = grid_pool(_i);
    struct tally t = {.n = 10, .rc = 0};
    size_t out[10], result;
    wq_reducer r;
    wq_group *g;

    ck_assert_int_eq(wq_pool_create(NULL, NULL), EINVAL);
    ck_assert_int_eq(wq_for(pool, 10, 0, NULL, &t), EINVAL);
    ck_assert_int_eq(wq_map(pool, 10, 0, NULL, 0, out, sizeof *out, NULL, &t),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, 10, 0, NULL, 0, NULL, 8, tally_map, &t),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, 10, 0, NULL, 4, out, 8, tally_map, &t),
                     EINVAL);
    ck_assert_int_eq(wq_reduce(pool, 10, 0, NULL, &t, &result), EINVAL);
    ck_assert_int_eq(wq_reduce(pool, 10, 0, &len_sum, &t, NULL), EINVAL);
    for (int which = 0; which < 3; which++) {
        r = len_sum;
        if (which == 0)
            r.init = NULL;
        else if (which == 1)
            r.fold = NULL;
        else
            r.combine = NULL;
        ck_assert_int_eq(wq_reduce(pool, 10, 0, &r, &t, &result), EINVAL);
    }
    ck_assert_int_eq(wq_scan(pool, 10, 0, NULL, &t, &result), EINVAL);
    for (int which = 0; which < 4; which++) {
        wq_scanner sc = len_scanner;
        if (which == 0)
            sc.init = NULL;
        else if (which == 1)
            sc.fold = NULL;
        else if (which == 2)
            sc.combine = NULL;
        else
            sc.scan = NULL;
        ck_assert_int_eq(wq_scan(pool, 10, 0, &sc, &t, NULL), EINVAL);
    }
    ck_assert_int_eq(wq_group_create(NULL, pool), EINVAL);
    ck_assert_int_eq(wq_group_submit(NULL, nothing_task, NULL), EINVAL);
    ck_assert_int_eq(wq_group_wait(NULL), EINVAL);
    wq_group_destroy(NULL);
    ck_assert_uint_eq(atomic_load(&t.calls), 0);

    /* NULL where NULL means something: default pool, no ctx, no arg. */
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    ck_assert_int_eq(wq_group_submit(g, NULL, NULL), EINVAL);
    ck_assert_int_eq(wq_group_submit(g, nothing_task, NULL), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_int_eq(wq_map(pool, 10, 3, NULL, 0, out, sizeof *out, tally_map,
                            &t),
                     0);
    ck_assert_uint_eq(atomic_load(&t.calls), 10);
    ck_assert_ptr_nonnull(wq_strerror(INT_MIN));
    ck_assert_ptr_nonnull(wq_strerror(INT_MAX));
    grid_release(pool);
}
END_TEST

/* ------------------------------------------------------ extreme n, chunk -- */

static const size_t extremes[] = {0, 1, SIZE_MAX};
#define EXTREMES (sizeof extremes / sizeof *extremes)

/* n and chunk at 0, 1 and SIZE_MAX with callbacks that fail at once (so that
 * [0, SIZE_MAX) ends): an empty range runs nothing and succeeds; any other
 * returns the callback's code after at most one piece per thread, every
 * piece in bounds. */
START_TEST(hostile_extreme_sizes_fail_at_once)
{
    wq_pool *pool = grid_pool(_i);
    const unsigned long most = wq_pool_size(pool);
    for (size_t a = 0; a < EXTREMES; a++)
        for (size_t b = 0; b < EXTREMES; b++) {
            size_t n = extremes[a], chunk = extremes[b], sum;
            int want = n ? 42 : 0;
            struct tally f = {.n = n, .chunk = chunk, .rc = 42};
            struct tally m = f, r = f, s = f;
            char out;
            ck_assert_int_eq(wq_for(pool, n, chunk, tally_for, &f), want);
            ck_assert_int_eq(
                wq_map(pool, n, chunk, NULL, 0, &out, 0, tally_map, &m), want);
            ck_assert_int_eq(wq_reduce(pool, n, chunk, &len_sum, &r, &sum),
                             want);
            if (!n)
                ck_assert_uint_eq(sum, 0); /* the identity */
            sum = 1;
            ck_assert_int_eq(wq_scan(pool, n, chunk, &len_scanner, &s, &sum),
                             want);
            if (!n)
                ck_assert_uint_eq(sum, 0);
            struct tally *all[] = {&f, &m, &r, &s};
            for (int k = 0; k < 4; k++) {
                unsigned long calls = atomic_load(&all[k]->calls);
                ck_assert_msg(n ? calls >= 1 && calls <= most : calls == 0,
                              "n=%zu chunk=%zu: %lu calls", n, chunk, calls);
                ck_assert_int_eq(atomic_load(&all[k]->out_of_bounds), 0);
            }
        }
    grid_release(pool);
}
END_TEST

/* [0, SIZE_MAX) completes when the pieces are few: chunk 0 (a reduction's
 * blocks are at most 512; a loop's pieces shrink geometrically) and chunks
 * so large that there are one or two.  The lengths of the pieces add up to
 * SIZE_MAX exactly. */
START_TEST(hostile_whole_size_range_completes)
{
    wq_pool *pool = grid_pool(_i);
    static const size_t chunks[] = {0, SIZE_MAX, SIZE_MAX / 2 + 1};
    for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
        struct tally t = {.n = SIZE_MAX, .chunk = chunks[k], .rc = 0};
        size_t total = 0;
        ck_assert_int_eq(wq_reduce(pool, SIZE_MAX, chunks[k], &len_sum, &t,
                                   &total),
                         0);
        ck_assert_uint_eq(total, SIZE_MAX);
        ck_assert_int_eq(atomic_load(&t.out_of_bounds), 0);
        if (chunks[k])
            ck_assert_uint_eq(atomic_load(&t.calls), k == 1 ? 1 : 2);
        /* A scan: each piece's prefix is its begin; the first block is
         * only scanned, the others folded then scanned. */
        for (int with_total = 0; with_total < 2; with_total++) {
            struct tally s = {.n = SIZE_MAX, .chunk = chunks[k], .rc = 0};
            total = 0;
            ck_assert_int_eq(wq_scan(pool, SIZE_MAX, chunks[k], &len_scanner,
                                     &s, with_total ? &total : NULL),
                             0);
            ck_assert_uint_eq(total, with_total ? SIZE_MAX : 0);
            ck_assert_int_eq(atomic_load(&s.out_of_bounds), 0);
            if (chunks[k])
                ck_assert_uint_eq(atomic_load(&s.calls),
                                  k == 1 ? 1 : 2 + with_total);
        }
        struct tally f = {.n = SIZE_MAX, .chunk = chunks[k], .rc = 0};
        ck_assert_int_eq(wq_for(pool, SIZE_MAX, chunks[k], tally_for, &f), 0);
        ck_assert_uint_eq(atomic_load(&f.length), SIZE_MAX);
        ck_assert_int_eq(atomic_load(&f.out_of_bounds), 0);
    }
    grid_release(pool);
}
END_TEST

/* --------------------------------------------------- overflowing strides -- */

/* n * in_size or n * out_size beyond SIZE_MAX is EINVAL; a partial size
 * whose blocks cannot be addressed or allocated is ENOMEM; neither runs a
 * callback. */
START_TEST(hostile_overflowing_strides)
{
    wq_pool *pool = grid_pool(_i);
    struct tally t = {.n = SIZE_MAX, .rc = 0};
    char buf[64];
    ck_assert_int_eq(wq_map(pool, SIZE_MAX / 8 + 1, 1, buf, 8, buf, 1,
                            tally_map, &t),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, SIZE_MAX / 8 + 1, 1, buf, 1, buf, 8,
                            tally_map, &t),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, 2, 1, NULL, 0, buf, SIZE_MAX, tally_map, &t),
                     EINVAL);
    ck_assert_int_eq(wq_map(pool, SIZE_MAX, 0, buf, SIZE_MAX, buf, 1,
                            tally_map, &t),
                     EINVAL);
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 63, SIZE_MAX / 2,
                                   (size_t)1 << 62, SIZE_MAX / 16 + 1};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        wq_reducer r = len_sum;
        r.size = sizes[k];
        ck_assert_int_eq(wq_reduce(pool, 100, 0, &r, &t, buf), ENOMEM);
        ck_assert_int_eq(wq_reduce(pool, 1, 1, &r, &t, buf), ENOMEM);
        wq_scanner sc = len_scanner;
        sc.size = sizes[k];
        ck_assert_int_eq(wq_scan(pool, 100, 0, &sc, &t, buf), ENOMEM);
        ck_assert_int_eq(wq_scan(pool, 1, 1, &sc, &t, NULL), ENOMEM);
    }
    ck_assert_uint_eq(atomic_load(&t.calls), 0);
    grid_release(pool);
}
END_TEST

/* ------------------------------------------------------------ pool sizes -- */

/* threads 0 is the default count; above WQ_THREADS_MAX is EINVAL; the
 * maximum itself either works or is EAGAIN (the machine's thread limit); a
 * stack no machine can map is EAGAIN. */
START_TEST(hostile_pool_sizes)
{
    wq_pool *pool = NULL;
    wq_options opt = {0};
    unsetenv("WQ_NUM_THREADS");
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    ck_assert_uint_eq(wq_pool_size(pool), wq_cpu_count());
    wq_pool_destroy(pool);
    static const unsigned too_many[] = {WQ_THREADS_MAX + 1, UINT_MAX / 2,
                                        UINT_MAX};
    for (size_t k = 0; k < sizeof too_many / sizeof *too_many; k++) {
        opt.threads = too_many[k];
        ck_assert_int_eq(wq_pool_create(&pool, &opt), EINVAL);
    }

    opt.threads = WQ_THREADS_MAX;
    opt.spin_us = INT_MIN; /* sleep at once: 1023 spinning threads would
                            * starve the test on a small machine */
    int rc = wq_pool_create(&pool, &opt);
    ck_assert_msg(rc == 0 || rc == EAGAIN, "%d", rc);
    if (rc == 0) {
        struct tally t = {.n = 5000, .chunk = 1, .rc = 0};
        ck_assert_int_eq(wq_for(pool, 5000, 1, tally_for, &t), 0);
        ck_assert_uint_eq(atomic_load(&t.calls), 5000);
        wq_pool_destroy(pool);
    }

    opt = (wq_options){0};
    opt.threads = 2;
    opt.stack_size = SIZE_MAX;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), EAGAIN);
}
END_TEST

/* Extreme spin windows, names and environment values are taken or
 * ignored, never fatal; a pool whose workers spin for half an hour still
 * runs loops and is destroyed at once. */
START_TEST(hostile_pool_options)
{
    wq_pool *pool;
    wq_options opt;
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    static const int spins[] = {INT_MAX, INT_MIN, -1, 1};
    for (size_t k = 0; k < sizeof spins / sizeof *spins; k++) {
        opt = (wq_options){0};
        opt.threads = 3;
        opt.spin_us = spins[k];
        opt.name = k % 2 ? "" : name;
        ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
        struct tally t = {.n = 100, .chunk = 1, .rc = 0};
        ck_assert_int_eq(wq_for(pool, 100, 1, tally_for, &t), 0);
        ck_assert_uint_eq(atomic_load(&t.calls), 100);
        wq_pool_destroy(pool); /* prompt even while workers spin */
    }

    static const char *env[] = {"99999999999999999999999", "1025", "-1",
                                "0x10", " ", "4 "};
    for (size_t k = 0; k < sizeof env / sizeof *env; k++) {
        setenv("WQ_NUM_THREADS", env[k], 1);
        setenv("WQ_SPIN_US", env[k], 1);
        ck_assert_uint_eq(wq_pool_size(NULL), wq_cpu_count());
        wq_pool_destroy(NULL);
    }
    unsetenv("WQ_SPIN_US");
}
END_TEST

/* ------------------------------------------ destroying a pool in use -- */

struct inside {
    wq_pool *pool;  /* the pool to destroy, NULL for the default */
    wq_pool *outer; /* for the nested case: the pool running the callback */
    _Atomic unsigned long calls;
};

static int destroy_then_count(void *ctx, size_t b, size_t e)
{
    struct inside *in = ctx;
    (void)b;
    (void)e;
    wq_pool_destroy(in->pool);
    atomic_fetch_add(&in->calls, 1);
    return 0;
}

static int destroy_task(void *arg)
{
    return destroy_then_count(arg, 0, 1);
}

static int destroy_fold(void *ctx, size_t b, size_t e, void *p)
{
    *(size_t *)p = 0;
    return destroy_then_count(ctx, b, e);
}

static void destroy_combine(void *ctx, void *p, const void *o)
{
    (void)o;
    *(size_t *)p = 0;
    destroy_then_count(ctx, 0, 1);
}

/* A loop on another pool inside this pool's callback: its pieces run on
 * the other pool's workers, whose own frames never touched this pool. */
static int destroy_via_other_pool(void *ctx, size_t b, size_t e)
{
    struct inside *in = ctx;
    (void)b;
    (void)e;
    return wq_for(in->outer, 16, 1, destroy_then_count, in);
}

/* Destroying a pool from inside work that runs on it (a loop body, a fold,
 * a combine, a group task, and a body of another pool's loop nested in it,
 * on that pool's threads) does nothing: every callback still runs and the
 * pool keeps working. */
START_TEST(hostile_destroy_from_inside)
{
    setenv("WQ_NUM_THREADS", "3", 1);
    struct inside in = {.pool = grid_pool(_i)};
    wq_options opt = {0};
    opt.threads = 3;
    ck_assert_int_eq(wq_pool_create(&in.outer, &opt), 0);
    wq_reducer r = {sizeof(size_t), len_init, destroy_fold, destroy_combine};
    size_t result;
    wq_group *g;

    ck_assert_int_eq(wq_for(in.pool, 64, 1, destroy_then_count, &in), 0);
    ck_assert_int_eq(wq_reduce(in.pool, 64, 1, &r, &in, &result), 0);
    const wq_scanner sc = {sizeof(size_t), len_init, destroy_fold,
                           destroy_combine, destroy_fold};
    ck_assert_int_eq(wq_scan(in.pool, 64, 1, &sc, &in, &result), 0);
    ck_assert_int_eq(wq_group_create(&g, in.pool), 0);
    for (int k = 0; k < 64; k++)
        ck_assert_int_eq(wq_group_submit(g, destroy_task, &in), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    ck_assert_int_eq(wq_for(in.pool, 8, 1, destroy_via_other_pool, &in), 0);
    /* 64 bodies, 64 folds and a combine per block, 64 scans, 64 tasks,
     * 8 * 16. */
    ck_assert_uint_ge(atomic_load(&in.calls), 64 + 64 + 64 + 64 + 128);
    struct tally t = {.n = 1000, .chunk = 10, .rc = 0};
    ck_assert_int_eq(wq_for(in.pool, 1000, 10, tally_for, &t), 0);
    ck_assert_uint_eq(atomic_load(&t.length), 1000);
    wq_pool_destroy(in.outer);
    grid_release(in.pool);
}
END_TEST

/* While a group of the pool exists, destroying the pool does nothing (for
 * an explicit pool and for the default one); once it is gone, it works. */
START_TEST(hostile_destroy_with_live_group)
{
    wq_pool *pool = grid_pool(_i);
    wq_group *g;
    ck_assert_int_eq(wq_group_create(&g, pool), 0);
    wq_pool_destroy(pool);
    struct tally t = {.n = 100, .chunk = 1, .rc = 0};
    ck_assert_int_eq(wq_for(pool, 100, 1, tally_for, &t), 0);
    ck_assert_int_eq(wq_group_submit(g, nothing_task, NULL), 0);
    ck_assert_int_eq(wq_group_wait(g), 0);
    wq_group_destroy(g);
    wq_pool_destroy(pool); /* now it does, the default pool too */
}
END_TEST

/* ------------------------------------- waiting on a group from within -- */

struct self_wait {
    wq_pool *pool;
    wq_group *g;
    _Atomic unsigned edeadlk, other;
};

static int wait_on_group(void *ctx, size_t b, size_t e)
{
    struct self_wait *s = ctx;
    (void)b;
    (void)e;
    usleep(200); /* long enough for the pool's workers to take pieces */
    int rc = wq_group_wait(s->g);
    atomic_fetch_add(rc == EDEADLK ? &s->edeadlk : &s->other, 1);
    wq_group_destroy(s->g); /* does nothing from within */
    return 0;
}

static int task_runs_loop(void *arg)
{
    struct self_wait *s = arg;
    return wq_for(s->pool, 32, 1, wait_on_group, s);
}

/* A task runs a loop whose pieces (on any thread of the pool) wait on the
 * task's own group: every such wait is EDEADLK, wherever it runs, since the
 * task cannot finish before the loop does. */
START_TEST(hostile_wait_on_own_group_through_loop)
{
    struct self_wait s = {.pool = grid_pool(_i)};
    ck_assert_int_eq(wq_group_create(&s.g, s.pool), 0);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(wq_group_submit(s.g, task_runs_loop, &s), 0);
    ck_assert_int_eq(wq_group_wait(s.g), 0);
    ck_assert_uint_eq(atomic_load(&s.edeadlk), 4 * 32);
    ck_assert_uint_eq(atomic_load(&s.other), 0);
    wq_group_destroy(s.g);
    grid_release(s.pool);
}
END_TEST

/* ------------------------------------------------------- callback codes -- */

/* Whatever non-zero int a callback returns comes back unchanged. */
START_TEST(hostile_callback_codes_pass_through)
{
    wq_pool *pool = grid_pool(_i);
    static const int codes[] = {-1, INT_MIN, INT_MAX, EINVAL, ECHILD};
    for (size_t k = 0; k < sizeof codes / sizeof *codes; k++) {
        struct tally t = {.n = 1000, .chunk = 0, .rc = codes[k]};
        size_t sum;
        ck_assert_int_eq(wq_for(pool, 1000, 0, tally_for, &t), codes[k]);
        ck_assert_int_eq(wq_reduce(pool, 1000, 0, &len_sum, &t, &sum),
                         codes[k]);
        ck_assert_int_eq(wq_scan(pool, 1000, 0, &len_scanner, &t, &sum),
                         codes[k]);
        ck_assert_ptr_nonnull(wq_strerror(codes[k]));
    }
    grid_release(pool);
}
END_TEST

/* ---------------------------------------------------------- tiled loops -- */

struct tally_nd {
    struct tally t;
    unsigned dims;
    const size_t *n;
};

static int tally_nd(void *ctx, const size_t *begin, const size_t *end)
{
    struct tally_nd *c = ctx;
    atomic_fetch_add(&c->t.calls, 1);
    for (unsigned k = 0; k < c->dims; k++)
        if (begin[k] >= end[k] || end[k] > c->n[k])
            atomic_store(&c->t.out_of_bounds, 1);
    return c->t.rc;
}

/* Sizes and tile extents at 0, 1 and SIZE_MAX in every dimension of 1-D
 * to 3-D spaces, with a body that fails at once: a size 0 anywhere runs
 * nothing and succeeds, a product over SIZE_MAX is EINVAL with nothing
 * run, any other returns the body's code after at most one tile a
 * thread, every tile in bounds.  dims beyond WQ_DIMS_MAX is EINVAL before
 * n is read (n holds one size here); an int of any value comes back. */
START_TEST(hostile_tiled_extremes)
{
    wq_pool *pool = grid_pool(_i);
    const unsigned long most = wq_pool_size(pool);
    for (unsigned dims = 1; dims <= 3; dims++) {
        size_t combos = 1;
        for (unsigned k = 0; k < 2 * dims; k++)
            combos *= EXTREMES;
        for (size_t c = 0; c < combos; c++) {
            size_t n[3], tile[3], x = c, cells = 1;
            int empty = 0, over = 0;
            for (unsigned k = 0; k < dims; k++) {
                n[k] = extremes[x % EXTREMES];
                x /= EXTREMES;
                tile[k] = extremes[x % EXTREMES];
                x /= EXTREMES;
                empty |= n[k] == 0;
            }
            for (unsigned k = 0; k < dims && !empty; k++) {
                over |= n[k] > SIZE_MAX / cells;
                cells = over ? 1 : cells * n[k];
            }
            int want = empty ? 0 : over ? EINVAL : 42;
            struct tally_nd t = {.t = {.rc = 42}, .dims = dims, .n = n};
            ck_assert_int_eq(wq_for_nd(pool, dims, n, tile, tally_nd, &t),
                             want);
            ck_assert_int_eq(wq_for_nd(pool, dims, n, NULL, tally_nd, &t),
                             want);
            unsigned long calls = atomic_load(&t.t.calls);
            ck_assert_msg(want == 42 ? calls >= 2 && calls <= 2 * most
                                     : calls == 0,
                          "dims %u, case %zu: %lu calls", dims, c, calls);
            ck_assert_int_eq(atomic_load(&t.t.out_of_bounds), 0);
        }
    }
    const size_t one = 1;
    struct tally_nd t = {.t = {.rc = 0}, .dims = 1, .n = &one};
    ck_assert_int_eq(wq_for_nd(pool, WQ_DIMS_MAX + 1, &one, NULL, tally_nd,
                               &t),
                     EINVAL);
    ck_assert_int_eq(wq_for_nd(pool, UINT_MAX, &one, &one, tally_nd, &t),
                     EINVAL);
    ck_assert_uint_eq(atomic_load(&t.t.calls), 0);
    static const int codes[] = {-1, INT_MIN, INT_MAX, EINVAL, ECHILD};
    const size_t big[WQ_DIMS_MAX] = {3, 5, 2, 2, 3, 1, 2, 7};
    for (size_t k = 0; k < sizeof codes / sizeof *codes; k++) {
        struct tally_nd c = {.t = {.rc = codes[k]}, .dims = WQ_DIMS_MAX,
                             .n = big};
        ck_assert_int_eq(wq_for_nd(pool, WQ_DIMS_MAX, big, NULL, tally_nd,
                                   &c),
                         codes[k]);
        ck_assert_int_eq(atomic_load(&c.t.out_of_bounds), 0);
    }
    grid_release(pool);
}
END_TEST

Suite *suite_hostile(void)
{
    const struct grid_case cases[] = {
        {"null_pointers", hostile_null_pointers, 1},
        {"extreme_sizes", hostile_extreme_sizes_fail_at_once, 1},
        {"whole_size_range", hostile_whole_size_range_completes, 1},
        {"overflowing_strides", hostile_overflowing_strides, 1},
        {"pool_sizes", hostile_pool_sizes, 0},
        {"pool_options", hostile_pool_options, 0},
        {"destroy_from_inside", hostile_destroy_from_inside, 1},
        {"destroy_with_live_group", hostile_destroy_with_live_group, 1},
        {"wait_through_loop", hostile_wait_on_own_group_through_loop, 1},
        {"callback_codes", hostile_callback_codes_pass_through, 1},
        {"tiled_extremes", hostile_tiled_extremes, 1},
    };
    return grid_suite("hostile", cases, sizeof cases / sizeof *cases);
}
