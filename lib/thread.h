/*
 * thread.h - the platform corners of worker threads: names, signal masks and
 * the floating-point environment.
 */
#ifndef WQ_THREAD_H
#define WQ_THREAD_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/* Name the calling thread "<prefix>-<slot>" for top -H and debuggers.  Linux
 * allows 15 bytes plus the terminator; a longer name is cut, not refused. */
static inline void wq__thread_name(const char *prefix, unsigned slot)
{
#if defined(__linux__) || defined(__GLIBC__)
    char name[16];
    snprintf(name, sizeof name, "%s-%u", prefix, slot);
    pthread_setname_np(pthread_self(), name);
#else
    (void)prefix;
    (void)slot;
#endif
}

/* Block every asynchronous signal on the calling thread, saving the old mask
 * in *old.  Threads inherit their creator's mask, so a pool blocks around
 * pthread_create: the application's handlers then run on its own threads,
 * never in the middle of a worker.  Synchronous signals (SIGSEGV, SIGFPE,
 * SIGBUS, SIGILL) stay deliverable: blocking them is undefined. */
static inline void wq__block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

static inline void wq__restore_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Flush denormals to zero (and treat denormal inputs as zero) until
 * wq__fpu_leave; returns the state to restore.  x86 SSE: MXCSR FTZ (bit 15)
 * and DAZ (bit 6); AArch64: FPCR.FZ (bit 24); elsewhere nothing. */
static inline unsigned long wq__fpu_enter(void)
{
#if defined(__x86_64__) || (defined(__i386__) && defined(__SSE__))
    unsigned long old = _mm_getcsr();
    _mm_setcsr((unsigned)old | 0x8040u);
    return old;
#elif defined(__aarch64__)
    unsigned long old;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(old));
    __asm__ __volatile__("msr fpcr, %0" ::"r"(old | (1ul << 24)));
    return old;
#else
    return 0;
#endif
}

static inline void wq__fpu_leave(unsigned long old)
{
#if defined(__x86_64__) || (defined(__i386__) && defined(__SSE__))
    _mm_setcsr((unsigned)old);
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" ::"r"(old));
#else
    (void)old;
#endif
}

#endif /* WQ_THREAD_H */
