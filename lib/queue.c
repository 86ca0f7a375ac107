/*
 * queue.c - the lock-free structures that carry work to threads: the job
 * board (loops and groups) and the task ring (a group's queued tasks).
 *
 * The job board.  A loop is not a message for one consumer: every thread
 * should be able to join it until its range runs out.  So a job is published
 * on a board slot rather than pushed into a FIFO, and stays there until its
 * owner retires it.  Publishing is one CAS on a bitmap; joining is one
 * increment of the slot's reference count; nothing on the path takes a lock.
 *
 * Why a helper can never touch a finished job (the slot protocol):
 *   owner:  job = NULL (seq_cst)   ...   wait until users == 0
 *   helper: users++ (seq_cst)      ...   j = job (seq_cst); use j if non-NULL
 * The four accesses are seq_cst, so they are totally ordered: if the helper's
 * load comes first it sees the job and its reference is visible to the
 * owner's wait; if the owner's store comes first the helper sees NULL (or a
 * later job published on the reused slot, which is alive).  This is the
 * store-buffering (Dekker) pattern, and it is why the orders must be seq_cst.
 *
 * Each operation, where it takes effect and what it may wait for:
 *   publish  at its successful CAS on the bitmap (the slot is the owner's),
 *            visible to helpers at the release store of job.  Lock-free: a
 *            CAS fails only when another CAS on the same word succeeded; a
 *            full board is grown (wq__board_grow, lock-free too), never
 *            waited on, and only a failed allocation is reported (ENOMEM).
 *   enter    at its seq_cst load of job, after the increment of users: it
 *            gets NULL, or a job whose owner will wait for this reference.
 *            Wait-free (two atomic steps).
 *   close    at its CAS of job to NULL; a no-op if the job already left.
 *            Wait-free.
 *   leave    at its decrement of users; wakes the owner if it was the last
 *            reference and the owner parked.  Wait-free.
 *   retire   at its seq_cst store of NULL (no helper joins afterwards); then
 *            it waits, blocking by nature (this is the join of fork-join),
 *            only for helpers already inside the job, each running a piece
 *            of it and so making progress.  The Dekker pair on parked/users
 *            (see internal.h) means the last leave cannot miss a parked
 *            owner.
 *   help     a read-only scan of the board's words as read once.
 * tests/model/board.pml checks this protocol by exhausting every
 * interleaving of an owner that publishes and retires two jobs on one slot
 * and two helpers: no helper uses a retired job, the owner never sleeps for
 * good, nothing is left behind.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "internal.h"
#include "park.h"

/* Bitmap word w of the board (bits for slots 64 * w to 64 * w + 63), for
 * a w below the words the caller read. */
static _Atomic uint64_t *wq__used_at(wq_pool *pool, unsigned w)
{
    if (w < WQ__BOARD_WORDS)
        return &pool->used[w];
    unsigned k = wq__board_segment(w * 64);
    unsigned first = WQ__BOARD_SLOTS << (k - 1); /* also its slot count */
    struct wq__slot *seg = wq__load_acquire(&pool->more[k - 1]);
    return (_Atomic uint64_t *)(void *)(seg + first) + (w - first / 64);
}

/* Double a board of `words` words (as the caller read them) by adding its
 * next segment, unless another thread did so first.  Lock-free: threads
 * that find the board full at once may each allocate the segment, one
 * installs it and the others free theirs.  0 on success (whoever grew it),
 * ENOMEM if the segment could not be allocated or the board is at its
 * largest. */
static int wq__board_grow(wq_pool *pool, unsigned words)
{
    unsigned k = wq__board_segment(words * 64);
    if (k >= WQ__BOARD_SEGMENTS)
        return ENOMEM;
    size_t slots = (size_t)words * 64;
    struct wq__slot *seg = wq__load_acquire(&pool->more[k - 1]);
    if (!seg) {
        size_t bytes = slots * sizeof *seg + words * sizeof(uint64_t);
        struct wq__slot *mine = wq__aligned_alloc(WQ__CACHELINE, bytes);
        if (!mine)
            return ENOMEM;
        memset(mine, 0, bytes); /* free slots, every bit clear */
        if (!wq__cas_strong_acq_rel(&pool->more[k - 1], &seg, mine))
            free(mine); /* seg is the winner's */
    }
    /* Fails only if another thread grew it already. */
    wq__cas_strong_acq_rel(&pool->words, &words, words * 2);
    return 0;
}

/* Publish job on a free slot with the given hint; returns the slot, or -1
 * if the board is full and cannot grow (out of memory). */
int wq__board_publish(wq_pool *pool, struct wq__job *job, uint32_t hint)
{
    for (;;) {
        unsigned words = wq__load_acquire(&pool->words);
        for (unsigned w = 0; w < words; w++) {
            _Atomic uint64_t *word = wq__used_at(pool, w);
            uint64_t used = wq__load_relaxed(word);
            while (~used) {
                unsigned bit = (unsigned)__builtin_ctzll(~used);
                if (wq__cas_weak_acq_rel(word, &used,
                                         used | (UINT64_C(1) << bit))) {
                    int slot = (int)(w * 64 + bit);
                    struct wq__slot *s = wq__slot_at(pool, slot);
                    wq__store_relaxed(&s->hint, hint);
                    /* Release: a helper that reads the pointer (acquire
                     * via its seq_cst load) sees the job's fields as
                     * initialised. */
                    wq__store_release(&s->job, job);
                    return slot;
                }
            }
        }
        if (wq__board_grow(pool, words))
            return -1;
    }
}

