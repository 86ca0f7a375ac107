/* check_nd.c - wq_for_2d and wq_for_nd: every cell of 1-D to WQ_DIMS_MAX-D
 * spaces exactly once, tiles on the tile grid (the documented choice for
 * extents of 0), wq_for_2d the same as wq_for_nd over two dimensions,
 * empty and overflowing shapes, errors, stops, nesting, several callers,
 * progress; on pools of 1 to 8 threads and the default pool. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "divide.h"
#include "callers.h"
#include "suites.h"
#include "util.h"

/* The pool sizes of this suite's grid; 0 stands for the default pool.
 * Valgrind, which runs one thread at a time, gets the other suites' grid:
 * the sizes in between add minutes there and no interleaving. */
static const unsigned nd_threads[] = {1, 2, 3, 4, 5, 6, 7, 8, 0};
#define ND_GRID ((int)(sizeof nd_threads / sizeof *nd_threads))

static unsigned nd_size(int i)
{
    return RUNNING_ON_VALGRIND ? grid_threads[i] : nd_threads[i];
}

static wq_pool *nd_pool(int i)
{
    wq_pool *pool = NULL;
    if (nd_size(i)) {
        wq_options opt = {0};
        opt.threads = nd_size(i);
        ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    }
    return pool;
}

/* -------------------------------------------------------------- a tiling -- */

/* What a loop did: the cells it visited and the tiles it was called on. */
struct tiling {
    unsigned dims;
    size_t n[WQ_DIMS_MAX];
    struct coverage cov; /* cells, row-major */
    size_t cap;          /* room for tiles */
    size_t (*tiles)[2][WQ_DIMS_MAX]; /* begin, end of each call */
    _Atomic size_t calls;
    _Atomic int bad; /* a tile out of bounds or empty, or too many */
};

static void tiling_init(struct tiling *t, unsigned dims, const size_t *n)
{
    size_t cells = 1;
    t->dims = dims;
    for (unsigned k = 0; k < dims; k++) {
        t->n[k] = n[k];
        cells *= n[k];
    }
    coverage_init(&t->cov, cells);
    t->cap = cells;
    t->tiles = calloc(cells ? cells : 1, sizeof *t->tiles);
    ck_assert_ptr_nonnull(t->tiles);
    atomic_init(&t->calls, 0);
    atomic_init(&t->bad, 0);
}

static void tiling_free(struct tiling *t)
{
    coverage_free(&t->cov);
    free(t->tiles);
}

/* Record a tile and mark its cells, walking them with an odometer. */
static int tiling_body(void *ctx, const size_t *begin, const size_t *end)
{
    struct tiling *t = ctx;
    size_t slot = atomic_fetch_add(&t->calls, 1);
    for (unsigned k = 0; k < t->dims; k++)
        if (begin[k] >= end[k] || end[k] > t->n[k]) {
            atomic_store(&t->bad, 1);
            return 0;
        }
    if (slot >= t->cap) {
        atomic_store(&t->bad, 1);
        return 0;
    }
    memcpy(t->tiles[slot][0], begin, t->dims * sizeof *begin);
    memcpy(t->tiles[slot][1], end, t->dims * sizeof *end);
    size_t x[WQ_DIMS_MAX];
    memcpy(x, begin, t->dims * sizeof *x);
    for (;;) {
        size_t cell = 0;
        for (unsigned k = 0; k < t->dims; k++)
            cell = cell * t->n[k] + x[k];
        coverage_mark(&t->cov, cell, cell + 1);
        unsigned k = t->dims;
        while (k > 0 && ++x[k - 1] == end[k - 1]) {
            x[k - 1] = begin[k - 1];
            k--;
        }
        if (k == 0)
            return 0;
    }
}

static int tiling_body_2d(void *ctx, size_t i0, size_t i1, size_t j0,
                          size_t j1)
{
    const size_t begin[2] = {i0, j0}, end[2] = {i1, j1};
    return tiling_body(ctx, begin, end);
}

