/*
 * fault.h - every call of the library that can fail for want of resources
 * (memory, threads) goes through here, so that a test build can make the
 * n-th of them fail and check that each such failure comes back as ENOMEM
 * or EAGAIN, with nothing leaked, crashed or hung.
 *
 * Built with ./configure --enable-fault-injection (WQ_FAULT_INJECTION), the
 * wrappers ask wq__fault_hit() first; otherwise they are the plain calls,
 * inlined.  The hook is for tests only: it is hidden like every wq__ name.
 */
#ifndef WQ_FAULT_H
#define WQ_FAULT_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

enum wq__fault_kind {
    WQ__FAULT_ALLOC,  /* malloc, calloc, aligned_alloc */
    WQ__FAULT_THREAD, /* pthread_create */
    WQ__FAULT_KINDS
};

#ifdef WQ_FAULT_INJECTION
#define WQ__FAULT_API __attribute__((visibility("hidden")))
/* Count calls of kind afresh from now on and make the n-th one fail (n >= 1;
 * 0 makes none fail).  Calls may come from any thread. */
WQ__FAULT_API void wq__fault_arm(enum wq__fault_kind kind, unsigned long n);
/* Calls of kind since it was last armed. */
WQ__FAULT_API unsigned long wq__fault_calls(enum wq__fault_kind kind);
/* Count one call of kind; true if it is the one to fail. */
WQ__FAULT_API int wq__fault_hit(enum wq__fault_kind kind);
#else
static inline int wq__fault_hit(enum wq__fault_kind kind)
{
    (void)kind;
    return 0;
}
#endif

/* No object may be larger than PTRDIFF_MAX bytes (pointer differences
 * inside it must be representable; glibc's malloc refuses such sizes too).
 * Refusing them here answers ENOMEM without asking the allocator, which
 * checkers such as valgrind report as a "fishy" argument. */
static inline int wq__too_big(size_t size)
{
    return size > (size_t)PTRDIFF_MAX;
}

static inline void *wq__malloc(size_t size)
{
    return wq__too_big(size) || wq__fault_hit(WQ__FAULT_ALLOC) ? NULL
                                                               : malloc(size);
}

static inline void *wq__calloc(size_t n, size_t size)
{
    return wq__fault_hit(WQ__FAULT_ALLOC) ? NULL : calloc(n, size);
}

/* aligned_alloc wants a size that is a multiple of the alignment: rounded
 * up here, so callers pass the size they need. */
static inline void *wq__aligned_alloc(size_t align, size_t size)
{
    if (wq__too_big(size) || wq__too_big(size + align))
        return NULL;
    size = (size + align - 1) / align * align;
    return wq__fault_hit(WQ__FAULT_ALLOC) ? NULL : aligned_alloc(align, size);
}

static inline int wq__thread_create(pthread_t *thread,
                                    const pthread_attr_t *attr,
                                    void *(*start)(void *), void *arg)
{
    return wq__fault_hit(WQ__FAULT_THREAD)
               ? EAGAIN
               : pthread_create(thread, attr, start, arg);
}

#endif /* WQ_FAULT_H */
