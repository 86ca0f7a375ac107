/*
 * loop.c - the parallel loop engine (see loop.h), and wq_for and wq_map on
 * top of it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>

#include "loop.h"
#include "thread.h"

/* Claim units from the front of a lane: one for a user's chunk, a quarter of
 * what is left for chunk 0 (guided self-scheduling: large pieces while much
 * is left, single units at the end, so the last pieces to finish are small).
 * Returns 0 when the lane is empty or the loop has stopped. */
static int wq__claim(struct wq__loop *loop, struct wq__lane *lane,
                     size_t *begin, size_t *end)
{
    size_t cur = wq__load_relaxed(&lane->next);
    for (;;) {
        if (cur >= lane->end || wq__load_relaxed(&loop->error))
            return 0;
        size_t take = 1;
        if (loop->guided)
            take = (lane->end - cur + 3) / 4;
        if (wq__cas_weak_relaxed(&lane->next, &cur, cur + take)) {
            *begin = cur;
            *end = cur + take;
            return 1;
        }
    }
}

/* The lane with the most unclaimed units, or -1 if all are empty. */
static int wq__richest_lane(struct wq__loop *loop)
{
    int best = -1;
    size_t most = 0;
    for (unsigned i = 0; i < loop->nlanes; i++) {
        struct wq__lane *lane = &loop->lanes[i];
        size_t next = wq__load_relaxed(&lane->next);
        if (next < lane->end && lane->end - next > most) {
            most = lane->end - next;
            best = (int)i;
        }
    }
    return best;
}

/* Work on the loop from lane `lane` until no unit is left anywhere (or the
 * loop has stopped).  Returns when this thread can find nothing more. */
static void wq__loop_work(struct wq__loop *loop, int lane)
{
    while (lane >= 0) {
        size_t begin, end;
        while (wq__claim(loop, &loop->lanes[lane], &begin, &end)) {
            int rc = loop->piece(loop, begin, end);
            if (rc) {
                wq__keep_first(&loop->error, rc);
                return;
            }
        }
        if (wq__load_relaxed(&loop->error))
            return;
        lane = wq__richest_lane(loop);
    }
}

/* A helper's entry (wq__help_fn): take the next lane, work, and close the
 * slot if the range has run out so that other threads stop joining. */