/* The extents wq_for_nd documents for a pool of `threads` threads. */
static size_t expected_extents(unsigned dims, const size_t *n,
                               const size_t *tile, unsigned threads,
                               size_t *ext)
{
    size_t want = threads > 1 ? 32 * (size_t)threads : 1, tiles = 1;
    for (unsigned k = 0; k < dims; k++) {
        size_t x = tile ? tile[k] : 0;
        ext[k] = x == 0 || x > n[k] ? n[k] : x;
        tiles *= (n[k] + ext[k] - 1) / ext[k];
    }
    for (unsigned k = 0; k < dims; k++) {
        if ((tile && tile[k]) || tiles >= want)
            continue;
        /* the fewest equal cuts of dimension k that reach want */
        size_t cuts = (want + tiles - 1) / tiles;
        ext[k] = cuts >= n[k] ? 1 : (n[k] + cuts - 1) / cuts;
        tiles *= (n[k] + ext[k] - 1) / ext[k];
    }
    return tiles;
}

/* Every cell once, and every tile on the grid of the expected extents:
 * corners multiples of the extent, ends clipped to the size. */
static void tiling_check(struct tiling *t, const size_t *tile,
                         unsigned threads)
{
    size_t ext[WQ_DIMS_MAX];
    size_t tiles = expected_extents(t->dims, t->n, tile, threads, ext);
    ck_assert_int_eq(atomic_load(&t->bad), 0);
    coverage_check_once(&t->cov);
    ck_assert_uint_eq(atomic_load(&t->calls), tiles);
    for (size_t s = 0; s < tiles; s++)
        for (unsigned k = 0; k < t->dims; k++) {
            size_t b = t->tiles[s][0][k], e = t->tiles[s][1][k];
            ck_assert_msg(b % ext[k] == 0 &&
                              e == (t->n[k] - b < ext[k] ? t->n[k]
                                                         : b + ext[k]),
                          "tile [%zu, %zu) of dimension %u (size %zu) off "
                          "the grid of %zu",
                          b, e, k, t->n[k], ext[k]);
        }
}

/* ------------------------------------------------------------ the grid -- */

struct shape {
    unsigned dims;
    size_t n[WQ_DIMS_MAX];
};

static const struct shape shapes[] = {
    {1, {1}},           {1, {1000}},        {1, {4099}},
    {2, {1, 1}},        {2, {1, 777}},      {2, {777, 1}},
    {2, {64, 64}},      {2, {37, 101}},     {2, {300, 5}},
    {3, {7, 11, 13}},   {3, {2, 3, 200}},   {3, {40, 1, 9}},
    {4, {5, 6, 7, 8}},  {4, {1, 17, 1, 33}}, {4, {3, 3, 3, 3}},
    {WQ_DIMS_MAX, {2, 3, 2, 3, 2, 3, 2, 3}},
};

/* Tile kinds: given extents per dimension, or NULL (wq chooses). */
enum { KINDS = 7 };
static const size_t *tile_kind(int kind, const struct shape *s, size_t *buf)
{
    for (unsigned k = 0; k < s->dims; k++) {
        switch (kind) {
        case 1: buf[k] = 0; break;                     /* all chosen */
        case 2: buf[k] = 1; break;                     /* single cells */
        case 3: buf[k] = 3 + 2 * (k % 3); break;       /* odd: 3, 5, 7 */
        case 4: buf[k] = s->n[k] + 1 + k; break;       /* larger */
        case 5: buf[k] = k % 3 == 0 ? 0 : k % 3 == 1 ? 1 : 5; break; /* mixed */
        case 6: buf[k] = k % 2 ? 0 : 2; break;         /* mixed, even */
        default: return NULL;
        }
    }
    return buf;
}

