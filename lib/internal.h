/*
 * internal.h - the objects shared by the files of lib/.
 *
 * The pool (pool.c) owns worker threads and a job board (queue.c).  A job is
 * anything threads can help with: a loop (loop.c, reduce.c) or a task group
 * (group.c).  Its owner publishes it on a board slot, any thread may join it
 * through the slot, and the owner retires the slot once it has finished,
 * which is the moment no other thread can still be touching the job.
 */
#ifndef WQ_INTERNAL_H
#define WQ_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <wq.h>

#include "atomics.h"

#define WQ__HIDDEN __attribute__((visibility("hidden")))

/* ------------------------------------------------------------------ jobs -- */

struct wq__job;

/* Help with a job: run some of its work on the calling thread and return
 * 1, or 0 if it found none left.  Called only while the caller holds a
 * reference on the job's slot, whose index it is given (so it can close
 * the slot when the work runs out). */
typedef int (*wq__help_fn)(struct wq__job *job, int slot);

struct wq__job {
    wq__help_fn help; /* written by the owner before publication, read-only */
    unsigned flags;   /* the pool's WQ_FLUSH_DENORMALS, for helpers */
};

/* ------------------------------------------------------------- the board -- */

/* One board slot.  Slot memory lives as long as the pool, which is what
 * makes it safe for a thread to touch a slot whose job has just finished.
 *
 *   job    written by the owner (publish: release; retire: seq_cst store of
 *          NULL) and by any thread that finds the job exhausted (seq_cst CAS
 *          to NULL).  Read by helpers twice: a relaxed peek while scanning,
 *          then a seq_cst load after taking a reference (users), which pairs
 *          with the owner's seq_cst NULL store: either the helper sees NULL,
 *          or the owner sees its reference and waits for it.
 *   hint   "there may be work": for a loop non-zero (its lane count, stored
 *          at publication) until the claim that takes its last unit stores
 *          0 (a loop of two lanes counts its open lanes down here, a
 *          larger one on a line of its own, see loop.h), for a group its
 *          queued-task count.  Relaxed everywhere: a stale hint costs one
 *          wasted look (help then reports that it ran nothing, and the
 *          worker backs off) or one later look, never correctness.
 *          Closing a slot stores 0; a stopped loop's claims or a group's
 *          pops still in flight may then take it below zero, where it
 *          wraps.  Nothing is lost by that: scanners also find the job
 *          NULL, and the next publication stores it anew.
 *   users  references held by helpers; seq_cst increment (see job), seq_cst
 *          decrement: its release half pairs with the owner's acquire read
 *          when it drains (everything a helper wrote for the job happens
 *          before the owner returns), and it is seq_cst because the helper
 *          then reads parked (see parked).
 *   parked the owner sleeps on users; seq_cst store before its last look at
 *          users, seq_cst load by a helper after its decrement to 0
 *          (Dekker pair: one of the two sees the other).
 *
 * users and parked (struct wq__refs) sit on one of two cache lines, chosen
 * once per pool (wq__slot_refs): on job's line ("near") in a pool of two
 * threads, on a line of their own ("apart") in a larger one.  The near
 * line holds everything one helper touches, so its join moves one line;
 * apart, the line that every thread looking for work reads (job, hint)
 * no longer takes each helper's two locked instructions and the owner's
 * polling.  Measured with an empty loop, publication to join: on a
 * 16-core Intel Xeon host, 16 threads, 8.4 us on one line (the lanes'
 * closing claims counted there too: 45 locked instructions queued on it),
 * 6.4 us with the count on the loop's own line (loop.h), 5.7 us with the
 * references apart as well (oneTBB 5.3, libomp 3.6); on a 2-CPU AMD host,
 * 2 threads, 0.33 us near and 0.35 us apart.
 */
struct wq__refs {
    _Atomic uint32_t users;
    _Atomic uint32_t parked;
};

struct wq__slot {
    WQ__ALIGNED _Atomic(struct wq__job *) job;
    _Atomic uint32_t hint;
    struct wq__refs near;
    WQ__ALIGNED struct wq__refs apart;
};

/* The board's first segment, inside the pool.  When every slot is taken
 * the board grows by one segment, doubling it: segment k >= 1 holds
 * WQ__BOARD_SLOTS << (k - 1) slots, the first of them slot
 * WQ__BOARD_SLOTS << (k - 1), followed in the same allocation by their
 * bitmap words.  Segments live as long as the pool, as slots must. */
