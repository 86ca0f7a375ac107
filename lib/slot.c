/*
 * slot.c - worker indices: which entry of a per-thread scratch array the
 * calling thread may use (wq_worker_index).
 *
 * Workers own their slot for life.  A thread from outside the pool takes an
 * index only when it asks, so calls that never ask cost nothing, and keeps
 * it in the outermost frame of that pool on its stack, which gives it back
 * when the call returns.  Outside indices are the bits of pool->callers
 * (and callers_more, for a pool with more than 64 outside indices: see
 * their comments in internal.h for the memory orders); when all are held,
 * the thread that asks gets WQ_NO_INDEX and asks again next time.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>

#include "fault.h"
#include "internal.h"

static unsigned wq__index_of_bit(const wq_pool *pool, unsigned bit)
{
    return bit == 0 ? 0 : pool->size - 1 + bit;
}

/* The word of pool->callers or callers_more that holds bit 64 * w. */
static _Atomic uint64_t *wq__callers_word(wq_pool *pool, unsigned w)
{
    return w ? &pool->callers_more[w - 1] : &pool->callers;
}

int wq__callers_init(wq_pool *pool, unsigned n)
{
    pool->ncallers = n;
    pool->callers_more = NULL;
    if (n > 64 && !(pool->callers_more = wq__calloc((n - 1) / 64,
                                                    sizeof(uint64_t))))
        return ENOMEM;
    return 0;
}

void wq__callers_fini(wq_pool *pool)
{
    free(pool->callers_more);
    pool->callers_more = NULL;
}

/* An outside index, or WQ_NO_INDEX when all ncallers are held.  Never
 * waits: a holder gives its index back only when its outermost call
 * returns, which may depend on this thread (it may be running a task that
 * the holder waits for). */
static unsigned wq__index_claim(wq_pool *pool)
{
    unsigned n = pool->ncallers;
    for (unsigned w = 0; w * 64 < n; w++) {
        _Atomic uint64_t *word = wq__callers_word(pool, w);
        /* The bits of this word that stand for an index. */
        uint64_t valid = n - w * 64 >= 64 ? ~UINT64_C(0)
                                          : (UINT64_C(1) << (n - w * 64)) - 1;
        uint64_t used = wq__load_relaxed(word);
        while (~used & valid) {
            unsigned bit = (unsigned)__builtin_ctzll(~used & valid);
            if (wq__cas_weak_acquire(word, &used,
                                     used | (UINT64_C(1) << bit)))
                return wq__index_of_bit(pool, w * 64 + bit);
        }
    }
    return WQ_NO_INDEX;
}

void wq__index_release(wq_pool *pool, unsigned index)
{
    unsigned bit = index == 0 ? 0 : index - (pool->size - 1);
    wq__fetch_and_release(wq__callers_word(pool, bit / 64),
                          ~(UINT64_C(1) << (bit % 64)));
}

unsigned wq_worker_index(void)
{
    struct wq__frame *f = wq__self.frames;
    if (!f) /* in a hook or idle on a worker, or outside every call */
        return wq__self.pool ? wq__self.slot : WQ_NO_INDEX;
    wq_pool *pool = f->pool;
    if (pool == wq__self.pool)
        return wq__self.slot;
    struct wq__frame *outer = f;
    for (f = f->up; f; f = f->up)
        if (f->pool == pool)
            outer = f;
    if (outer->index == WQ_NO_INDEX)
        outer->index = wq__index_claim(pool);
    return outer->index;
}

unsigned wq_pool_slots(const wq_pool *pool)
{
    wq_pool *p = (wq_pool *)pool;
    if (wq__pool_resolve(&p) && !pool)
        return 0;
    return p->size + p->ncallers - 1;
}