START_TEST(nd_each_cell_once)
{
    wq_pool *pool = nd_pool(_i);
    unsigned threads = wq_pool_size(pool);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int kind = 0; kind < KINDS; kind++) {
            size_t buf[WQ_DIMS_MAX];
            const size_t *tile = tile_kind(kind, &shapes[s], buf);
            struct tiling t;
            tiling_init(&t, shapes[s].dims, shapes[s].n);
            ck_assert_int_eq(wq_for_nd(pool, shapes[s].dims, shapes[s].n,
                                       tile, tiling_body, &t),
                             0);
            tiling_check(&t, tile, threads);
            tiling_free(&t);
        }
    grid_release(pool);
}
END_TEST

static int tile_order(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(size_t[2][WQ_DIMS_MAX]));
}

/* wq_for_2d calls its body on exactly the tiles wq_for_nd gives with two
 * dimensions, chosen extents included. */
START_TEST(nd_2d_is_nd)
{
    wq_pool *pool = nd_pool(_i);
    unsigned threads = wq_pool_size(pool);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        if (shapes[s].dims != 2)
            continue;
        for (int kind = 1; kind < KINDS; kind++) {
            size_t buf[2];
            const size_t *tile = tile_kind(kind, &shapes[s], buf);
            struct tiling a, b;
            tiling_init(&a, 2, shapes[s].n);
            tiling_init(&b, 2, shapes[s].n);
            ck_assert_int_eq(wq_for_2d(pool, shapes[s].n[0], shapes[s].n[1],
                                       tile[0], tile[1], tiling_body_2d, &a),
                             0);
            ck_assert_int_eq(
                wq_for_nd(pool, 2, shapes[s].n, tile, tiling_body, &b), 0);
            tiling_check(&a, tile, threads);
            size_t calls = atomic_load(&a.calls);
            ck_assert_uint_eq(calls, atomic_load(&b.calls));
            qsort(a.tiles, calls, sizeof *a.tiles, tile_order);
            qsort(b.tiles, calls, sizeof *b.tiles, tile_order);
            ck_assert(memcmp(a.tiles, b.tiles, calls * sizeof *a.tiles) == 0);
            tiling_free(&a);
            tiling_free(&b);
        }
    }
    grid_release(pool);
}
END_TEST

/* ------------------------------------------------- empty, errors, edges -- */

static int count_nd(void *ctx, const size_t *begin, const size_t *end)
{
    (void)begin;
    (void)end;
    atomic_fetch_add((_Atomic int *)ctx, 1);
    return 0;
}

static int count_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    (void)i0, (void)i1, (void)j0, (void)j1;
    atomic_fetch_add((_Atomic int *)ctx, 1);
    return 0;
}

/* Any size 0 is an empty loop, even beside sizes whose product would
 * overflow. */
START_TEST(nd_empty_runs_nothing)
{
    wq_pool *pool = nd_pool(_i);
    _Atomic int calls = 0;
    const size_t shapes0[][4] = {{0}, {0, 5}, {5, 0}, {3, 4, 0, 2},
                                 {0, SIZE_MAX, SIZE_MAX, SIZE_MAX},
                                 {SIZE_MAX, SIZE_MAX, SIZE_MAX, 0}};
    const unsigned dims[] = {1, 2, 2, 4, 4, 4};
    for (size_t s = 0; s < sizeof dims / sizeof *dims; s++) {
        ck_assert_int_eq(
            wq_for_nd(pool, dims[s], shapes0[s], NULL, count_nd, &calls), 0);
        ck_assert_int_eq(wq_for_nd(pool, dims[s], shapes0[s], shapes0[s],
                                   count_nd, &calls),
                         0);
    }
    ck_assert_int_eq(wq_for_2d(pool, 0, 0, 0, 0, count_2d, &calls), 0);
    ck_assert_int_eq(wq_for_2d(pool, 0, SIZE_MAX, 1, 1, count_2d, &calls), 0);
    ck_assert_int_eq(wq_for_2d(pool, SIZE_MAX, 0, 0, 0, count_2d, &calls), 0);
    ck_assert_int_eq(atomic_load(&calls), 0);
    grid_release(pool);
}
END_TEST

