/*
 * wq.h - make an independent-iteration loop parallel.
 *
 * This header is the whole public API of wq and its manual.  Every function
 * returns 0 or a positive errno code, as pthreads do, and never sets errno:
 *
 *   EINVAL   an argument is invalid (NULL callback, NULL output, overflow);
 *            no callback of that call has run.
 *   ENOMEM   memory could not be allocated; no callback has run.
 *   EAGAIN   threads could not be created (wq_pool_create only).
 *   EDEADLK  a group was waited on from inside one of its own tasks.
 *
 * "Inside" a callback or task means on its thread or in any work it waits
 * for: the pieces of a loop it runs count as inside it, on whichever thread
 * of the pool they run.
 *   ECHILD   the pool (or the group's pool) was created before fork() and
 *            this is the child: its threads do not exist here.  Every call
 *            on it answers ECHILD at once, and wq_pool_destroy and
 *            wq_group_destroy free it without waiting.  (The default pool
 *            is recreated in a child instead, so NULL keeps working.)
 *            A child forked from inside a callback must leave by exec or
 *            _exit, never by returning from the callback: the call it would
 *            return into waits for threads the child does not have.
 *   other    the first non-zero value a callback returned.
 *
 * A NULL pool stands for the process-wide default pool, created on first use
 * with default options.  Every function may be called from any thread,
 * including from inside a callback running on the same pool (nesting): a
 * thread that waits for work helps run it, so nested calls always complete.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifndef WQ_H
#define WQ_H

#include <stddef.h>

#include "wq/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define WQ_EXPORT
#elif defined(__GNUC__) && __GNUC__ >= 4
#define WQ_EXPORT __attribute__((visibility("default")))
#else
#define WQ_EXPORT
#endif

/* ---------------------------------------------------------------- pools -- */

/* An opaque pool of threads.  A pool of size N runs N-1 worker threads; the
 * thread that calls a loop on it works too, as an OpenMP master thread does. */
typedef struct wq_pool wq_pool;

/* Pool options.  A zeroed struct means every default; more fields may be
 * added at any time, always with zero meaning "default", so initialise with
 * `wq_options opt = {0};` and set only the fields you need. */
typedef struct wq_options {
    /* Threads including the caller.  0: the environment variable
     * WQ_NUM_THREADS if it holds a positive integer, else wq_cpu_count(). */
    unsigned threads;

    /* How long an idle thread spins before it sleeps, in microseconds.
     * Spinning buys a faster start of the next loop at the price of CPU
     * time; an idle pool uses no CPU once it has passed.  Positive: that
     * long; negative: sleep at once; 0: the environment variable
     * WQ_SPIN_US if set, else WQ_SPIN_US_DEFAULT in a pool of more
     * threads than CPUs (where a spinning worker would take the CPU its
     * caller needs), and otherwise learned: a worker spins at least
     * WQ_SPIN_US_DEFAULT, and while the pool's loops keep coming at most
     * WQ_SPIN_US_LEARNED_MAX apart, about 1.5 times as long as the latest
     * pause between them, so that it spins through the serial steps of a
     * solver's iterations instead of being woken for every loop.  After a
     * longer pause it falls back to WQ_SPIN_US_DEFAULT, so an idle pool
     * stops spinning at most WQ_SPIN_US_LEARNED_MAX after its last loop. */
    int spin_us;

    /* Stack size of each worker thread in bytes; 0: the system default.
     * Values below PTHREAD_STACK_MIN are raised to it. */
    size_t stack_size;

    /* Worker threads are named "<name>-<slot>" (visible in top -H and in
     * debuggers, truncated to 15 bytes); NULL: "wq". */
    const char *name;

    /* Called on each worker thread when it starts, before it runs any work,
     * and when it stops; slot is the worker's index, 1 to size-1 (Python's
     * Pool initializer).  Either may be NULL.  A pool with no more threads
     * than CPUs moves a worker that it finds on the CPU of the thread whose
     * loop it helps to another CPU of the worker's affinity mask, and
     * leaves the mask as it was; a worker pinned to one CPU (here, say)
     * never moves. */
    void (*on_start)(void *hook_arg, unsigned slot);
    void (*on_stop)(void *hook_arg, unsigned slot);
    void *hook_arg;

    /* WQ_FLUSH_DENORMALS: callbacks run with denormals flushed to zero (on
     * x86-64 SSE and AArch64), on every thread, for the duration of a call. */
    unsigned flags;

    /* Progress of long loops.  When on_progress is set, every wq_for, wq_map
     * and wq_reduce (and wq_scan, as its comment says) called on the pool from outside its callbacks (nested
     * loops never report) calls on_progress(progress_arg, done, total) on
     * the calling thread: at most once every progress_ms milliseconds (0:
     * WQ_PROGRESS_MS_DEFAULT) while the loop runs, between the caller's own
     * pieces and while it waits for the other threads' last pieces; then,
     * if the loop succeeded, once more with done == total.  total is the
     * loop's n; done counts the iterations of finished pieces and never
     * decreases.  Reports come between pieces, so a long piece delays them;
     * a loop of n == 0, or one a callback stopped, gets no final report.
     * on_progress runs inside the call as a callback does (it may call wq);
     * keep it short, since the caller does no work meanwhile. */
    void (*on_progress)(void *progress_arg, size_t done, size_t total);
    void *progress_arg;
    size_t progress_ms;

    /* Threads from outside the pool that can hold a worker index of it at
     * once (see wq_worker_index), at most WQ_CALLERS_LIMIT.  0: the
     * environment variable WQ_CALLERS if it holds a positive integer up to
     * WQ_CALLERS_LIMIT, else WQ_CALLERS_MAX.  Each costs a bit, and one
     * more entry in scratch arrays of wq_pool_slots() entries. */
    unsigned callers;

    /* Reserved: keep zero.  Room for the fields to come; the struct keeps
     * its size as fields take their place. */
    void *reserved[4];
} wq_options;