static void wq__loop_help(struct wq__job *job, int slot)
{
    struct wq__loop *loop = (struct wq__loop *)(void *)job; /* first member */
    struct wq__frame frame;
    unsigned lane = wq__fetch_add_relaxed(&loop->joined, 1);
    unsigned long fpu = 0;

    wq__frame_push(&frame, loop->pool, NULL, loop->origin);
    if (job->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    wq__loop_work(loop, lane < loop->nlanes ? (int)lane
                                            : wq__richest_lane(loop));
    if (job->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
    wq__board_close(loop->pool, slot, job);
}

static int wq__loop_parallel(wq_pool *pool, struct wq__loop *loop)
{
    size_t units = loop->units;
    unsigned nlanes = pool->size < WQ__LANES_MAX ? pool->size : WQ__LANES_MAX;
    if (units < nlanes)
        nlanes = (unsigned)units;

    /* Lane i gets units/nlanes units, the first units%nlanes one more. */
    size_t base = units / nlanes, extra = units % nlanes, at = 0;
    for (unsigned i = 0; i < nlanes; i++) {
        atomic_init(&loop->lanes[i].next, at);
        at += base + (i < extra);
        loop->lanes[i].end = at;
    }
    loop->nlanes = nlanes;
    atomic_init(&loop->joined, 1);
    loop->job.help = wq__loop_help;
    loop->job.flags = pool->flags;

    int slot = wq__board_publish(pool, &loop->job, 1);
    if (slot < 0) /* the board is full: this thread does it all */
        return loop->piece(loop, 0, units);
    wq__pool_wake(pool, (unsigned)(units - 1 < pool->size - 1
                                       ? units - 1
                                       : pool->size - 1));
    wq__loop_work(loop, 0);
    wq__board_retire(pool, slot);
    return wq__load_relaxed(&loop->error);
}

int wq__loop_run(wq_pool *pool, struct wq__loop *loop)
{
    struct wq__frame frame;
    unsigned long fpu = 0;
    int rc;

    if (loop->units == 0)
        return 0;
    loop->pool = pool;
    atomic_init(&loop->error, 0);
    wq__frame_push(&frame, pool, NULL, NULL);
    loop->origin = &frame;
    if (pool->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    /* One unit, or nobody to share with: run inline, waking no one. */
    if (loop->units == 1 || pool->size == 1)
        rc = loop->piece(loop, 0, loop->units);
    else
        rc = wq__loop_parallel(pool, loop);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
    return rc;
}

/* ---------------------------------------------------------------- wq_for -- */

struct wq__for {
    size_t n, chunk;
    wq_range_fn body;
    void *ctx;
};

/* Units are chunks of `chunk` items, or single items for chunk 0. */
static int wq__for_piece(struct wq__loop *loop, size_t begin, size_t end)
{
    const struct wq__for *f = loop->arg;
    if (!f->chunk)
        return f->body(f->ctx, begin, end);
    for (size_t u = begin; u < end; u++) {
        /* u < ceil(n / chunk), so u * chunk < n: no overflow. */
        size_t lo = u * f->chunk;
        size_t hi = f->n - lo < f->chunk ? f->n : lo + f->chunk;
        int rc = f->body(f->ctx, lo, hi);
        if (rc)
            return rc;
    }
    return 0;
}


/* A loop over n items in chunks (for and map), once its arguments passed. */
static int wq__items_loop(wq_pool *pool, size_t n, size_t chunk,
                          wq__piece_fn piece, void *arg)
{
    /* Resolve even an empty loop: a pool inherited through fork() answers
     * ECHILD to every call, not only to those with work. */
    int rc = wq__pool_resolve(&pool);
    if (rc || n == 0)
        return rc;
    struct wq__loop loop = {.units = chunk ? n / chunk + (n % chunk != 0) : n,
                            .guided = chunk == 0,
                            .piece = piece,
                            .arg = arg};
    return wq__loop_run(pool, &loop);
}

int wq_for(wq_pool *pool, size_t n, size_t chunk, wq_range_fn body, void *ctx)
{
    if (!body)
        return EINVAL;
    struct wq__for f = {n, chunk, body, ctx};
    return wq__items_loop(pool, n, chunk, wq__for_piece, &f);
}

/* ---------------------------------------------------------------- wq_map -- */

struct wq__map {
    size_t n, chunk;
    const char *in;
    size_t in_size;
    char *out;
    size_t out_size;
    wq_map_fn fn;
    void *ctx;
};

static int wq__map_piece(struct wq__loop *loop, size_t begin, size_t end)
{
    const struct wq__map *m = loop->arg;
    size_t lo = begin, hi = end;
    if (m->chunk) {
        /* Units below loop->units start below n, so neither product
         * overflows; the last unit ends at n. */
        lo = begin * m->chunk;
        hi = end < loop->units ? end * m->chunk : m->n;
    }
    for (size_t i = lo; i < hi; i++) {
        int rc = m->fn(m->ctx, m->in ? m->in + i * m->in_size : NULL,
                       m->out + i * m->out_size);
        if (rc)
            return rc;
    }
    return 0;
}

int wq_map(wq_pool *pool, size_t n, size_t chunk, const void *in,
           size_t in_size, void *out, size_t out_size, wq_map_fn fn, void *ctx)
{
    if (!fn || !out || (!in && in_size))
        return EINVAL;
    /* Every address i * size must be representable. */
    if ((in_size && n > SIZE_MAX / in_size) ||
        (out_size && n > SIZE_MAX / out_size))
        return EINVAL;
    struct wq__map m = {n, chunk, in, in_size, out, out_size, fn, ctx};
    return wq__items_loop(pool, n, chunk, wq__map_piece, &m);
}