/* Free the board's segments beyond the first (the pool is being freed). */
void wq__board_free(wq_pool *pool)
{
    for (unsigned k = 1; k < WQ__BOARD_SEGMENTS; k++)
        free(wq__load_relaxed(&pool->more[k - 1]));
}

/* Take the job off the board so no new helper joins it; any thread holding
 * a reference may call it, any number of times. */
void wq__board_close(wq_pool *pool, int slot, struct wq__job *job)
{
    struct wq__slot *s = wq__slot_at(pool, slot);
    wq__store_relaxed(&s->hint, 0);
    wq__cas_strong_seq_cst(&s->job, &job, NULL);
}

static int wq__slot_drained(void *arg)
{
    struct wq__refs *r = arg;
    return wq__load_acquire(&r->users) == 0;
}

/* Owner only: close the slot, wait until no helper holds a reference
 * (doing tick meanwhile, if not NULL), and free the slot.  On return no
 * other thread can touch the job again. */
void wq__board_retire(wq_pool *pool, int slot, const struct wq__tick *tick)
{
    struct wq__slot *s = wq__slot_at(pool, slot);
    struct wq__refs *r = wq__slot_refs(pool, s);
    wq__store_relaxed(&s->hint, 0);
    wq__store_seq_cst(&s->job, NULL);
    if (wq__load_seq_cst(&r->users) != 0 &&
        !wq__spin_join(pool, tick ? tick->every : 0, wq__slot_drained, r)) {
        /* Helpers are inside a long piece of work: sleep until the last one
         * leaves (it wakes us, see wq__board_help), or until the next tick
         * is due. */
        for (;;) {
            wq__store_seq_cst(&r->parked, 1);
            uint32_t users = wq__load_seq_cst(&r->users);
            if (users == 0)
                break;
            if (!tick) {
                wq__park(&r->users, users);
                continue;
            }
            wq__park_for(&r->users, users, tick->every);
            tick->fn(tick->arg);
        }
        wq__store_relaxed(&r->parked, 0);
    }
    /* The acquire on users above (in every exit path) pairs with the release
     * decrements: all the helpers' work happens before this point. */
    atomic_thread_fence(memory_order_acquire);
    wq__fetch_and_release(wq__used_at(pool, (unsigned)slot / 64),
                          ~(UINT64_C(1) << (slot % 64)));
}

/* Take a reference on a slot: until wq__board_leave, its owner's retire
 * waits for this thread.  Returns the job now published there, or NULL. */
struct wq__job *wq__board_enter(wq_pool *pool, int slot)
{
    struct wq__slot *s = wq__slot_at(pool, slot);
    wq__fetch_add_seq_cst(&wq__slot_refs(pool, s)->users, 1);
    return wq__load_seq_cst(&s->job);
}

void wq__board_leave(wq_pool *pool, int slot)
{
    struct wq__refs *r = wq__slot_refs(pool, wq__slot_at(pool, slot));
    if (wq__fetch_sub_seq_cst(&r->users, 1) == 1 &&
        wq__load_seq_cst(&r->parked))
        wq__unpark(&r->users, 1);
}

/* Help with the job on `slot` if it advertises work: join it, if it is
 * still there, and help.  1 if that ran some work. */
static int wq__slot_try(wq_pool *pool, int slot)
{
    struct wq__slot *s = wq__slot_at(pool, slot);
    if (wq__load_relaxed(&s->hint) == 0 || wq__load_relaxed(&s->job) == NULL)
        return 0;
    struct wq__job *job = wq__board_enter(pool, slot);
    int ran = job && job->help(job, slot);
    wq__board_leave(pool, slot);
    return ran;
}

/* Help with the latest job that woke workers, if it still has work: the
 * fast path of a woken worker (no scan of the bitmap).  recent is read
 * relaxed and may be newer than the words this thread has seen: a slot
 * beyond them is left to the scan, which reads words first. */
int wq__board_help_recent(wq_pool *pool)
{
    int slot = wq__load_relaxed(&pool->recent);
    if ((unsigned)slot >= WQ__BOARD_SLOTS &&
        (unsigned)slot / 64 >= wq__load_acquire(&pool->words))
        return 0;
    return wq__slot_try(pool, slot);
}

/* Look over the board once, starting at *cursor so that threads spread over
 * the jobs, and help with the first job that has work.  Returns 1 if it ran
 * some; a slot whose hint promised work that was gone by the time this
 * thread joined does not end the scan, so stale hints cannot hide a job
 * further on. */
