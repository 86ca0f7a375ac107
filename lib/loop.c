/*
 * loop.c - the parallel loop engine (see loop.h), and wq_for and wq_map on
 * top of it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <sched.h>
#include <stdint.h>

#include "loop.h"
#include "place.h"
#include "thread.h"

/* wq__claim's fetch_add mode (a user's chunk), which wq__lane_work_add
 * calls directly: the fetch_add alone, with no read of next before it.
 * Its callers read next once, and give up at end, before their first
 * claim from a lane (wq__claim before each, wq__lane_work_add on entering
 * the lane); wq__claim says why that bounds how far next passes end. */
static inline int wq__claim_add(struct wq__lane *lane, size_t end,
                                size_t stride, _Atomic uint32_t *open,
                                size_t *first, size_t *last)
{
    size_t cur = wq__fetch_add_relaxed(&lane->next, stride);
    if (cur >= end)
        return 0;
    /* The last chunk may be short; it closes the lane. */
    size_t left = end - cur;
    *first = cur;
    *last = cur + (left < stride ? left : stride);
    if (left <= stride && wq__fetch_sub_relaxed(open, 1) == 1)
        return 2;
    return 1;
}

/* Claim units from the front of a lane.  The claim that takes a lane's
 * last unit takes the lane off the loop's count of open lanes (`open`);
 * the one that takes the count to 0 returns 2, and its caller clears the
 * slot's hint (wq__claimed_last), so that once every unit is claimed,
 * threads looking for work pass the loop by instead of joining it for
 * nothing (and making its owner wait for them to leave).  Returns 1 for
 * any other claim, 0 when the lane is empty.  end is the lane's, read once
 * by the caller (it never changes after publication).
 *
 * Chunk 0 (guided): a quarter of what is left in the lane, by CAS (guided
 * self-scheduling: large pieces while much is left, single units at the
 * end, so the last pieces to finish are small).
 *
 * A user's chunk: one chunk a claim, by fetch_add: one locked instruction
 * and no retry loop.  Claiming several at once would save locked
 * instructions, but the claimed chunks could then not be taken by an idle
 * thread while the claimer runs the first of them: a chunk that is slow,
 * or that waits for the other chunks to run, would hold them back.  One at
 * a time, every chunk not yet started stays in its lane for any thread.
 * Lanes start on chunk boundaries, so every claim starts on one
 * (wq__claim_add).
 *
 * A fetch_add may pass end: a claim that finds the lane empty still adds
 * its chunk, and ends the thread's visit to the lane.  A visit starts with
 * a read of next that gives up at end (here before every claim; in
 * wq__lane_work_add once, on entering the lane), so a thread adds past end
 * only when other claims took the rest between that read and its add, and
 * from then on every thread reads next >= end and no visit to the lane
 * starts: each thread passes end at most once per lane, and next stays
 * below end + a chunk for each thread.  Loops where that could wrap claim
 * by CAS (wq__loop_init), which never passes end. */
static int wq__claim(struct wq__lane *lane, size_t end, int mode,
                     size_t stride, _Atomic uint32_t *open, size_t *first,
                     size_t *last)
{
    size_t cur = wq__load_relaxed(&lane->next);
    if (cur >= end)
        return 0;
    if (mode == WQ__CLAIM_ADD)
        return wq__claim_add(lane, end, stride, open, first, last);
    size_t take = stride;
    for (;;) {
        if (mode == WQ__CLAIM_GUIDED)
            take = (end - cur + 3) / 4;
        if (wq__cas_weak_relaxed(&lane->next, &cur,
                                 end - cur < take ? end : cur + take))
            break;
        if (cur >= end)
            return 0;
    }
    *first = cur;
    *last = end - cur < take ? end : cur + take;
    if (*last == end && wq__fetch_sub_relaxed(open, 1) == 1)
        return 2;
    return 1;
}

/* After a claim that returned 2: no unit is left to claim, so the slot's
 * hint (relaxed, see internal.h) can tell threads looking for work to pass
 * the loop by.  Where the hint is the count itself (two lanes or fewer),
 * the claim took it to 0 already, and the store changes nothing. */
static inline void wq__claimed_last(_Atomic uint32_t *hint)
{
    wq__store_relaxed(hint, 0);
}

