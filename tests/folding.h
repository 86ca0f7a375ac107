/*
 * folding.h - the cases that wq_reduce and wq_scan share, each suite calling
 * them with its own entry point: bad arguments, a partial too large to
 * allocate, an empty range, and a failing callback that stops every thread.
 */
#ifndef WQ_TEST_FOLDING_H
#define WQ_TEST_FOLDING_H

#include <stddef.h>

#include <wq.h>

/* The entry point under test with sc's callbacks (sc NULL: no reducer or
 * scanner at all) and out its result (NULL: none).  wq_reduce's ignores
 * sc->scan. */
typedef int folding_call(wq_pool *pool, size_t n, size_t chunk,
                         const wq_scanner *sc, void *ctx, void *out);

struct folding {
    folding_call *call;
    int has_scan;     /* sc->scan is one of its callbacks */
    int out_optional; /* out NULL is valid (wq_scan's total) */
};

/* One of the cases below, run on pool i of the grid. */
typedef void folding_case(const struct folding *f, wq_pool *pool);
void folding_on_grid(const struct folding *f, int i, folding_case *fn);

/* EINVAL, and no callback run, for a missing reducer, a zero size and each
 * missing callback, on empty, one-item and longer ranges; EINVAL for a
 * missing result where one is required. */
void folding_bad_arguments(const struct folding *f, wq_pool *pool);

/* ENOMEM, and no callback run, for partials no machine can allocate. */
void folding_huge_partial(const struct folding *f, wq_pool *pool);

/* n = 0 gives init's identity and calls nothing else, whatever the chunk. */
void folding_empty_range(const struct folding *f, wq_pool *pool);

/* A callback (scan if in_scan, else fold) failing once at each of
 * FAILING_AT(2003) from index `from` on, chunk 1: the call returns its
 * value, and no thread starts a callback after it saw the failure.  `from`
 * skips the indices that the entry never passes to that callback. */
void folding_error_stops_every_thread(const struct folding *f, wq_pool *pool,
                                      int in_scan, size_t from);

#endif /* WQ_TEST_FOLDING_H */