#define WQ_SPIN_US_DEFAULT 100
#define WQ_SPIN_US_LEARNED_MAX 20000
#define WQ_PROGRESS_MS_DEFAULT 100
#define WQ_FLUSH_DENORMALS 0x1u
/* The largest pool wq_pool_create accepts. */
#define WQ_THREADS_MAX 1024u

/* Create a pool.  opt may be NULL (every default).  All threads are created
 * here; no later call creates a thread or allocates on the hot path of a loop.
 * Returns 0, EINVAL (pool NULL, threads above WQ_THREADS_MAX, callers above
 * WQ_CALLERS_LIMIT, a reserved field set), ENOMEM, or EAGAIN (a thread could
 * not be created, for instance beyond the system's thread limit or with a
 * stack_size no memory can hold; none is left running).  Thread-safe. */
WQ_EXPORT int wq_pool_create(wq_pool **pool, const wq_options *opt);

/* Stop and join the pool's threads and free it.  NULL destroys the default
 * pool (if it was created), which the next call with a NULL pool creates
 * afresh.  No loop may be running on the pool and no other thread may use
 * it during or after the call; for the default pool that means no call with
 * a NULL pool in any other thread meanwhile (nothing guards against one, so
 * code that shares the default pool with code it does not control, a
 * library say, should leave it alone: it is never freed otherwise, and
 * stays reachable).  It does nothing (the pool is in use, and stays usable)
 * when called from inside a callback or task running on that same pool or
 * from one of its worker hooks, or while a group of the pool has not been
 * destroyed; since wq_group_destroy finishes a group's tasks, no task is
 * ever left queued when a pool is freed. */
WQ_EXPORT void wq_pool_destroy(wq_pool *pool);

/* Threads of the pool, the caller included; NULL: the default pool's
 * (created if needed; 0 if it cannot be).  Thread-safe. */
WQ_EXPORT unsigned wq_pool_size(const wq_pool *pool);

/* CPUs this process may use: the smaller of the affinity mask's count and the
 * cgroup (v1 or v2) CPU quota rounded up, never below 1.  It ignores
 * WQ_NUM_THREADS.  Thread-safe. */
WQ_EXPORT unsigned wq_cpu_count(void);

