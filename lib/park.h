/*
 * park.h - sleep until a 32-bit word changes: futex on Linux, a condition
 * variable elsewhere.
 *
 * wq__park(word, expected) sleeps only if *word still equals expected when
 * the kernel (or the fallback's mutex) looks at it, and may return early for
 * no reason; callers loop and re-check.  wq__unpark(word, n) wakes up to n
 * sleepers on word; wq__park_for(word, expected, seconds) also returns once
 * that many seconds have passed.  A waker must change *word (or another condition that
 * the sleeper re-checks under the same seq_cst protocol) before it wakes, so
 * no wake-up can fall between a sleeper's check and its sleep: that is the
 * futex contract, and the fallback keeps it by checking and sleeping under
 * one mutex that the waker also takes.
 *
 * Memory ordering never travels through these calls: every datum a woken
 * thread needs is published through atomics before the wake, and the woken
 * thread reads it with acquire loads.  (This is also what lets the thread
 * sanitizer, which does not model futexes, see every happens-before edge.)
 */
#ifndef WQ_PARK_H
#define WQ_PARK_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "atomics.h"

#if defined(__linux__)

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void wq__park(_Atomic uint32_t *word, uint32_t expected)
{
    /* EAGAIN (value changed), EINTR and spurious returns all mean "look
     * again", which every caller does. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL,
            NULL, 0);
}

/* wq__park for at most `seconds`. */
static inline void wq__park_for(_Atomic uint32_t *word, uint32_t expected,
                                double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    /* The futex timeout is relative; ETIMEDOUT is one more early return. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, &ts,
            NULL, 0);
}

static inline void wq__unpark(_Atomic uint32_t *word, int n)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL,
            0);
}

#else /* a parking lot of mutex and condition-variable pairs */

#include <pthread.h>

struct wq__lot {
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* Defined in pool.c; words hash onto it, so unrelated words may share a
 * lot and see spurious wake-ups, which callers tolerate. */
extern struct wq__lot wq__lots[64];

static inline struct wq__lot *wq__lot_of(const void *word)
{
    return &wq__lots[((uintptr_t)word >> 6) % 64];
}

static inline void wq__park(_Atomic uint32_t *word, uint32_t expected)
{
    struct wq__lot *lot = wq__lot_of(word);
    pthread_mutex_lock(&lot->lock);
    if (wq__load_seq_cst(word) == expected)
        pthread_cond_wait(&lot->cond, &lot->lock);
    pthread_mutex_unlock(&lot->lock);
}

static inline void wq__park_for(_Atomic uint32_t *word, uint32_t expected,
                                double seconds)
{
    struct wq__lot *lot = wq__lot_of(word);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* the condvar's default clock */
    double at = (double)ts.tv_nsec * 1e-9 + seconds;
    ts.tv_sec += (time_t)at;
    ts.tv_nsec = (long)((at - (double)(time_t)at) * 1e9);
    pthread_mutex_lock(&lot->lock);
    if (wq__load_seq_cst(word) == expected)
        pthread_cond_timedwait(&lot->cond, &lot->lock, &ts);
    pthread_mutex_unlock(&lot->lock);
}

static inline void wq__unpark(_Atomic uint32_t *word, int n)
{
    struct wq__lot *lot = wq__lot_of(word);
    (void)n; /* other words share the lot: wake them all */
    pthread_mutex_lock(&lot->lock);
    pthread_cond_broadcast(&lot->cond);
    pthread_mutex_unlock(&lot->lock);
}

#endif

#endif /* WQ_PARK_H */
