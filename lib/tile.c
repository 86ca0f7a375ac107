/*
 * tile.c - wq_for_2d and wq_for_nd: tiled loops over 1 to WQ_DIMS_MAX
 * dimensions on the loop engine (loop.h).
 *
 * The tiles are numbered row-major, and the engine runs the numbers
 * [0, tiles) as a wq_for with chunk 1 runs its items: one tile a claim,
 * in lanes, with stealing, a single tile inline.  Each piece turns its
 * number into the tile's corners, one division per dimension after the
 * first, done by multiplication (divide.h).  wq_for_2d is wq_for_nd with
 * two dimensions; only the call of the user's body differs.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>

#include "divide.h"
#include "loop.h"

/* Tiles a thread that wq cuts a loop into when a tile extent is 0: enough
 * that a thread slowed down (by the kernel, or by costlier tiles) leaves
 * little for the others to wait for at the end. */
#define WQ__TILES_A_THREAD 32

/* One tiled loop, set up by the caller and read-only while it runs. */
struct wq__tiles {
    unsigned dims;
    size_t n[WQ_DIMS_MAX];
    size_t tile[WQ_DIMS_MAX];           /* 1 <= tile[k] <= n[k] */
    struct wq__divisor per[WQ_DIMS_MAX]; /* tiles along dimension k */
    wq_rangend_fn nd;
    wq_range2d_fn fn2d;
    void *ctx;
};

/* The corners of tile u < tiles: its row-major digits in the mixed radix
 * of the tile counts, last dimension first, each times its extent. */
static void wq__tile_corners(const struct wq__tiles *t, size_t u,
                             size_t *begin, size_t *end)
{
    for (unsigned k = t->dims; k-- > 0;) {
        size_t q = k ? wq__divide(&t->per[k], u) : 0;
        size_t lo = (u - q * t->per[k].d) * t->tile[k];
        begin[k] = lo;
        end[k] = t->n[k] - lo < t->tile[k] ? t->n[k] : lo + t->tile[k];
        u = q;
    }
}

/* The pieces: the loop is exact, so a piece is one tile, [u, u + 1). */
static int wq__nd_piece(void *arg, size_t u, size_t last)
{
    const struct wq__tiles *t = arg;
    size_t begin[WQ_DIMS_MAX], end[WQ_DIMS_MAX];
    (void)last;
    wq__tile_corners(t, u, begin, end);
    return t->nd(t->ctx, begin, end);
}

static int wq__2d_piece(void *arg, size_t u, size_t last)
{
    const struct wq__tiles *t = arg;
    size_t begin[2], end[2];
    (void)last;
    wq__tile_corners(t, u, begin, end);
    return t->fn2d(t->ctx, begin[0], end[0], begin[1], end[1]);
}

/* Fill in the extents wq chooses (0 in tile, or tile NULL) and the tile
 * counts; returns the number of tiles.  Extents given are clipped to the
 * size.  The chosen ones start whole and are cut outermost first, each
 * into as many tiles as still lack to reach `want`.  Every count is at
 * most its size, so the product of the counts cannot overflow where that
 * of the sizes does not. */
static size_t wq__tiles_shape(struct wq__tiles *t, const size_t *tile,
                              size_t want)
{
    size_t tiles = 1;
    for (unsigned k = 0; k < t->dims; k++) {
        size_t x = tile ? tile[k] : 0;
        t->tile[k] = x == 0 || x > t->n[k] ? t->n[k] : x;
        tiles *= (t->n[k] - 1) / t->tile[k] + 1;
    }
    for (unsigned k = 0; k < t->dims && tiles < want; k++) {
        if (tile && tile[k])
            continue;
        size_t cuts = (want - 1) / tiles + 1; /* tiles * cuts >= want */
        t->tile[k] = cuts >= t->n[k] ? 1 : (t->n[k] - 1) / cuts + 1;
        tiles *= (t->n[k] - 1) / t->tile[k] + 1;
    }
    for (unsigned k = 0; k < t->dims; k++)
        t->per[k] = wq__divisor_make((t->n[k] - 1) / t->tile[k] + 1);
    return tiles;
}

/* Both entries once their callback is checked: body is nd or fn2d. */
static int wq__tiles_run(wq_pool *pool, struct wq__tiles *t, unsigned dims,
                         const size_t *n, const size_t *tile,
                         wq__piece_fn piece)
{
    if (!n || dims == 0 || dims > WQ_DIMS_MAX)
        return EINVAL;
    size_t cells = 1;
    int empty = 0;
    for (unsigned k = 0; k < dims; k++)
        empty |= n[k] == 0;
    for (unsigned k = 0; k < dims && !empty; k++) {
        if (n[k] > SIZE_MAX / cells)
            return EINVAL;
        cells *= n[k];
    }
    /* Resolve even an empty loop, as wq_for does (ECHILD after fork). */
    int rc = wq__pool_resolve(&pool);
    if (rc || empty)
        return rc;
    t->dims = dims;
    for (unsigned k = 0; k < dims; k++)
        t->n[k] = n[k];
    size_t want = pool->size > 1 ? (size_t)pool->size * WQ__TILES_A_THREAD : 1;
    size_t tiles = wq__tiles_shape(t, tile, want);
    struct wq__loop loop;
    wq__loop_init(&loop, tiles, 1, 0, piece, t);
    loop.exact = 1;
    return wq__loop_run(pool, &loop);
}

int wq_for_nd(wq_pool *pool, unsigned dims, const size_t *n,
              const size_t *tile, wq_rangend_fn body, void *ctx)
{
    if (!body)
        return EINVAL;
    struct wq__tiles t = {.nd = body, .ctx = ctx};
    return wq__tiles_run(pool, &t, dims, n, tile, wq__nd_piece);
}

int wq_for_2d(wq_pool *pool, size_t ni, size_t nj, size_t tile_i,
              size_t tile_j, wq_range2d_fn body, void *ctx)
{
    if (!body)
        return EINVAL;
    const size_t n[2] = {ni, nj}, tile[2] = {tile_i, tile_j};
    struct wq__tiles t = {.fn2d = body, .ctx = ctx};
    return wq__tiles_run(pool, &t, 2, n, tile, wq__2d_piece);
}