/* Monotonic wall-clock time in seconds, for timing loops.  A CPU-time clock
 * (clock(), Python's time.clock) adds the time of every thread and so makes a
 * parallel loop look slower than it is. */
WQ_EXPORT double wq_now(void);

/* Text for a code returned by this library: its errno text (strerror), or a
 * wq-specific text.  Never NULL; thread-safe. */
WQ_EXPORT const char *wq_strerror(int code);

/* ---------------------------------------------------------------- loops -- */

/* Parallel for: the parallel version of
 *
 *     for (size_t i = 0; i < n; i += chunk) body(ctx, i, min(i + chunk, n));
 *
 * body is called on disjoint, non-empty pieces [begin, end) that together
 * cover [0, n) exactly once, from any thread of the pool, in any order.
 *
 * chunk   the length of each piece (the last may be shorter): the unit of
 *         scheduling, as Python's chunksize.  Each chunk is claimed on its
 *         own, so a chunk that is slow, or that waits for other chunks to
 *         run, delays only itself: every chunk not yet started can be taken
 *         by an idle thread.  0: wq picks the pieces, large
 *         first and smaller towards the end of each thread's share, stealing
 *         from busy threads, which balances uneven iterations untuned.
 * ctx     passed to body untouched.
 *
 * A loop of one piece runs on the calling thread without waking any other; a
 * loop of k pieces wakes at most k-1 threads.  If body returns non-zero, no
 * further piece starts; wq_for returns the first such value once the pieces
 * already running have finished.  Returns 0, EINVAL (body NULL; nothing
 * runs), ENOMEM/EAGAIN (the default pool could not be created), ENOMEM
 * (the job board had to grow and could not; nothing runs), or body's
 * value.  Thread-safe and re-entrant: body may call any wq function.
 *
 * The job board.  A loop of more than one piece on a pool of more than one
 * thread takes a slot on the pool's job board while it runs, and a group
 * holds one for its life (not on a pool of one thread); other threads find
 * work there.  The board starts with 256 slots and, when a loop or group
 * finds all of them taken, doubles (one allocation, kept until the pool is
 * destroyed), so any number of loops and groups at once get help; the only
 * limit is memory, answered with ENOMEM by wq_for, wq_map, wq_reduce and
 * wq_group_create. */
typedef int (*wq_range_fn)(void *ctx, size_t begin, size_t end);
WQ_EXPORT int wq_for(wq_pool *pool, size_t n, size_t chunk, wq_range_fn body,
                     void *ctx);

/* Parallel map: the parallel version of
 *
 *     for (size_t i = 0; i < n; i++)
 *         fn(ctx, (char *)in + i * in_size, (char *)out + i * out_size);
 *
 * in and out are arrays of n elements with strides in_size and out_size in
 * bytes (Python's Pool.map; Pool.starmap is a map over an array of argument
 * structs).  in may be NULL with in_size 0 (fn then gets in == NULL).  With
 * n == 0 nothing is read or written, so in and out may both be NULL, whatever
 * the strides (fn must still be given).  chunk as in wq_for.  Returns 0,
 * EINVAL (fn NULL; or, with n > 0, out NULL, in NULL with in_size non-zero,
 * n * in_size or n * out_size overflowing; nothing runs), or the first
 * non-zero value fn returned: then no further call of fn starts, and the
 * elements it did not run on are left unwritten; ENOMEM as wq_for. */
typedef int (*wq_map_fn)(void *ctx, const void *in, void *out);
WQ_EXPORT int wq_map(wq_pool *pool, size_t n, size_t chunk, const void *in,
                     size_t in_size, void *out, size_t out_size, wq_map_fn fn,
                     void *ctx);

/* ---------------------------------------------------------- tiled loops -- */

/* The most dimensions wq_for_nd takes. */
#define WQ_DIMS_MAX 8u