#define WQ__BOARD_WORDS 4
#define WQ__BOARD_SLOTS (64 * WQ__BOARD_WORDS)
/* Segments 1 to 23: 2^31 slots in all, more than int slot numbers need
 * and more memory than an allocation can get before that. */
#define WQ__BOARD_SEGMENTS 24

/* ------------------------------------------------------------------ pool -- */

/* A worker thread and what it is told at start: written before its
 * pthread_create (which orders it before the thread runs), read-only after. */
struct wq__worker {
    pthread_t thread;
    struct wq_pool *pool;
    unsigned slot; /* 1 to size - 1 */
};

struct wq_pool {
    unsigned size;       /* threads including the caller */
    unsigned flags;      /* WQ_FLUSH_DENORMALS */
    /* 1 if the pool has at least two threads and no more than the CPUs it
     * may use: a helper that finds itself on its loop owner's CPU then
     * moves off it (wq__loop_help).  With more threads than CPUs, sharing
     * is the plan, not an accident. */
    int spread;
    /* 1 if the board's reference counts sit apart from their jobs (more
     * than two threads; see struct wq__slot).  Read-only. */
    int refs_apart;
    /* The creating thread's CPU while it started the workers, or -1: a new
     * thread starts on its creator's CPU more often than not, and a worker
     * of a spread pool that finds itself there moves off it. */
    int home_cpu;
    /* Seconds an idle thread spins before parking: at least spin, and a
     * worker up to the window it learns (spin.c), at most spin_max; 0 in
     * spin_max: the window is spin, as the user set it. */
    double spin, spin_max;
    double progress;     /* seconds between progress reports */
    unsigned long forks; /* wq__forks when created: a child sees it differ */
    wq_options opt;      /* as given, for the hooks and names */
    struct wq__worker *workers; /* size - 1 */
    struct wq_pool *orphan; /* a default pool left by fork: the next one */

    /* Bumped (seq_cst) after every publication and at shutdown; idle
     * workers spin on it, then park on it.  Pairs with sleepers: a
     * publisher bumps epoch then reads sleepers; a worker increments
     * sleepers then reads epoch, so either the publisher wakes it or it sees
     * the new epoch and does not sleep (tests/model/park.pml checks that no
     * wake-up is lost, over every interleaving). */
    WQ__ALIGNED _Atomic uint32_t epoch;
    /* The slot of the latest publication that woke workers; shares epoch's
     * cache line, so a worker that sees the epoch move can go straight to
     * the new job without scanning the board.  Stored (relaxed) before the
     * epoch bump, whose seq_cst/acquire pair makes it visible; a stale
     * value only costs the scan. */
    _Atomic int recent;
    WQ__ALIGNED _Atomic uint32_t sleepers;
    /* Set once (seq_cst) by wq_pool_destroy before its final epoch bump. */
    _Atomic int stopping;
    /* Groups created on the pool and not yet destroyed: wq_pool_destroy
     * refuses while any lives.  Incremented relaxed at creation, decremented
     * release when a group is destroyed; read acquire by wq_pool_destroy (the
     * program orders those calls; the orders only make it explicit). */
    _Atomic unsigned groups;

    /* Worker indices held by threads from outside the pool (slot.c): bit k
     * stands for index 0 (k = 0) or size - 1 + k.  Set by CAS (acquire)
     * when such a thread first asks for its index during a call (none
     * free: it gets WQ_NO_INDEX and claims nothing), cleared
     * (release) when that call returns.  The release pairs with the next
     * claimer's acquire, so what one holder wrote into its scratch buffer
     * happens before the next holder of the index uses it. */
    WQ__ALIGNED _Atomic uint64_t callers;
    /* How many outside indices the pool has (wq_options.callers), and the
     * bits of those beyond the first 64, (ncallers - 1) / 64 words
     * allocated at creation, with the protocol of callers.  Read-only
     * pointer and count. */
    _Atomic uint64_t *callers_more;
    unsigned ncallers;

    /* Bit i set while slot i belongs to a job's owner.  Set by CAS
     * (acq_rel) when publishing, cleared (release) after the slot's users
     * have drained; scanners read it relaxed and validate through the slot.
     */
    WQ__ALIGNED _Atomic uint64_t used[WQ__BOARD_WORDS];
    struct wq__slot slots[WQ__BOARD_SLOTS];
    /* The board's bitmap words, WQ__BOARD_WORDS << (segments - 1): grown
     * by CAS (release) after the new segment's pointer is installed, read
     * acquire by every scan and publication, so a slot number below 64 *
     * words has its segment visible.  Segment k's pointer (more[k - 1]) is
     * installed once, by CAS from NULL (release: the segment's zeroed
     * memory before it), and read acquire; freed with the pool. */
    WQ__ALIGNED _Atomic unsigned words;
    _Atomic(struct wq__slot *) more[WQ__BOARD_SEGMENTS - 1];
};