/* Every bad argument is EINVAL, and no callback runs. */
START_TEST(nd_errors)
{
    wq_pool *pool = nd_pool(_i);
    _Atomic int calls = 0;
    const size_t n[WQ_DIMS_MAX + 1] = {2, 2, 2, 2, 2, 2, 2, 2, 2};
    ck_assert_int_eq(wq_for_nd(pool, 2, n, NULL, NULL, NULL), EINVAL);
    ck_assert_int_eq(wq_for_nd(pool, 2, NULL, NULL, count_nd, &calls),
                     EINVAL);
    ck_assert_int_eq(wq_for_nd(pool, 0, n, NULL, count_nd, &calls), EINVAL);
    ck_assert_int_eq(wq_for_nd(pool, WQ_DIMS_MAX + 1, n, NULL, count_nd,
                               &calls),
                     EINVAL);
    ck_assert_int_eq(wq_for_nd(pool, ~0u, n, NULL, count_nd, &calls), EINVAL);
    ck_assert_int_eq(wq_for_2d(pool, 2, 2, 0, 0, NULL, NULL), EINVAL);
    /* products that overflow, by one and by far, in every position */
    const size_t half = SIZE_MAX / 2 + 1, root = (size_t)1 << (WQ__SIZE_BITS / 2);
    const size_t over[][3] = {{half, 2, 1}, {2, half, 1}, {1, 3, half},
                              {root, root, 1}, {SIZE_MAX, SIZE_MAX, SIZE_MAX},
                              {root, 2, root / 2}};
    for (size_t s = 0; s < sizeof over / sizeof *over; s++) {
        ck_assert_int_eq(wq_for_nd(pool, 3, over[s], NULL, count_nd, &calls),
                         EINVAL);
        ck_assert_int_eq(wq_for_nd(pool, 3, over[s], over[s], count_nd,
                                   &calls),
                         EINVAL);
    }
    ck_assert_int_eq(wq_for_2d(pool, half, 2, 0, 0, count_2d, &calls),
                     EINVAL);
    ck_assert_int_eq(wq_for_2d(pool, root, root, 1, 1, count_2d, &calls),
                     EINVAL);
    ck_assert_int_eq(atomic_load(&calls), 0);
    /* a space of SIZE_MAX cells is not an overflow */
    ck_assert_int_eq(wq_for_2d(pool, SIZE_MAX, 1, 0, 0, count_2d, &calls), 0);
    ck_assert_int_gt(atomic_load(&calls), 0);
    grid_release(pool);
}
END_TEST

struct huge {
    size_t tile, n;
    _Atomic size_t calls;
    _Atomic int bad;
};

static int huge_body(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    struct huge *h = ctx;
    atomic_fetch_add(&h->calls, 1);
    if (i0 % h->tile || i1 != (h->n - i0 < h->tile ? h->n : i0 + h->tile) ||
        j0 != 0 || j1 != 1)
        atomic_store(&h->bad, 1);
    return 0;
}

/* Corners near SIZE_MAX: the clipped last tile ends at the size, no
 * corner wraps. */
START_TEST(nd_corners_near_size_max)
{
    wq_pool *pool = nd_pool(_i);
    const size_t tiles[] = {SIZE_MAX / 3 + 1, SIZE_MAX / 7, SIZE_MAX - 1,
                            SIZE_MAX};
    for (size_t k = 0; k < sizeof tiles / sizeof *tiles; k++) {
        struct huge h = {.tile = tiles[k], .n = SIZE_MAX};
        atomic_init(&h.calls, 0);
        atomic_init(&h.bad, 0);
        ck_assert_int_eq(wq_for_2d(pool, SIZE_MAX, 1, tiles[k], 0, huge_body,
                                   &h),
                         0);
        ck_assert_int_eq(atomic_load(&h.bad), 0);
        ck_assert_uint_eq(atomic_load(&h.calls), (SIZE_MAX - 1) / tiles[k] + 1);
    }
    grid_release(pool);
}
END_TEST