/* Tiled 2-D loop: the parallel version of
 *
 *     for (size_t i = 0; i < ni; i += tile_i)
 *         for (size_t j = 0; j < nj; j += tile_j)
 *             body(ctx, i, min(i + tile_i, ni), j, min(j + tile_j, nj));
 *
 * body is called once per tile [i0, i1) x [j0, j1): the tiles are
 * non-empty, disjoint and cover [0, ni) x [0, nj) exactly once, their
 * corners are multiples of the tile (the last tile of a row or column is
 * clipped), and they run on any thread of the pool, in any order.  For a
 * row-major array a[ni][nj], tile_j = nj makes each tile whole rows, one
 * stretch of memory.
 *
 * tile_i, tile_j  the tile's extent in each dimension; one larger than the
 *         size is the whole size; 0: wq chooses, as wq_for_nd says.
 *
 * Tiles are the unit of scheduling, claimed as wq_for claims its chunks:
 * one tile a claim, so a slow tile delays only itself; a loop of one tile
 * runs on the calling thread.  Stops, nesting, several callers and
 * progress reports as in wq_for, with done and total counted in tiles.
 * Returns 0 (also for ni or nj 0: nothing runs), EINVAL (body NULL, ni *
 * nj overflowing size_t; nothing runs), ENOMEM/EAGAIN/ECHILD as wq_for, or
 * body's first non-zero value.  Thread-safe and re-entrant, as wq_for. */
typedef int (*wq_range2d_fn)(void *ctx, size_t i0, size_t i1, size_t j0,
                             size_t j1);
WQ_EXPORT int wq_for_2d(wq_pool *pool, size_t ni, size_t nj, size_t tile_i,
                        size_t tile_j, wq_range2d_fn body, void *ctx);

/* Tiled loop over dims dimensions, row-major (the last dimension varies
 * fastest), on the same mechanism as wq_for_2d: wq_for_2d(pool, ni, nj,
 * ti, tj, body, ctx) is wq_for_nd over n = {ni, nj}, tile = {ti, tj}.
 * body receives a tile's corners: it covers begin[k] <= x[k] < end[k] for
 * each k < dims.  begin and end are arrays of dims entries, valid during
 * that call of body only.
 *
 * n       dims sizes; read during the call only.
 * tile    dims tile extents (as tile_i in wq_for_2d), read during the call
 *         only; NULL: wq chooses every one.
 *
 * How wq chooses a tile extent of 0.  It keeps every dimension whole,
 * then cuts them from the first (outermost) in, only as far as needed for
 * 32 tiles a thread of the pool (one tile on a pool of one thread): the
 * last dimension stays whole, so a tile is whole rows of a row-major
 * array, one stretch of memory, unless the other dimensions cannot give
 * that many tiles; the tiles are then equal in size, bar the clipped last
 * ones.  Extents given are kept and count towards the tiles.
 *
 * Returns 0 (also when any n[k] is 0: nothing runs), EINVAL (body or n
 * NULL, dims 0 or above WQ_DIMS_MAX, a product of the sizes overflowing
 * size_t; nothing runs), or as wq_for_2d.  Thread-safe and re-entrant, as
 * wq_for. */
typedef int (*wq_rangend_fn)(void *ctx, const size_t *begin,
                             const size_t *end);
WQ_EXPORT int wq_for_nd(wq_pool *pool, unsigned dims, const size_t *n,
                        const size_t *tile, wq_rangend_fn body, void *ctx);

/* ------------------------------------------------------------ reduction -- */

/* A reduction: how to make, grow and join partial results.
 *
 * size     bytes of one partial (wq aligns partials to 64 bytes and keeps
 *          partials of different threads on different cache lines).
 * init     partial = the identity of the operation.
 * fold     partial = partial (+) the iterations [begin, end); may return
 *          non-zero to stop the reduction, as a wq_for body.
 * combine  partial = partial (+) other.  Must be associative; it need not be
 *          commutative: partial always covers iterations before other's.
 */
typedef struct wq_reducer {
    size_t size;
    void (*init)(void *ctx, void *partial);
    int (*fold)(void *ctx, size_t begin, size_t end, void *partial);
    void (*combine)(void *ctx, void *partial, const void *other);
} wq_reducer;

