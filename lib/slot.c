/*
 * slot.c - worker indices: which entry of a per-thread scratch array the
 * calling thread may use (wq_worker_index).
 *
 * Workers own their slot for life.  A thread from outside the pool takes an
 * index only when it asks, so calls that never ask cost nothing, and keeps
 * it in the outermost frame of that pool on its stack, which gives it back
 * when the call returns.  Outside indices are the bits of pool->callers
 * (see its comment in internal.h for the memory orders); when all are
 * held, the thread that asks gets WQ_NO_INDEX and asks again next time.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"

static unsigned wq__index_of_bit(const wq_pool *pool, unsigned bit)
{
    return bit == 0 ? 0 : pool->size - 1 + bit;
}

/* An outside index, or WQ_NO_INDEX when WQ_CALLERS_MAX outside threads
 * hold one.  Never waits: a holder gives its index back only when its
 * outermost call returns, which may depend on this thread (it may be
 * running a task that the holder waits for). */
static unsigned wq__index_claim(wq_pool *pool)
{
    uint64_t used = wq__load_relaxed(&pool->callers);
    while (~used) {
        unsigned bit = (unsigned)__builtin_ctzll(~used);
        if (wq__cas_weak_acquire(&pool->callers, &used,
                                 used | (UINT64_C(1) << bit)))
            return wq__index_of_bit(pool, bit);
    }
    return WQ_NO_INDEX;
}

void wq__index_release(wq_pool *pool, unsigned index)
{
    unsigned bit = index == 0 ? 0 : index - (pool->size - 1);
    wq__fetch_and_release(&pool->callers, ~(UINT64_C(1) << bit));
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
    unsigned size = wq_pool_size(pool);
    return size ? size + WQ_CALLERS_MAX - 1 : 0;
}
