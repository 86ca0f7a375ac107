/*
 * group.c - submitted tasks (Pool.apply_async) and waiting on them.
 *
 * A group is a job on the board for its whole life, with a bounded
 * lock-free ring of queued tasks (queue.c).  Workers that find it pop and
 * run one task at a time; a thread in wq_group_wait pops and runs only this
 * group's tasks, so a wait never buries itself under unrelated work (that
 * could make a task wait on a group whose task is below it on the same
 * stack: a deadlock that the program did not write).
 *
 * Shared fields:
 *   pending  tasks submitted and not yet finished.  Incremented (seq_cst)
 *            before the task is pushed, so it cannot reach 0 while the task
 *            is queued or running; decremented (seq_cst, hence release) after
 *            the task's result is recorded; a waiter's acquire load of 0 sees
 *            every finished task's writes.
 *   signal   bumped (seq_cst) after every push and when pending reaches 0;
 *            waiters park on it.  The wake protocol is the usual one:
 *              waiter:   waiters++; s = signal; re-check; park(signal, s)
 *              notifier: change state; signal++; if (waiters) wake
 *            all seq_cst, so either the notifier sees the waiter, or the
 *            waiter sees the bump (and with it the new state): the protocol
 *            of tests/model/park.pml.
 *   error    first non-zero task result since the last wait: CAS from 0,
 *            relaxed, ordered before the waiter's read by pending.
 *   hint (in the board slot)  queued-task count, incremented before the
 *            push and decremented after the pop, so it never reads 0 while a
 *            task is queued.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "internal.h"
#include "park.h"
#include "thread.h"

/* Queued tasks a group holds before submit starts running them itself. */
#define WQ__GROUP_RING 1024

struct wq_group {
    struct wq__job job; /* first: the board sees a group as a job */
    wq_pool *pool;
    int slot; /* board slot held for life; -1: a pool of one thread */
    struct wq__ring ring;
    WQ__ALIGNED _Atomic uint32_t pending;
    _Atomic int error;
    WQ__ALIGNED _Atomic uint32_t signal;
    _Atomic uint32_t waiters;
};

static void wq__notify(wq_group *g)
{
    wq__fetch_add_seq_cst(&g->signal, 1);
    if (wq__load_seq_cst(&g->waiters))
        wq__unpark(&g->signal, INT_MAX);
}

static int wq__task_call(wq_group *g, const struct wq__task *t)
{
    struct wq__frame frame;
    unsigned long fpu = 0;
    wq__frame_push(&frame, g->pool, g, NULL);
    if (g->job.flags & WQ_FLUSH_DENORMALS)
        fpu = wq__fpu_enter();
    int rc = t->fn(t->arg);
    if (g->job.flags & WQ_FLUSH_DENORMALS)
        wq__fpu_leave(fpu);
    wq__frame_pop(&frame);
    return rc;
}

/* Pop one queued task and run it.  The slot reference keeps wq_group_destroy
 * (which retires the slot) from freeing the group while this thread still
 * touches it after the task, e.g. to signal a waiter.  The slot comes as an
 * argument because a helper may find the group on the board before its
 * creator has stored g->slot. */
static int wq__group_run_one(wq_group *g, int slot)
{
    struct wq__task t;
    int ran = 0;
    wq__board_enter(g->pool, slot);
    if (wq__ring_pop(&g->ring, &t)) {
        wq__fetch_sub_release(&wq__slot_at(g->pool, slot)->hint, 1);
        wq__keep_first(&g->error, wq__task_call(g, &t));
        if (wq__fetch_sub_seq_cst(&g->pending, 1) == 1)
            wq__notify(g);
        ran = 1;
    }
    wq__board_leave(g->pool, slot);
    return ran;
}

static int wq__group_help(struct wq__job *job, int slot)
{
    /* The job is the group's first member. */
    return wq__group_run_one((wq_group *)(void *)job, slot);
}

static int wq__group_usable(const wq_group *g)
{
    return g->pool->forks == wq__load_relaxed(&wq__forks) ? 0 : ECHILD;
}

int wq_group_create(wq_group **out, wq_pool *pool)
{
    if (!out)
        return EINVAL;
    int rc = wq__pool_resolve(&pool);
    if (rc)
        return rc;
    wq_group *g = wq__aligned_alloc(WQ__CACHELINE, sizeof *g);
    if (!g)
        return ENOMEM;
    memset(g, 0, sizeof *g);
    if (wq__ring_init(&g->ring, WQ__GROUP_RING)) {
        free(g);
        return ENOMEM;
    }
    g->pool = pool;
    g->job.help = wq__group_help;
    g->job.flags = pool->flags;
    /* With one thread nobody else would pop the ring: run tasks at submit.
     * Otherwise publish fails only if the board cannot grow. */
    g->slot = pool->size > 1 ? wq__board_publish(pool, &g->job, 0) : -1;
    if (pool->size > 1 && g->slot < 0) {
        wq__ring_fini(&g->ring);
        free(g);
        return ENOMEM;
    }
    wq__fetch_add_relaxed(&pool->groups, 1);
    *out = g;
    return 0;
}

int wq_group_submit(wq_group *g, wq_task_fn fn, void *arg)
{
    if (!g || !fn)
        return EINVAL;
    int rc = wq__group_usable(g);
    if (rc)
        return rc;
    struct wq__task t = {fn, arg};
    if (g->slot < 0) {
        wq__keep_first(&g->error, wq__task_call(g, &t));
        return 0;
    }
    wq__fetch_add_seq_cst(&g->pending, 1);
    wq__fetch_add_relaxed(&wq__slot_at(g->pool, g->slot)->hint, 1);
    while (wq__ring_push(&g->ring, &t))
        if (!wq__group_run_one(g, g->slot)) /* full: make room */
            wq__cpu_relax();
    wq__notify(g);
    wq__pool_wake(g->pool, g->slot, 1);
    return 0;
}

static int wq__group_idle(void *arg)
{
    wq_group *g = arg;
    return wq__load_acquire(&g->pending) == 0 ||
           wq__load_relaxed(&wq__slot_at(g->pool, g->slot)->hint) != 0;
}

/* Sleep until a task is pushed or the last one finishes. */
static void wq__group_park(wq_group *g)
{
    wq__fetch_add_seq_cst(&g->waiters, 1);
    uint32_t seen = wq__load_seq_cst(&g->signal);
    if (!wq__group_idle(g))
        wq__park(&g->signal, seen);
    wq__fetch_sub_release(&g->waiters, 1);
}

int wq_group_wait(wq_group *g)
{
    if (!g)
        return EINVAL;
    int rc = wq__group_usable(g);
    if (rc)
        return rc;
    if (wq__nested_in(NULL, g))
        return EDEADLK;
    if (g->slot >= 0) {
        for (;;) {
            if (wq__group_run_one(g, g->slot))
                continue;
            if (wq__load_acquire(&g->pending) == 0)
                break;
            /* Tasks are running elsewhere: spin, then sleep. */
            if (!wq__spin_until(g->pool, wq__group_idle, g))
                wq__group_park(g);
        }
    }
    return wq__exchange_relaxed(&g->error, 0);
}

void wq_group_destroy(wq_group *g)
{
    if (!g || wq__nested_in(NULL, g))
        return;
    if (!wq__group_usable(g)) {
        wq_group_wait(g);
        if (g->slot >= 0)
            wq__board_retire(g->pool, g->slot, NULL);
    }
    wq__fetch_sub_release(&g->pool->groups, 1);
    wq__ring_fini(&g->ring);
    free(g);
}