/* Parallel reduce: *result = init (+) fold([0, n)), where [0, n) is cut into
 * blocks fixed by (n, chunk, r->size) alone, each block is folded piece by
 * piece into its own partial, and the partials are combined left to right.
 * The result is therefore bitwise identical for every pool size and every
 * run: a floating-point sum does not change with the thread count.
 *
 * chunk   the length of the pieces handed to fold.  0: wq picks (one block
 *         per item up to 512 items, each block folded in one call).
 * result  r->size bytes, written on success; its previous contents are not
 *         read.  On failure its contents are unspecified.
 *
 * The blocks are those of wq_plan_init(n, chunk, r->size) (see below): 512
 * at most up to n = 2^23, then one per 2^14 items up to 65536.  Memory: one
 * 64-byte-aligned partial per block (4 MiB at most; fewer blocks for
 * partials over 2 KiB, about 1 MiB in all); up to 4 KiB of it on the stack,
 * beyond that from malloc.  Returns 0, EINVAL (r, result or a callback NULL,
 * r->size 0), ENOMEM (including an r->size too large for the partials to be
 * allocated), or the first non-zero value fold returned.  init and combine
 * run inside the call as fold does: init and the combines into result on
 * the calling thread; with groups (over 512 blocks), each group's combines
 * on whichever thread of the pool folds its last block. */
WQ_EXPORT int wq_reduce(wq_pool *pool, size_t n, size_t chunk,
                        const wq_reducer *r, void *ctx, void *result);

/* ----------------------------------------------------- reduction plans -- */

/* The plan of a reduction: the blocks wq_reduce cuts [0, n) into and the
 * order their partials are combined in, fixed by (n, chunk, size) alone.
 * With it, a caller can fold some of the blocks here and others elsewhere
 * (another process, another machine: libwq-mpi does) and still get bit for
 * bit what wq_reduce gives:
 *
 *     wq_plan p;
 *     wq_plan_init(&p, n, chunk, r->size);
 *     // partials: p.blocks * p.stride bytes, 64-byte aligned
 *     wq_reduce_blocks(pool, &p, 0, p.blocks, r, ctx, partials);
 *     wq_reduce_combine(pool, &p, r, ctx, partials, result);
 *
 * is wq_reduce(pool, n, chunk, r, ctx, result), and any split of [0, blocks)
 * into calls of wq_reduce_blocks, in any order, on any pools, gives the same
 * partials.  Block b covers the items wq_plan_block gives, in index order:
 * one call of fold for chunk 0, else pieces of chunk items.  The combine
 * follows a fixed two-level tree: the blocks fall into groups of `group`
 * consecutive blocks (the last may have fewer), each group's partials are
 * combined left to right into its first block's partial, and the result is
 * init combined with the groups' partials left to right:
 *
 *     G_k    = P[k*group] (+) P[k*group + 1] (+) ... (+) P[k*group + group-1]
 *     result = ((init (+) G_0) (+) G_1) (+) ... (+) G_(groups-1)
 *
 * so combine always has the earlier partial first.  A plan of up to 512
 * blocks has groups of one block: every partial, left to right.
 *
 * The fields are set by wq_plan_init and read-only; the functions below
 * answer EINVAL to a plan that wq_plan_init would not make. */
typedef struct wq_plan {
    size_t n, chunk, size; /* what the plan is for (size: bytes of a partial) */
    size_t blocks;         /* blocks, 0 only for n == 0 */
    size_t per;            /* chunk > 0: chunks a block (the last: fewer) */
    size_t group;          /* blocks a group, 1 up to 512 blocks */
    size_t groups;         /* groups: ceil(blocks / group), at most 512 */
    size_t stride;         /* size rounded up to a multiple of 64 */
} wq_plan;

/* Make the plan of a reduction of n items in pieces of chunk (0: wq picks,
 * as in wq_reduce) with partials of size bytes.  Returns 0, EINVAL (plan
 * NULL, size 0) or ENOMEM (blocks * stride overflows size_t).  Pure: the
 * same arguments give the same plan in every process of every machine that
 * runs this version of wq.  Thread-safe. */