/* Where a loop counts its open lanes (see loop.h): on the slot's hint
 * itself when it has two lanes or fewer, else on the loop's own line. */
static inline _Atomic uint32_t *wq__open_lanes(struct wq__loop *loop,
                                               _Atomic uint32_t *hint)
{
    return loop->nlanes > WQ__OPEN_ON_HINT ? &loop->open : hint;
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

/* ------------------------------------------------------------ progress -- */

static size_t wq__unit_start(const struct wq__loop *loop, size_t u)
{
    if (u >= loop->units)
        return loop->total;
    return u * loop->per_unit + (u < loop->extra ? u : loop->extra);
}

static void wq__progress_start(wq_pool *pool, struct wq__loop *loop)
{
    /* Only a loop called from outside the pool's callbacks reports: its
     * owner is the thread that asked for progress. */
    loop->report = pool->opt.on_progress && !loop->quiet &&
                   !wq__pool_in_use_here(pool);
    atomic_init(&loop->done, 0);
    if (loop->report)
        loop->next_report = wq_now() + pool->progress;
}

/* The owner's report, at most one per interval (a wq__tick's fn). */
static void wq__progress_tick(void *arg)
{
    struct wq__loop *loop = arg;
    double now = wq_now();
    if (now < loop->next_report)
        return;
    loop->next_report = now + loop->pool->progress;
    loop->pool->opt.on_progress(loop->pool->opt.progress_arg,
                                wq__load_relaxed(&loop->done), loop->total);
}

/* After a piece: count its items; the owner may report. */
static void wq__progress_piece(struct wq__loop *loop, size_t begin,
                               size_t end, int owner)
{
    wq__fetch_add_relaxed(&loop->done, wq__unit_start(loop, end) -
                                           wq__unit_start(loop, begin));
    if (owner)
        wq__progress_tick(loop);
}

/* ---------------------------------------------------------- the engine -- */

/* Whether a helper holds a reference on the owner's loop now (a relaxed
 * look at the slot's users: a hint for the owner's yield, nothing more). */
static int wq__loop_joined(struct wq__loop *loop)
{
    wq_pool *pool = loop->pool;
    struct wq__refs *r = wq__slot_refs(pool, wq__slot_at(pool, loop->slot));
    return wq__load_relaxed(&r->users) != 0;
}

/* The owner of a loop, between its pieces, while no helper has joined: a
 * worker that the kernel put on this CPU (a sleeper woken here, or a new
 * thread) waits behind the owner, perhaps for the whole loop, while another
 * CPU idles.  Once this thread's loops have run WQ__YIELD_AFTER with no
 * helper, the owner lets it run, once: it joins, sees that it shares the
 * owner's CPU, and moves off after the loop (wq__uncrowd).  Where no
 * thread waits here the call returns at once.  Not at the start: a loop
 * whose helpers are merely late would pay for it.  The time counts across
 * loops (wq__self.unhelped), not from each loop's start: loops shorter
 * than WQ__YIELD_AFTER, one after another, never yielded, and a worker
 * woken onto the caller's CPU waited for the kernel to end the caller's
 * time slice (a millisecond or more) while the caller ran every loop alone
 * (sorting 10 arrays of 100 doubles, 52 loops of 20 to 34 us a process:
 * on a 2-CPU AMD host, in 1 to 7 of every 16 to 20 processes the caller
 * ran most loops alone, and none after the change in 20).  The clock is
 * read only while no helper has joined. */
static void wq__owner_yield(struct wq__loop *loop)
{
    /* A helper has joined: the loop is shared, nothing to do. */
    if (wq__loop_joined(loop)) {
        loop->yield_at = 0;
        wq__self.unhelped = 0;
        return;
    }
    double now = wq_now();
    if (loop->yield_at < 0) { /* the first piece: start or go on counting */
        if (wq__self.unhelped == 0)
            wq__self.unhelped = now;
        loop->yield_at = wq__self.unhelped + WQ__YIELD_AFTER;
    }
    if (now < loop->yield_at)
        return;
    loop->yield_at = 0;
    wq__self.unhelped = 0;
    sched_yield();
}

/* After the owner's last piece: a helper that joined since its last look
 * ends the streak of unhelped loops.  The retire that follows reads the
 * same line. */
static void wq__owner_done(struct wq__loop *loop)
{
    if (loop->yield_at != 0 && wq__loop_joined(loop))
        wq__self.unhelped = 0;
}

/* Whether the thread must do something between its pieces: count them
 * for progress reports, or, as the owner, watch for a helper. */
static int wq__loop_between(const struct wq__loop *loop, int owner)
{
    return loop->report || (owner && loop->yield_at != 0);
}

/* A user's chunk with nothing to do between pieces (wq__lane_work's
 * commonest case, and the owner's too once a helper has joined): the
 * claims of wq__claim's fetch_add mode, in a loop of their own.  At chunk
 * 1 a claim is the whole cost of a chunk, and the general loop, which
 * tests the claim's mode and the work between pieces inside it, with the
 * fetch_add on an out-of-line branch, spent about 1 ns a claim more on 2
 * threads (an empty body: a median of 3.1 ns an item against 1.9, the
 * same as pthreadpool's parallelize_1d).  This one runs straight
 * through: the stop test, the claim (wq__claim_add, inlined), the piece.
 * next is read once, on entering the lane, not before every claim as
 * wq__claim does: on an Intel host the read, just after the previous
 * claim's locked add to the same line, cost about 2 ns a claim on 2
 * threads (9.4 against pthreadpool's 7.5 ns a chunk to each thread, 7.5
 * without it), and the fetch_add already says whether the lane is
 * empty. */
static int wq__lane_work_add(struct wq__loop *loop, struct wq__lane *lane,
                             _Atomic uint32_t *hint)
{
    _Atomic uint32_t *const open = wq__open_lanes(loop, hint);
    const size_t end = lane->end, stride = loop->stride;
    const wq__piece_fn piece = loop->piece;
    void *const arg = loop->arg;
    int ran = 0, c;
    size_t first, last;
    if (wq__load_relaxed(&lane->next) >= end) /* the visit's one read */
        return 0;
    while (!wq__loop_stopped(loop) &&
           (c = wq__claim_add(lane, end, stride, open, &first, &last))) {
        if (c == 2)
            wq__claimed_last(hint);
        ran = 1;
        int rc = piece(arg, first, last);
        if (rc) {
            wq__keep_first(&loop->error, rc);
            break;
        }
    }
    return ran;
}

/* Run claims from one lane until it is empty or the loop has stopped.
 * Returns 1 if it ran a piece. */
static int wq__lane_work(struct wq__loop *loop, struct wq__lane *lane,
                         _Atomic uint32_t *hint, int owner)
{
    _Atomic uint32_t *const open = wq__open_lanes(loop, hint);
    const size_t end = lane->end, stride = loop->stride;
    const int mode = loop->claim;
    int between = wq__loop_between(loop, owner), ran = 0, c;
    size_t first, last;
    if (mode == WQ__CLAIM_ADD && !between)
        return wq__lane_work_add(loop, lane, hint);
    while (!wq__loop_stopped(loop) &&
           (c = wq__claim(lane, end, mode, stride, open, &first, &last))) {
        if (c == 2)
            wq__claimed_last(hint);
        int rc = loop->piece(loop->arg, first, last);
        ran = 1;
        if (rc) {
            wq__keep_first(&loop->error, rc);
            return ran;
        }
        if (between) {
            if (loop->report)
                wq__progress_piece(loop, first, last, owner);
            if (owner && loop->yield_at != 0)
                wq__owner_yield(loop);
            between = wq__loop_between(loop, owner);
            /* The owner's watch ends once a helper joins (or once it has
             * yielded its CPU): the rest of the lane goes at the fast
             * loop's pace. */
            if (!between && mode == WQ__CLAIM_ADD)
                return wq__lane_work_add(loop, lane, hint) | ran;
        }
    }
    return ran;
}

/* Work on the loop from lane `lane` until no unit is left anywhere (or the
 * loop has stopped).  Returns when this thread can find nothing more: 1 if
 * it ran a piece. */
static int wq__loop_work(struct wq__loop *loop, int lane,
                         _Atomic uint32_t *hint, int owner)
{
    int ran = 0;
    while (lane >= 0) {
        ran |= wq__lane_work(loop, &loop->lanes[lane], hint, owner);
        /* The open-lane count answers "anything left to steal?" from one
         * cache line instead of a scan of every lane's. */
        if (wq__loop_stopped(loop) ||
            !wq__load_relaxed(wq__open_lanes(loop, hint)))
            break;
        lane = wq__richest_lane(loop);
    }
    return ran;
}

/* A helper's entry (wq__help_fn): work from the lane of this worker's
 * index (the owner holds lane 0), so joining writes nothing shared; a
 * thread without a lane of its own starts by stealing.  Then close the slot
 * if the range has run out so that other threads stop joining. */
static int wq__loop_help(struct wq__job *job, int slot)
{
    struct wq__loop *loop = (struct wq__loop *)(void *)job; /* first member */
    struct wq__frame frame;
    unsigned lane = wq__self.slot;
    unsigned long fpu = 0;

    /* Start fetching our lane's cache line while the loop's header (which
     * says whether the lane exists) is on its way: two misses overlap. */
    if (lane < WQ__LANES_MAX)
        wq__prefetch_write(&loop->lanes[lane]);
    if (wq__self.pool != loop->pool)
        lane = 0;
    /* A worker on the CPU the owner published from marks itself crowded;
     * it moves off once it has left the job (its loop in pool.c calls
     * wq__uncrowd), not now, when the owner might have to wait for the
     * move. */
    if (loop->owner_cpu >= 0 && wq__self.pool == loop->pool &&
        wq__cpu_current() == loop->owner_cpu)
        wq__self.crowded = 1;
    wq__frame_push(&frame, loop->pool, NULL, loop->origin);
    if (job->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    int own = lane > 0 && lane < loop->nlanes;
    int ran = wq__loop_work(loop, own ? (int)lane : wq__richest_lane(loop),
                            &wq__slot_at(loop->pool, slot)->hint, 0);
    if (job->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
    /* Without an error every lane is empty, so the slot's hint is already 0
     * and no thread will join; a stopped loop still has units, and must be
     * taken off the board. */
    if (wq__load_relaxed(&loop->error))
        wq__board_close(loop->pool, slot, job);
    return ran;
}

/* Chunks of the loop: ceil(units / stride). */
static size_t wq__loop_chunks(const struct wq__loop *loop)
{
    return loop->units / loop->stride + (loop->units % loop->stride != 0);
}

/* Cut the chunks into nlanes lanes: lane i gets chunks/nlanes chunks, the
 * first chunks%nlanes one more. */
static void wq__loop_lanes(struct wq__loop *loop, size_t chunks,
                           unsigned nlanes)
{
    size_t base = chunks / nlanes, extra = chunks % nlanes, at = 0;
    for (unsigned i = 0; i < nlanes; i++) {
        atomic_init(&loop->lanes[i].next, at * loop->stride);
        at += base + (i < extra);
        loop->lanes[i].end =
            at < chunks ? at * loop->stride : loop->units; /* no overflow */
    }
    loop->nlanes = nlanes;
    atomic_init(&loop->open, nlanes);
}

/* The calling thread runs the whole loop: in one piece, or chunk by chunk
 * if pieces must be exact chunks, or, when it reports progress, claim by
 * claim from a single lane. */
static int wq__loop_alone(struct wq__loop *loop)
{
    if (loop->report) {
        _Atomic uint32_t open = 1;
        wq__loop_lanes(loop, wq__loop_chunks(loop), 1);
        wq__loop_work(loop, 0, &open, 1);
        return wq__load_relaxed(&loop->error);
    }
    size_t units = loop->units, stride = loop->stride;
    if (!loop->exact)
        return loop->piece(loop->arg, 0, units);
    for (size_t lo = 0, hi; lo < units; lo = hi) {
        hi = units - lo < stride ? units : lo + stride; /* no overflow */
        int rc = loop->piece(loop->arg, lo, hi);
        if (rc)
            return rc;
    }
    return 0;
}

static int wq__loop_parallel(wq_pool *pool, struct wq__loop *loop,
                             size_t chunks)
{
    unsigned nlanes = pool->size < WQ__LANES_MAX ? pool->size : WQ__LANES_MAX;
    if (loop->ordered)
        nlanes = 1;
    if (chunks < nlanes)
        nlanes = (unsigned)chunks;
    wq__loop_lanes(loop, chunks, nlanes);
    loop->job.help = wq__loop_help;
    loop->job.flags = pool->flags;

    loop->owner_cpu = pool->spread ? wq__cpu_current() : -1;
    int slot = wq__board_publish(pool, &loop->job, nlanes);
    if (slot < 0) /* the board could not grow; nothing has run */
        return ENOMEM;
    loop->slot = slot;
    loop->yield_at = loop->owner_cpu >= 0 ? -1 : 0;
    wq__pool_wake(pool, slot,
                  (unsigned)(chunks - 1 < pool->size - 1 ? chunks - 1
                                                         : pool->size - 1));
    wq__loop_work(loop, 0, &wq__slot_at(pool, slot)->hint, 1);
    wq__owner_done(loop);
    const struct wq__tick tick = {wq__progress_tick, loop, pool->progress};
    wq__board_retire(pool, slot, loop->report ? &tick : NULL);
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
    loop->yield_at = 0; /* set only once the loop is on the board */
    atomic_init(&loop->error, 0);
    wq__progress_start(pool, loop);
    wq__frame_push(&frame, pool, NULL, NULL);
    loop->origin = &frame;
    if (pool->flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    /* One chunk, or nobody to share with: run inline, waking no one. */
    size_t chunks = wq__loop_chunks(loop);
    if (chunks == 1 || pool->size == 1)
        rc = wq__loop_alone(loop);
    else
        rc = wq__loop_parallel(pool, loop, chunks);
    if (!rc && loop->finish)
        rc = loop->finish(loop);
    if (!rc && loop->report)
        pool->opt.on_progress(pool->opt.progress_arg, loop->total,
                              loop->total);
    if (pool->flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
    return rc;
}

/* ---------------------------------------------------------------- wq_for -- */

/* A loop over n items in chunks (for and map), once its arguments passed:
 * a claim is a chunk of `chunk` items, or, for chunk 0, the items wq
 * picks; exact as in struct wq__loop. */
static int wq__items_loop(wq_pool *pool, struct wq__loop *loop, size_t n,
                          size_t chunk, int exact, wq__piece_fn piece,
                          void *arg)
{
    /* Resolve even an empty loop: a pool inherited through fork() answers
     * ECHILD to every call, not only to those with work. */
    int rc = wq__pool_resolve(&pool);
    if (rc || n == 0)
        return rc;
    wq__loop_init(loop, n, chunk, chunk == 0, piece, arg);
    loop->exact = exact;
    return wq__loop_run(pool, loop);
}

/* The user's body is the loop's piece: a claim is one call of it. */
int wq_for(wq_pool *pool, size_t n, size_t chunk, wq_range_fn body, void *ctx)
{
    if (!body)
        return EINVAL;
    struct wq__loop loop;
    return wq__items_loop(pool, &loop, n, chunk, chunk != 0, body, ctx);
}

/* ---------------------------------------------------------------- wq_map -- */

struct wq__map {
    const char *in;
    size_t in_size;
    char *out;
    size_t out_size;
    wq_map_fn fn;
    void *ctx;
    struct wq__loop *loop; /* for the stop test */
};

static int wq__map_piece(void *arg, size_t lo, size_t hi)
{
    const struct wq__map *m = arg;
    for (size_t i = lo; i < hi; i++) {
        /* fn is the user's callback, so the stop test is between items. */
        if (i > lo && wq__loop_stopped(m->loop))
            return 0;
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
    if (!fn)
        return EINVAL;
    /* An empty map reads and writes nothing, so in and out may then be NULL
     * whatever the strides; n == 0 cannot overflow either. */
    if (n && (!out || (!in && in_size)))
        return EINVAL;
    /* Every address i * size must be representable. */
    if ((in_size && n > SIZE_MAX / in_size) ||
        (out_size && n > SIZE_MAX / out_size))
        return EINVAL;
    struct wq__loop loop;
    struct wq__map m = {in, in_size, out, out_size, fn, ctx, &loop};
    return wq__items_loop(pool, &loop, n, chunk, 0, wq__map_piece, &m);
}