/* The division by multiplication that turns tile numbers into corners
 * agrees with the divide instruction at every edge. */
START_TEST(nd_divisor_exact)
{
    const size_t top = SIZE_MAX, half = SIZE_MAX / 2;
    size_t ds[64 + 3 * WQ__SIZE_BITS], xs[64 + 4 * WQ__SIZE_BITS];
    size_t nd = 0, nx = 0;
    for (size_t d = 1; d <= 64; d++)
        ds[nd++] = d;
    for (unsigned b = 1; b < WQ__SIZE_BITS; b++) {
        ds[nd++] = ((size_t)1 << b) - 1;
        ds[nd++] = (size_t)1 << b;
        ds[nd++] = ((size_t)1 << b) + 1;
    }
    ds[nd++] = top;
    ds[nd++] = half;
    for (size_t x = 0; x < 64; x++)
        xs[nx++] = x;
    for (unsigned b = 1; b < WQ__SIZE_BITS; b++) {
        xs[nx++] = ((size_t)1 << b) - 1;
        xs[nx++] = (size_t)1 << b;
        xs[nx++] = ((size_t)1 << b) + 1;
        xs[nx++] = top - ((size_t)1 << b);
    }
    xs[nx++] = top;
    xs[nx++] = top - 1;
    ck_assert_uint_le(nd, sizeof ds / sizeof *ds);
    ck_assert_uint_le(nx, sizeof xs / sizeof *xs);
    unsigned seed = 7;
    for (size_t i = 0; i < nd; i++) {
        struct wq__divisor v = wq__divisor_make(ds[i]);
        for (size_t j = 0; j < nx; j++)
            ck_assert_msg(wq__divide(&v, xs[j]) == xs[j] / ds[i],
                          "%zu / %zu", xs[j], ds[i]);
        for (int r = 0; r < 200; r++) {
            size_t x = 0;
            for (unsigned b = 0; b < WQ__SIZE_BITS; b += 15)
                x = x << 15 ^ (size_t)rand_r(&seed);
            x >>= rand_r(&seed) % WQ__SIZE_BITS;
            ck_assert_msg(wq__divide(&v, x) == x / ds[i], "%zu / %zu", x,
                          ds[i]);
        }
    }
}
END_TEST

/* ------------------------------------------------------------ behaviour -- */

struct who {
    pthread_t caller;
    _Atomic int elsewhere;
};

static int where_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    struct who *w = ctx;
    (void)i0, (void)i1, (void)j0, (void)j1;
    if (!pthread_equal(pthread_self(), w->caller))
        atomic_store(&w->elsewhere, 1);
    return 0;
}

static int where_nd(void *ctx, const size_t *begin, const size_t *end)
{
    return where_2d(ctx, begin[0], end[0], 0, 0);
}

/* A loop of one tile runs on the calling thread. */
START_TEST(nd_single_tile_inline)
{
    wq_pool *pool = nd_pool(_i);
    struct who w = {.caller = pthread_self()};
    atomic_init(&w.elsewhere, 0);
    const size_t n[4] = {3, 4, 5, 6}, big[4] = {3, 9, 5, 100};
    for (int r = 0; r < 100; r++) {
        ck_assert_int_eq(wq_for_2d(pool, 10, 20, 10, 20, where_2d, &w), 0);
        ck_assert_int_eq(wq_for_2d(pool, 1, 1, 0, 0, where_2d, &w), 0);
        ck_assert_int_eq(wq_for_nd(pool, 4, n, big, where_nd, &w), 0);
    }
    ck_assert_int_eq(atomic_load(&w.elsewhere), 0);
    grid_release(pool);
}
END_TEST

enum { SIDE = 45 }; /* tiles of one cell: SIDE * SIDE of them */

static int fail_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    (void)i1, (void)j1;
    return failing_once_call(ctx, i0 * SIDE + j0);
}