WQ_EXPORT int wq_plan_init(wq_plan *plan, size_t n, size_t chunk,
                           size_t size);

/* The items [*begin, *end) of block `block` of plan: blocks are non-empty,
 * in index order, and together cover [0, n) exactly once.  Returns 0 or
 * EINVAL (plan not made by wq_plan_init, block >= plan->blocks, begin or
 * end NULL).  Thread-safe. */
WQ_EXPORT int wq_plan_block(const wq_plan *plan, size_t block, size_t *begin,
                            size_t *end);

/* Fold blocks [first, last) of plan on pool: the parallel version of
 *
 *     for (size_t b = first; b < last; b++) {
 *         void *p = (char *)partials + (b - first) * plan->stride;
 *         r->init(ctx, p);
 *         for each piece [lo, hi) of block b: r->fold(ctx, lo, hi, p);
 *     }
 *
 * partials holds last - first partials plan->stride bytes apart, aligned as
 * the partial's type needs (64 bytes keeps blocks of different threads off
 * one cache line).  Each partial is bitwise what wq_reduce computes for
 * that block, whatever the pool.  If fold returns non-zero, no further
 * block or piece starts and the call returns that value (the partials are
 * then unspecified).  Returns 0 (first == last: nothing runs), EINVAL
 * (plan invalid, r invalid as for wq_reduce or r->size != plan->size,
 * first > last, last > plan->blocks, partials NULL; nothing runs), ENOMEM
 * or EAGAIN (the default pool could not be created), ECHILD, or fold's
 * value.  Thread-safe and re-entrant, as wq_for. */
WQ_EXPORT int wq_reduce_blocks(wq_pool *pool, const wq_plan *plan,
                               size_t first, size_t last, const wq_reducer *r,
                               void *ctx, void *partials);

/* Combine the partials of every block of plan (plan->blocks partials
 * plan->stride bytes apart, as wq_reduce_blocks leaves them) along the
 * plan's tree into *result: groups on the pool's threads, in place (the
 * first partial of each group ends up holding the group's), then init and
 * the groups left to right on the calling thread.  With plan->blocks == 0
 * (n == 0) it only sets result to init.  Returns 0, EINVAL (plan or r
 * invalid as for wq_reduce_blocks, result NULL, partials NULL with blocks;
 * nothing runs), ENOMEM or EAGAIN (default pool), or ECHILD.  Thread-safe
 * and re-entrant, as wq_for. */
WQ_EXPORT int wq_reduce_combine(wq_pool *pool, const wq_plan *plan,
                                const wq_reducer *r, void *ctx, void *partials,
                                void *result);

/* ----------------------------------------------------------------- scan -- */

/* A scan (prefix): a reduction whose running value is handed to the code
 * that writes the outputs.  size, init, fold and combine are those of a
 * wq_reducer (combine associative, not necessarily commutative, called with
 * the earlier partial first), and:
 *
 * scan     write the outputs of the iterations [begin, end); on entry
 *          running holds the prefix of [0, begin) (init (+) everything
 *          before begin), and scan must leave it holding the prefix of
 *          [0, end), as fold would leave it.  May return non-zero to stop,
 *          as fold.
 *
 * Partials are copied with memcpy: plain bytes, with no pointer into
 * themselves. */
typedef struct wq_scanner {
    size_t size;
    void (*init)(void *ctx, void *partial);
    int (*fold)(void *ctx, size_t begin, size_t end, void *partial);
    void (*combine)(void *ctx, void *partial, const void *other);
    int (*scan)(void *ctx, size_t begin, size_t end, void *running);
} wq_scanner;

