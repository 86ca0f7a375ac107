/*
 * span.h - an ordered-interval "concatenation", associative and not
 * commutative, for the suites that check a reduction's order (wq_reduce's
 * and libwq-mpi's).  A partial is the interval it covers; joining [a,b)
 * with [c,d) requires b == c, which any out-of-order fold or combine
 * breaks.  ctx points to the chunk (a size_t): pieces must be non-empty,
 * at most chunk long and start on its multiples.
 */
#ifndef WQ_TEST_SPAN_H
#define WQ_TEST_SPAN_H

#include <stddef.h>

#include <wq.h>

struct span {
    size_t first, last;
    int empty, ok;
};

static inline void span_init(void *ctx, void *p)
{
    (void)ctx;
    *(struct span *)p = (struct span){0, 0, 1, 1};
}

static inline void span_join(struct span *s, size_t first, size_t last, int ok)
{
    if (s->empty) {
        *s = (struct span){first, last, 0, ok};
        return;
    }
    if (first != s->last)
        s->ok = 0;
    s->last = last;
    s->ok &= ok;
}

static inline int span_fold(void *ctx, size_t begin, size_t end, void *p)
{
    size_t chunk = *(size_t *)ctx;
    if (begin >= end || (chunk && end - begin > chunk) ||
        (chunk && begin % chunk))
        ((struct span *)p)->ok = 0;
    span_join(p, begin, end, 1);
    return 0;
}

static inline void span_combine(void *ctx, void *p, const void *o)
{
    const struct span *other = o;
    (void)ctx;
    if (!other->empty)
        span_join(p, other->first, other->last, other->ok);
}

static const wq_reducer span_reducer = {sizeof(struct span), span_init,
                                        span_fold, span_combine};

#endif /* WQ_TEST_SPAN_H */