/* Once a tile has failed, every thread stops at its next claim, and the
 * value comes back; the pool works afterwards. */
START_TEST(nd_error_stops_every_thread)
{
    wq_pool *pool = nd_pool(_i);
    const size_t at[] = FAILING_AT(SIDE * SIDE);
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        struct failing_once f;
        failing_once_init(&f, at[k], pool);
        ck_assert_int_eq(wq_for_2d(pool, SIDE, SIDE, 1, 1, fail_2d, &f), 42);
        failing_once_check(&f, SIDE * SIDE);
    }
    struct tiling t;
    const size_t n[3] = {9, 8, 7};
    tiling_init(&t, 3, n);
    ck_assert_int_eq(wq_for_nd(pool, 3, n, NULL, tiling_body, &t), 0);
    tiling_check(&t, NULL, wq_pool_size(pool));
    tiling_free(&t);
    grid_release(pool);
}
END_TEST

static int waiting_2d(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    (void)i1, (void)j1;
    waiting_piece_item(ctx, i0 * SIDE + j0);
    return 0;
}

/* A slow tile delays only itself: while it waits for every other tile,
 * the idle threads take them all, wherever it falls. */
START_TEST(nd_slow_tile_delays_only_itself)
{
    wq_pool *pool = nd_pool(_i);
    if (wq_pool_size(pool) >= 2) {
        const size_t at[] = WAITING_AT(SIDE * SIDE);
        for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
            struct waiting_piece w;
            waiting_piece_init(&w, SIDE * SIDE, 1, at[a]);
            ck_assert_int_eq(
                wq_for_2d(pool, SIDE, SIDE, 1, 1, waiting_2d, &w), 0);
            waiting_piece_check(&w);
        }
    }
    grid_release(pool);
}
END_TEST

/* Nesting: each tile of an outer 2-D loop runs an inner 3-D loop on the
 * same pool over its own block of cells. */
struct nest {
    wq_pool *pool;
    struct tiling *inner; /* one per outer cell */
};

enum { OUT_I = 3, OUT_J = 4 };

static int nest_outer(void *ctx, size_t i0, size_t i1, size_t j0, size_t j1)
{
    struct nest *n = ctx;
    for (size_t i = i0; i < i1; i++)
        for (size_t j = j0; j < j1; j++) {
            struct tiling *t = &n->inner[i * OUT_J + j];
            int rc = wq_for_nd(n->pool, t->dims, t->n, NULL, tiling_body, t);
            if (rc)
                return rc;
        }
    return 0;
}

START_TEST(nd_nested)
{
    wq_pool *pool = nd_pool(_i);
    struct tiling inner[OUT_I * OUT_J];
    const size_t n[3] = {5, 6, 7};
    for (int rep = 0; rep < 5; rep++) {
        for (int k = 0; k < OUT_I * OUT_J; k++)
            tiling_init(&inner[k], 3, n);
        struct nest nest = {pool, inner};
        ck_assert_int_eq(wq_for_2d(pool, OUT_I, OUT_J, 1, (size_t)rep % 3,
                                   nest_outer, &nest),
                         0);
        for (int k = 0; k < OUT_I * OUT_J; k++) {
            tiling_check(&inner[k], NULL, wq_pool_size(pool));
            tiling_free(&inner[k]);
        }
    }
    grid_release(pool);
}
END_TEST

/* One round of a caller: a random tiled loop of 1 to 4 dimensions, every
 * cell once, in the tiles expected. */
