/*
 * loop.h - one parallel loop over a range of units (chunks, items or
 * reduction blocks), shared by wq_for, wq_map and wq_reduce.
 *
 * The range is cut into lanes, one per thread that may join (the owner takes
 * lane 0, a helping worker the lane of its index).  A thread claims units from
 * the front of its own lane with one atomic step on that lane's counter
 * (fetch_add for a user's chunk, CAS for chunk 0), which only thieves ever
 * contend for; when its lane runs out it steals from the front of the lane
 * with the most units left.  So the common claim touches a cache line no
 * other thread writes, and load balancing costs only where it is needed.
 */
#ifndef WQ_LOOP_H
#define WQ_LOOP_H

#include "internal.h"

#define WQ__LANES_MAX 64
/* Loops of at most this many lanes count their open lanes on the slot's
 * hint, larger ones on their own line (struct wq__loop's open). */
#define WQ__OPEN_ON_HINT 2

/* Seconds a loop runs with no helper before its owner yields once. */
#define WQ__YIELD_AFTER 50e-6

/* Run units [begin, end) on the calling thread; non-zero stops the loop.
 * arg is the loop's.  wq_for passes its user's body itself: a claim of a
 * user's chunk is one call of it, with nothing in between.  A piece that
 * spans several of the user's callbacks (a guided claim of a map's items,
 * or a reduction's leaves) tests wq__loop_stopped before each of them after
 * its first and returns 0 at once if it is set: a thread that has seen a
 * failure starts no more of them. */
typedef int (*wq__piece_fn)(void *arg, size_t begin, size_t end);

/* One lane of units.  next: claimed by relaxed fetch_add or CAS (only
 * atomicity matters: each unit goes to exactly one claimer; the work's data
 * is published by the board slot protocol).  A fetch_add may carry next past
 * end, so "empty" is next >= end (see wq__claim).  end: written by the owner
 * before publication. */
struct wq__lane {
    _Alignas(64) _Atomic size_t next; /* a lane a cache line */
    size_t end;
};

struct wq__loop {
    struct wq__job job;
    wq_pool *pool;
    /* The loop runs units [0, units): items for wq_for and wq_map, blocks
     * for wq_reduce.  A chunk is `stride` units (the last may be shorter);
     * lanes are cut on chunk boundaries. */
    size_t units, stride;
    /* 1 if every piece must be one chunk, as the user's body of a wq_for
     * with a chunk expects; 0 if a piece may span chunks (a lone thread
     * then runs the loop in one piece). */
    int exact;
    /* 1 if units must be claimed in index order across all threads: one
     * lane that every thread claims from, so that a unit is claimed only
     * after every unit below it (wq_scan's chain, where a block waits a
     * while for the blocks before it).  0: a lane a thread. */
    int ordered;
    /* How a claim takes units from a lane (wq__claim): a chunk by
     * fetch_add (a user's chunk), a chunk by CAS (where fetch_adds passing
     * end could wrap the counter), or a shrinking share of what is left
     * (chunk 0, stride 1).  A claim is run as one piece. */
    enum { WQ__CLAIM_ADD, WQ__CLAIM_CAS, WQ__CLAIM_GUIDED } claim;
    wq__piece_fn piece;
    /* Called once on the owner after every unit succeeded, still inside
     * the call (its frame and floating-point mode): a reduction's combine,
     * a scan's pass over the blocks it left pending.  A non-zero return is
     * the loop's result.  May be NULL. */
    int (*finish)(struct wq__loop *loop);
    void *arg;
    const struct wq__frame *origin; /* the owner's frame, for helpers' */
    /* The CPU the owner ran on when it published the loop, or -1 (unknown,
     * or the pool does not spread): a hint for helpers, read-only after
     * publication. */
    int owner_cpu;
    /* The owner's alone: its board slot, and when it yields its CPU once if
     * no helper has joined by then (wq__owner_yield): -1 until its first
     * piece, 0 for never (a helper joined, or the pool does not spread). */
    int slot;
    double yield_at;
    unsigned nlanes;
    /* The first non-zero result of a piece, set by CAS from 0 (relaxed:
     * helpers only test it to stop claiming; the owner reads it after the
     * slot has drained, which orders it).  */
    _Atomic int error;
    /* Lanes that still hold unclaimed units, for a loop of more than
     * WQ__OPEN_ON_HINT lanes: nlanes at publication, taken down (relaxed)
     * by the claim that takes a lane's last unit; the claim that takes it
     * to 0 clears the slot's hint (see wq__claim).  On a cache line of its
     * own, not the slot's: on many threads the lanes' last claims, one
     * locked instruction each, would otherwise queue on the line that
     * every helper must also read to join.  With two lanes the slot's hint
     * is the count (one line less to move between the two threads: on a
     * 2-CPU AMD host an empty loop took 0.33 us that way, 0.38 with the
     * count here). */
    _Alignas(64) _Atomic uint32_t open;
    struct wq__lane lanes[WQ__LANES_MAX];

    /* Progress, for a loop whose owner reports (wq_options.on_progress).
     * Set before publication, read-only after: report, and the item count
     * of units: unit u < units starts at item u * per_unit + min(u, extra),
     * and the loop ends at item total. */
    int report;
    size_t total, per_unit, extra;
    /* A loop run inside another's finish (wq_scan's loop over its pending
     * blocks): quiet makes it report nothing, since the outer loop's final
     * report, which follows the finish, already counts those items. */
    int quiet;
    double next_report; /* the owner's alone */
    /* Items of finished pieces.  Every thread that finishes a piece adds to
     * it; only the owner reads it.  Relaxed both ways: it is a count that
     * publishes nothing, and one thread's successive reads of one atomic
     * never go backwards (read-read coherence), which is all a report
     * needs to be monotonic. */
    WQ__ALIGNED _Atomic size_t done;
};

/* Whether a piece has failed (the test a piece makes between its units).
 * One relaxed load of a line nobody writes until the failure. */
static inline int wq__loop_stopped(struct wq__loop *loop)
{
    return wq__load_relaxed(&loop->error) != 0;
}

/* Set the fields a caller chooses.  The rest, lanes above all (4 KiB, of
 * which a loop uses as many as it has threads), is set up by wq__loop_run:
 * a zero-initialised struct would clear every lane on every call. */
static inline void wq__loop_init(struct wq__loop *loop, size_t units,
                                 size_t stride, int guided, wq__piece_fn piece,
                                 void *arg)
{
    loop->units = units;
    loop->stride = guided ? 1 : stride;
    /* A thread's fetch_add passes end at most once per lane (wq__claim),
     * by a chunk at most; past this many units that could wrap next. */
    loop->claim = guided ? WQ__CLAIM_GUIDED
                 : loop->stride <= (SIZE_MAX - units) / (WQ_THREADS_MAX + 2)
                     ? WQ__CLAIM_ADD
                     : WQ__CLAIM_CAS;
    loop->exact = 0;
    loop->ordered = 0;
    loop->piece = piece;
    loop->arg = arg;
    loop->finish = NULL;
    /* Progress counts units as items unless the caller says otherwise. */
    loop->total = units;
    loop->per_unit = 1;
    loop->extra = 0;
    loop->quiet = 0;
}

/* The owner's side: run loop->units units on the pool (already resolved)
 * with loop->piece, using helpers when there is more than one chunk.
 * Returns the first non-zero piece result or 0. */
WQ__HIDDEN int wq__loop_run(wq_pool *pool, struct wq__loop *loop);

#endif /* WQ_LOOP_H */
