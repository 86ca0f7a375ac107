/*
 * handout.c - the hand-out arithmetic of libwq-mpi (see handout.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>

#include "handout.h"

/* Products of a size_t by a size_t need twice its width. */
#if SIZE_MAX <= UINT32_MAX
typedef uint64_t wq_mpi__wide;
#else
__extension__ typedef unsigned __int128 wq_mpi__wide;
#endif

size_t wq_mpi__want(size_t units, size_t seen, size_t threads,
                    size_t total_threads)
{
    if (seen >= units)
        return 1;
    wq_mpi__wide share = (wq_mpi__wide)(units - seen) * threads;
    wq_mpi__wide twice = (wq_mpi__wide)total_threads * 2;
    size_t want = (size_t)((share + twice - 1) / twice);
    return want ? want : 1;
}

size_t wq_mpi__fixed(size_t units, size_t ranks, size_t most_threads)
{
    if (ranks <= 1 || units / 2 < ranks)
        return units;
    size_t half = units / 2, most = units - units / 4;
    if (most_threads > most / ranks)
        return most;
    size_t wide = ranks * most_threads;
    return wide > half ? wide : half;
}

int wq_mpi__won(size_t units, size_t got, size_t want, size_t *begin,
                size_t *end)
{
    if (got >= units)
        return 0;
    *begin = got;
    *end = units - got < want ? units : got + want;
    return 1;
}

void wq_mpi__split(size_t units, size_t w0, size_t w, size_t total,
                   size_t *begin, size_t *end)
{
    /* The quotients are at most units, so they fit again.  When units and
     * w0 + w <= total fit in 32 bits, so do the products in 64, and a 64-bit
     * division spares the double-width one its call. */
    if (units <= UINT32_MAX && total <= UINT32_MAX && w0 <= total &&
        w <= total - w0) {
        *begin = (size_t)((uint64_t)units * w0 / total);
        *end = (size_t)((uint64_t)units * (w0 + w) / total);
        return;
    }
    *begin = (size_t)((wq_mpi__wide)units * w0 / total);
    *end = (size_t)((wq_mpi__wide)units * (w0 + w) / total);
}