static int random_tiling(void *arg, unsigned caller, int round, unsigned *seed)
{
    wq_pool *pool = arg;
    unsigned threads = wq_pool_size(pool);
    (void)caller;
    unsigned dims = 1 + (unsigned)rand_r(seed) % 4;
    size_t n[4], tile[4];
    for (unsigned k = 0; k < dims; k++) {
        n[k] = (size_t)(rand_r(seed) % (dims == 1 ? 500 : 9));
        tile[k] = (size_t)(rand_r(seed) % 6);
    }
    struct tiling t;
    tiling_init(&t, dims, n);
    const size_t *tiles_asked = round % 4 ? tile : NULL;
    int rc = wq_for_nd(pool, dims, n, tiles_asked, tiling_body, &t);
    size_t ext[4];
    size_t tiles =
        t.cov.n ? expected_extents(dims, n, tiles_asked, threads, ext) : 0;
    int wrong = rc || atomic_load(&t.bad) || atomic_load(&t.calls) != tiles;
    for (size_t i = 0; i < t.cov.n; i++)
        if (atomic_load(&t.cov.hits[i]) != 1)
            wrong = 1;
    tiling_free(&t);
    return wrong;
}

/* Four threads outside the pool run tiled loops on it at once. */
START_TEST(nd_concurrent_callers)
{
    wq_pool *pool = nd_pool(_i);
    callers_run(4, RUNNING_ON_VALGRIND ? 25 : 100, random_tiling, pool, 5, 31);
    grid_release(pool);
}
END_TEST

/* ------------------------------------------------------------- progress -- */

static int slow_nd(void *ctx, const size_t *begin, const size_t *end)
{
    (void)ctx, (void)begin, (void)end;
    usleep(100);
    return 0;
}

/* Reports come on the caller, never go back, and end with done == total
 * == the number of tiles; nested tiled loops do not report. */
START_TEST(nd_progress_counts_tiles)
{
    struct progress_log p;
    wq_pool *pool = progress_log_pool(&p, nd_size(_i));
    const size_t n[3] = {10, 12, 7}, tile[3] = {3, 5, 0};
    size_t ext[3];
    size_t tiles = expected_extents(3, n, tile, wq_pool_size(pool), ext);
    p.total = tiles;
    ck_assert_int_eq(wq_for_nd(pool, 3, n, tile, slow_nd, NULL), 0);
    progress_log_check(&p);
    /* an outer loop of one tile reports its one tile (after it and at the
     * end), its nested loops never */
    p.count = 0;
    p.total = 1;
    struct tiling inner[OUT_I * OUT_J];
    for (int k = 0; k < OUT_I * OUT_J; k++)
        tiling_init(&inner[k], 3, n);
    struct nest nest = {pool, inner};
    ck_assert_int_eq(
        wq_for_2d(pool, OUT_I, OUT_J, OUT_I, OUT_J, nest_outer, &nest), 0);
    progress_log_check(&p);
    ck_assert_uint_le(p.count, 2);
    for (int k = 0; k < OUT_I * OUT_J; k++)
        tiling_free(&inner[k]);
    wq_pool_destroy(pool);
}
END_TEST

Suite *suite_nd(void)
{
    const struct {
        const char *name;
        const TTest *test;
        int grid;
    } cases[] = {
        {"each_cell_once", nd_each_cell_once, 1},
        {"2d_is_nd", nd_2d_is_nd, 1},
        {"empty_runs_nothing", nd_empty_runs_nothing, 1},
        {"errors", nd_errors, 1},
        {"corners_near_size_max", nd_corners_near_size_max, 1},
        {"divisor_exact", nd_divisor_exact, 0},
        {"single_tile_inline", nd_single_tile_inline, 1},
        {"error_stops_every_thread", nd_error_stops_every_thread, 1},
        {"slow_tile_delays_only_itself", nd_slow_tile_delays_only_itself, 1},
        {"nested", nd_nested, 1},
        {"concurrent_callers", nd_concurrent_callers, 1},
        {"progress_counts_tiles", nd_progress_counts_tiles, 1},
    };
    Suite *s = suite_create("nd");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, TEST_TIMEOUT);
        int grid = RUNNING_ON_VALGRIND ? GRID_SIZE : ND_GRID;
        tcase_add_loop_test(tc, cases[i].test, 0, cases[i].grid ? grid : 1);
        suite_add_tcase(s, tc);
    }
    return s;
}