int wq__board_help(wq_pool *pool, unsigned *cursor)
{
    unsigned words = wq__load_acquire(&pool->words);
    unsigned start = *cursor;
    for (unsigned i = 0; i < words; i++) {
        unsigned w = (start / 64 + i) % words;
        uint64_t used = wq__load_relaxed(wq__used_at(pool, w));
        while (used) {
            unsigned bit = (unsigned)__builtin_ctzll(used);
            used &= used - 1;
            if (wq__slot_try(pool, (int)(w * 64 + bit))) {
                *cursor = w * 64 + bit + 1;
                return 1;
            }
        }
    }
    *cursor = 0;
    return 0;
}

/* ------------------------------------------------------------ task ring -- */

/*
 * The cell protocol (Vyukov).  Cell i of a ring of capacity C holds seq:
 *   seq == pos        free for the producer that claims position pos;
 *   seq == pos + 1    filled for the consumer that claims position pos;
 *   seq == pos + C    freed, ready for the producer of position pos + C.
 * A producer claims pos by CAS on tail (relaxed: the cell's seq carries the
 * ordering), writes the task, then publishes with a release store of
 * seq = pos + 1 that pairs with the consumer's acquire load of seq.  The
 * consumer symmetrically claims by CAS on head, reads the task, and frees the
 * cell with a release store of seq = pos + C that pairs with the next
 * producer's acquire load, so the read happens before the overwrite.
 *
 * Linearizability.  A push takes effect at its successful CAS on tail: its
 * task is in the queue from then on, behind every task whose push's CAS came
 * first.  A pop takes effect at its successful CAS on head and takes the
 * oldest task, the one pushed at that position: it can claim only after it
 * has seen seq = pos + 1, which the producer stores (release) after writing
 * the task, so the read (after the acquire) is of that task.  A failure
 * answer takes effect at the acquire load of seq that gave it: "full" means
 * the cell still holds the task C positions back, so C tasks are queued,
 * unless that task's consumer has claimed it and not yet freed the cell;
 * "empty" means nothing was published at head, unless head's producer has
 * claimed and not yet published.  In those two windows the answers are not
 * linearizable (full with C-1 tasks, empty with one), so wq takes them as
 * "look again later", never as facts: a full ring makes the submitter run a
 * task itself and retry, an empty one makes the caller look again or sleep
 * until signalled.
 *
 * Progress.  A CAS on tail or head fails only because another operation's
 * CAS on it succeeded, so claims are lock-free.  No operation waits for
 * another: where the original spins on a producer stalled between its CAS
 * and its store, wq answers "empty" and returns.  The queue as a whole is
 * not lock-free, though: while that producer stays stalled, every pop
 * answers "empty", so it hides every task pushed after its own (they are
 * in the ring, behind a cell not yet filled) until it stores its seq.  The
 * group's hint and pending still count them, so nothing is lost; waiters
 * and helpers look again.
 *
 * tests/model/ring.pml checks all of this for two producers and two
 * consumers on a ring of two cells, over every interleaving: the value each
 * pop reads is the head of an abstract FIFO updated at the CASes, "full"
 * and "empty" are true but for the windows above, nothing is lost or
 * duplicated, and (in 3-thread runs) there is no cycle without progress.
 */

int wq__ring_init(struct wq__ring *ring, size_t capacity)
{
    ring->cells = wq__malloc(capacity * sizeof *ring->cells);
    if (!ring->cells)
        return ENOMEM;
    for (size_t i = 0; i < capacity; i++)
        atomic_init(&ring->cells[i].seq, i);
    ring->mask = capacity - 1;
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
    return 0;
}

void wq__ring_fini(struct wq__ring *ring)
{
    free(ring->cells);
    ring->cells = NULL;
}

/* 0 on success, 1 if the ring is full. */
int wq__ring_push(struct wq__ring *ring, const struct wq__task *t)
{
    size_t pos = wq__load_relaxed(&ring->tail);
    for (;;) {
        struct wq__cell *c = &ring->cells[pos & ring->mask];
        size_t seq = wq__load_acquire(&c->seq);
        intptr_t dif = (intptr_t)seq - (intptr_t)pos;
        if (dif == 0) {
            if (wq__cas_weak_relaxed(&ring->tail, &pos, pos + 1)) {
                c->task = *t;
                wq__store_release(&c->seq, pos + 1);
                return 0;
            }
        } else if (dif < 0) {
            return 1;
        } else {
            pos = wq__load_relaxed(&ring->tail);
        }
    }
}

/* 1 and *t filled on success, 0 if the ring is (or looks) empty. */
int wq__ring_pop(struct wq__ring *ring, struct wq__task *t)
{
    size_t pos = wq__load_relaxed(&ring->head);
    for (;;) {
        struct wq__cell *c = &ring->cells[pos & ring->mask];
        size_t seq = wq__load_acquire(&c->seq);
        intptr_t dif = (intptr_t)seq - (intptr_t)(pos + 1);
        if (dif == 0) {
            if (wq__cas_weak_relaxed(&ring->head, &pos, pos + 1)) {
                *t = c->task;
                wq__store_release(&c->seq, pos + ring->mask + 1);
                return 1;
            }
        } else if (dif < 0) {
            return 0;
        } else {
            pos = wq__load_relaxed(&ring->head);
        }
    }
}