/* The segment (>= 1) that holds slot number n >= WQ__BOARD_SLOTS. */
static inline unsigned wq__board_segment(unsigned n)
{
    return 32u - (unsigned)__builtin_clz(n / WQ__BOARD_SLOTS);
}

/* Board slot `slot`.  The caller knows the slot from a publication or a
 * scan, each of which read words (acquire) after the segment was made. */
static inline struct wq__slot *wq__slot_at(wq_pool *pool, int slot)
{
    unsigned n = (unsigned)slot;
    if (n < WQ__BOARD_SLOTS)
        return &pool->slots[n];
    unsigned k = wq__board_segment(n);
    struct wq__slot *seg = wq__load_acquire(&pool->more[k - 1]);
    return &seg[n - (WQ__BOARD_SLOTS << (k - 1))];
}

/* The reference counts of slot s (see struct wq__slot). */
static inline struct wq__refs *wq__slot_refs(const wq_pool *pool,
                                             struct wq__slot *s)
{
    return pool->refs_apart ? &s->apart : &s->near;
}

/* pool.c */
WQ__HIDDEN int wq__pool_resolve(wq_pool **pool);
WQ__HIDDEN int wq__pool_in_use_here(const wq_pool *pool);
WQ__HIDDEN void wq__pool_wake(wq_pool *pool, int slot, unsigned n);
WQ__HIDDEN extern _Atomic unsigned long wq__forks;

/* queue.c: the job board */
WQ__HIDDEN int wq__board_publish(wq_pool *pool, struct wq__job *job,
                                 uint32_t hint);
WQ__HIDDEN void wq__board_close(wq_pool *pool, int slot, struct wq__job *job);
/* Something an owner does while it waits for helpers: fn(arg), at least
 * every `every` seconds. */
struct wq__tick {
    void (*fn)(void *arg);
    void *arg;
    double every;
};
WQ__HIDDEN void wq__board_retire(wq_pool *pool, int slot,
                                 const struct wq__tick *tick);
WQ__HIDDEN struct wq__job *wq__board_enter(wq_pool *pool, int slot);
WQ__HIDDEN void wq__board_leave(wq_pool *pool, int slot);
WQ__HIDDEN int wq__board_help(wq_pool *pool, unsigned *cursor);
WQ__HIDDEN int wq__board_help_recent(wq_pool *pool);
WQ__HIDDEN void wq__board_free(wq_pool *pool);

/* -------------------------------------------------------- the task ring -- */

/* A bounded multi-producer multi-consumer FIFO of tasks (D. Vyukov's
 * bounded MPMC queue): each cell carries a sequence number that says whose
 * turn it is, so producers and consumers each claim a position with one CAS
 * on their own index and never touch each other's. */
struct wq__task {
    wq_task_fn fn;
    void *arg;
};

struct wq__cell {
    _Atomic size_t seq;
    struct wq__task task;
};

struct wq__ring {
    struct wq__cell *cells;
    size_t mask; /* capacity - 1, capacity a power of two */
    WQ__ALIGNED _Atomic size_t tail; /* next position to push */
    WQ__ALIGNED _Atomic size_t head; /* next position to pop */
};

WQ__HIDDEN int wq__ring_init(struct wq__ring *ring, size_t capacity);
WQ__HIDDEN void wq__ring_fini(struct wq__ring *ring);
WQ__HIDDEN int wq__ring_push(struct wq__ring *ring, const struct wq__task *t);
WQ__HIDDEN int wq__ring_pop(struct wq__ring *ring, struct wq__task *t);

/* ------------------------------------------------------- per-thread state -- */

/* What the calling thread is doing, innermost first: a frame per loop it
 * owns or helps and per task it runs.  A helper's loop frame also points at
 * the owner's frame for that loop (origin): work a helper runs is nested in
 * whatever the owner was doing, on another thread.  The owner stays inside
 * the loop until every helper has left it, so its frames from there down do
 * not change while a helper follows the link; they were written before the
 * loop was published, which orders them before the helper's reads.
 * Following up and origin, wq_pool_destroy refuses a pool that the caller's
 * work is nested in, and wq_group_wait a group whose task it is nested in. */