/* Parallel scan: the parallel version of
 *
 *     s->init(ctx, running);
 *     for (size_t i = 0; i < n; i += chunk)
 *         s->scan(ctx, i, min(i + chunk, n), running);
 *     *total = running;
 *
 * for an inclusive prefix sum out[i] = in[0] + ... + in[i], say, scan adds
 * in[begin..end) one by one to running and stores each sum into out; an
 * exclusive one stores before adding.  A cumulative histogram or stream
 * compaction (the items that pass a test, kept in order: fold counts them,
 * scan writes them from position running) is a scan too.
 *
 * [0, n) is cut into the blocks of wq_plan_init(n, chunk, s->size), as
 * wq_reduce cuts it.  The blocks are folded in parallel into partials,
 * the partials combined on the calling thread into each block's prefix
 * (with the total along wq_reduce's tree), and the blocks scanned in
 * parallel, each from its prefix, piece by piece in index order (pieces of
 * chunk items; one piece a block for chunk 0).  So scan is called on
 * pieces that cover [0, n) exactly once, and the prefix each piece gets is
 * fixed by (n, chunk, s->size) alone: every output is bitwise identical for
 * every pool size and every run, though it may differ in its last bits
 * from the serial loop's (and between chunks).
 *
 * The input is read twice, by fold then by scan, except for the first
 * block (only scanned, from init) and, when total is NULL, the last (only
 * scanned).  A plan of up to 512 blocks (n up to 2^23 for chunk 0) is
 * folded in one parallel loop and scanned in a second, so the second read
 * comes from memory again unless the input fits in the caches.  A larger
 * plan runs in waves of about 4 blocks a thread of the pool, each folded
 * then scanned on about the same threads, so the second read comes from
 * the thread's cache and the input is read from memory once (the outputs
 * do not change).  A plan of one block (n == 1 for chunk 0, n <= chunk
 * else) is scanned on the calling thread without a fold.
 *
 * chunk   as in wq_reduce.
 * total   s->size bytes: *total = init (+) fold([0, n)), bitwise what
 *         wq_reduce(pool, n, chunk, r, ctx, total) gives with r the
 *         scanner's size, init, fold and combine (when scan leaves running
 *         as fold would); NULL when not wanted.  Not read; unspecified
 *         after a failure.
 *
 * Memory: the partials of wq_reduce plus one or two (on the stack up to 4
 * KiB in all, beyond that one malloc).  Returns 0, EINVAL (s, or one of
 * its callbacks, NULL, s->size 0; nothing runs), ENOMEM, ENOMEM/EAGAIN
 * (the default pool could not be created), ECHILD, or the first non-zero
 * value fold or scan returned: then no further piece starts, and outputs
 * of pieces that did not run are left unwritten.  With n == 0 it sets
 * *total to init (if total is given) and calls nothing else.  Progress
 * (wq_options.on_progress) counts the items whose outputs are written, out
 * of n: reports come while the blocks are scanned (not while they are
 * folded), then once with done == n.  Callbacks run inside the call as in
 * wq_reduce: the combines (and init into total) on the calling thread,
 * init of each block's partial, fold and scan on any thread of the pool,
 * with denormals flushed under WQ_FLUSH_DENORMALS.  Thread-safe and
 * re-entrant, as wq_for. */
WQ_EXPORT int wq_scan(wq_pool *pool, size_t n, size_t chunk,
                      const wq_scanner *s, void *ctx, void *total);

/* --------------------------------------------------------------- groups -- */

/* A group of submitted tasks to wait on: Python's Pool.apply_async. */
typedef struct wq_group wq_group;
typedef int (*wq_task_fn)(void *arg);

/* Create an empty group on pool (NULL: the default pool).  Returns 0, EINVAL
 * (group NULL), ENOMEM (including a job board that could not grow: see
 * wq_for). */
WQ_EXPORT int wq_group_create(wq_group **group, wq_pool *pool);

/* Queue fn(arg) to run on the pool.  Never drops a task and never blocks for
 * long: when the group's queue is full, the caller runs queued tasks itself
 * until there is room.  (A pool of one thread has no other thread to run
 * tasks: there the caller runs each task before submit returns.)  May be
 * called from several threads at once, including from the group's own
 * tasks.  Returns 0 or EINVAL (group or fn NULL). */
WQ_EXPORT int wq_group_submit(wq_group *group, wq_task_fn fn, void *arg);

