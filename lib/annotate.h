/*
 * annotate.h - what valgrind's DRD must be told to check wq for data races.
 *
 * DRD understands the POSIX synchronisation calls, not C11 atomics: to it an
 * atomic load is a plain read racing with every other thread's access, and
 * the order a release store gives the data written before it is invisible.
 * Built with ./configure --enable-drd (WQ_DRD), every atomic access of
 * atomics.h therefore tells DRD two things, as its manual asks of lock-free
 * code: the access itself is not a race (reads and writes of the calling
 * thread are ignored around it), and the order it carries (a release, or
 * stronger, access is ANNOTATE_HAPPENS_BEFORE on its address; an acquire, or
 * stronger, is ANNOTATE_HAPPENS_AFTER).  Every plain access of the library
 * is then checked against those edges, the same edges ThreadSanitizer
 * derives from the atomics by itself.  Other builds compile each access to
 * the access alone.
 */
#ifndef WQ_ANNOTATE_H
#define WQ_ANNOTATE_H

#ifdef WQ_DRD
#include <valgrind/drd.h>

#define WQ__ACCESS(p, rel, acq, op)                                            \
    __extension__({                                                            \
        if (rel)                                                               \
            ANNOTATE_HAPPENS_BEFORE(p);                                        \
        ANNOTATE_IGNORE_READS_AND_WRITES_BEGIN();                              \
        __auto_type wq__result = (op);                                         \
        ANNOTATE_IGNORE_READS_AND_WRITES_END();                                \
        if (acq)                                                               \
            ANNOTATE_HAPPENS_AFTER(p);                                         \
        wq__result;                                                            \
    })
#define WQ__ACCESS_VOID(p, rel, acq, op)                                       \
    __extension__({                                                            \
        if (rel)                                                               \
            ANNOTATE_HAPPENS_BEFORE(p);                                        \
        ANNOTATE_IGNORE_READS_AND_WRITES_BEGIN();                              \
        op;                                                                    \
        ANNOTATE_IGNORE_READS_AND_WRITES_END();                                \
        if (acq)                                                               \
            ANNOTATE_HAPPENS_AFTER(p);                                         \
    })
#else
#define WQ__ACCESS(p, rel, acq, op) (op)
#define WQ__ACCESS_VOID(p, rel, acq, op) (op)
#endif

#endif /* WQ_ANNOTATE_H */