struct wq__frame {
    wq_pool *pool;
    const struct wq_group *group; /* for a task frame */
    struct wq__frame *up;
    const struct wq__frame *origin; /* a helper's: the owner's loop frame */
    /* The worker index this frame holds for a thread from outside the pool
     * (claimed on the first wq_worker_index, released at pop), or
     * WQ_NO_INDEX.  Only the outermost frame of a pool on a thread holds
     * one; the frames inside it share it. */
    unsigned index;
};

struct wq__thread {
    wq_pool *pool;     /* the pool this thread works for; NULL outside */
    unsigned slot;     /* worker index 1..size-1; 0 outside */
    struct wq__frame *frames;
    /* A worker that helped a loop from its owner's CPU (wq__loop_help)
     * sets crowded; wq__uncrowd (place.c), after it leaves the job, moves
     * it. */
    int crowded;
    double left_at; /* when wq__uncrowd last moved this thread (wq_now) */
    /* As a loop owner: when the streak of this thread's loops that no
     * helper joined began (wq_now), 0 if its latest loop had a helper or
     * it has just yielded (wq__owner_yield). */
    double unhelped;
};

WQ__HIDDEN extern _Thread_local struct wq__thread wq__self;

/* slot.c: give back an index a frame claimed; set up a pool's n outside
 * indices (0 or ENOMEM) and free them. */
WQ__HIDDEN void wq__index_release(wq_pool *pool, unsigned index);
WQ__HIDDEN int wq__callers_init(wq_pool *pool, unsigned n);
WQ__HIDDEN void wq__callers_fini(wq_pool *pool);

static inline void wq__frame_push(struct wq__frame *f, wq_pool *pool,
                                  const struct wq_group *group,
                                  const struct wq__frame *origin)
{
    f->pool = pool;
    f->group = group;
    f->up = wq__self.frames;
    f->origin = origin;
    f->index = WQ_NO_INDEX;
    wq__self.frames = f;
}

static inline void wq__frame_pop(struct wq__frame *f)
{
    wq__self.frames = f->up;
    if (f->index != WQ_NO_INDEX)
        wq__index_release(f->pool, f->index);
}

/* True if the calling thread's work is nested, on this thread or through
 * the owners of the loops it helps, in a loop or task of pool (if not NULL)
 * or in a task of group (if not NULL). */
WQ__HIDDEN int wq__nested_in(const wq_pool *pool,
                             const struct wq_group *group);

/* Record rc in *first unless it is 0 or a result is there already: the
 * first non-zero result of a loop's pieces or a group's tasks.  Relaxed:
 * whoever reads it is ordered after the writers by other means. */
static inline void wq__keep_first(_Atomic int *first, int rc)
{
    int none = 0;
    if (rc)
        wq__cas_strong_relaxed(first, &none, rc);
}

/* spin.c: spin for the pool's base window, calling done(arg) between
 * pauses; true as soon as it returns true, false when the window has
 * passed. */
WQ__HIDDEN int wq__spin_until(const wq_pool *pool, int (*done)(void *),
                              void *arg);

/* spin.c: a loop's owner waiting for its helpers to leave: spin as
 * wq__spin_until does, for the learned cap when the pool learns, but no
 * longer than most seconds if most > 0. */
WQ__HIDDEN int wq__spin_join(const wq_pool *pool, double most,
                             int (*done)(void *), void *arg);

/* An idle worker's spin window (spin.c), the worker's alone. */
struct wq__idle {
    double since;   /* when it last ran out of work (wq_now); 0: working */
    double noticed; /* when it saw new work announced; 0: unknown */
    double window;  /* how long after since it spins before it parks */
    int parked;     /* the last wait ended in a park, not a spin */
};

/* Spin as wq__spin_until does, but until idle->since + idle->window if
 * that is later; records in idle->noticed when done returned true. */
WQ__HIDDEN int wq__idle_spin(const wq_pool *pool, struct wq__idle *idle,
                             int (*done)(void *), void *arg);
/* The worker found work after its idle period: learn the next window from
 * how long the period lasted (since to noticed), and start working. */
WQ__HIDDEN void wq__idle_learn(const wq_pool *pool, struct wq__idle *idle);
/* The worker saw work announced (idle->noticed) but found none left: start
 * the idle period afresh from then.  If it had spun, it lost a race to
 * other threads and its window shrinks; if it had parked, it was woken too
 * late to help, and the window is learnt from the period as
 * wq__idle_learn does. */
WQ__HIDDEN void wq__idle_miss(const wq_pool *pool, struct wq__idle *idle);

#endif /* WQ_INTERNAL_H */