/* Wait until every task submitted so far has finished, running queued tasks
 * on the calling thread meanwhile (only tasks of this group, so a wait never
 * picks up unrelated work).  Returns 0, the first non-zero value a task
 * returned since the previous wait (tasks are never cancelled), EINVAL
 * (group NULL), or EDEADLK if called from inside one of the group's own tasks
 * (which could never finish), including from a piece of a loop that such a
 * task runs, on any thread. */
WQ_EXPORT int wq_group_wait(wq_group *group);

/* Wait for the group's tasks as wq_group_wait does, then free it.  NULL does
 * nothing.  From inside one of its own tasks (as wq_group_wait counts it)
 * it does nothing. */
WQ_EXPORT void wq_group_destroy(wq_group *group);

/* --------------------------------------------------------- worker slots -- */

/* Threads from outside a pool that can hold a worker index of it at once,
 * unless wq_options.callers (or WQ_CALLERS) says otherwise; see
 * wq_worker_index for what the next one gets. */
#define WQ_CALLERS_MAX 64u
/* The most wq_options.callers may ask for. */
#define WQ_CALLERS_LIMIT 65536u
/* What wq_worker_index() returns outside every call and hook, and to an
 * outside thread beyond the pool's callers. */
#define WQ_NO_INDEX (~0u)

/* The calling thread's index in the pool whose callback it is running, for
 * per-thread scratch buffers: scratch[wq_worker_index()] with an array of
 * wq_pool_slots(pool) entries.  At any moment no two threads running
 * callbacks (or hooks) of one pool hold the same index, so that entry is
 * private to the calling thread while the callback runs.
 *
 *   - A worker thread has its fixed slot, 1 to size-1: the slot its
 *     on_start and on_stop hooks receive (this returns it there too).
 *   - A thread from outside the pool (one that called wq_for, wq_map or
 *     wq_reduce, or that runs group tasks inside wq_group_submit or
 *     wq_group_wait) gets 0 or an index from size to
 *     size + callers - 2 (callers: the pool's wq_options.callers, by
 *     default WQ_CALLERS_MAX), taken the first time it asks during a call
 *     and held until that call returns (the outermost one on that pool, if
 *     calls nest).  Several outside threads inside one pool at once thus
 *     never share an index; the first usually gets 0.  Passing an index on
 *     orders its holders: what the first wrote into its scratch happens
 *     before the next holder's use of it.
 *   - At most callers outside threads hold an index of one pool at once.
 *     While they all do, any other outside thread that asks gets
 *     WQ_NO_INDEX at once (it never waits: a holder may be waiting for it)
 *     and asks afresh at its next call of wq_worker_index.  A program whose
 *     callbacks may run in more outside threads at once (a thread per
 *     request, say) raises callers to its thread count, or checks for
 *     WQ_NO_INDEX and uses other storage then.
 *
 * The index belongs to the thread, not to the call: a callback that calls
 * wq on the same pool shares its index with the nested callbacks that run
 * on its thread meanwhile, so hold no scratch across a nested call.  Inside
 * a callback of pool B running within a callback of pool A, it is the index
 * in B.  Outside every call and hook it returns WQ_NO_INDEX.  Cheap (a
 * thread-local look-up, and one CAS the first time an outside thread asks
 * during a call), never allocates, never blocks. */
WQ_EXPORT unsigned wq_worker_index(void);

/* The bound of wq_worker_index() on pool: wq_pool_size(pool) + callers - 1
 * (WQ_CALLERS_MAX - 1 by default); every index it returns other than
 * WQ_NO_INDEX is below it.  NULL: the default pool (created if needed; 0 if
 * it cannot be).  Fill scratch arrays lazily: most upper entries are used
 * only when several outside threads call at once.  Thread-safe. */
WQ_EXPORT unsigned wq_pool_slots(const wq_pool *pool);

/* -------------------------------------------------------------- version -- */

/* The library's version as "MAJOR.MINOR.PATCH", which may differ from the
 * WQ_VERSION_STRING this program was compiled against. */
WQ_EXPORT const char *wq_version_string(void);
/* The same as (MAJOR << 16) | (MINOR << 8) | PATCH. */
WQ_EXPORT unsigned wq_version(void);

#ifdef __cplusplus
}
#endif

#endif /* WQ_H */
