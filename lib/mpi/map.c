/*
 * map.c - wq_mpi_map: Pool.map across ranks.  The input and output stay on
 * root, exposed as two MPI windows; every rank (root too) claims runs of
 * elements from a counter on root, and a rank other than root reads its
 * run's inputs with MPI_Get, maps them on its pool and writes the outputs
 * back with MPI_Put.  Root maps its runs in place.  All of it is
 * one-sided, so root maps as the others do; under an MPI without
 * asynchronous progress it lets MPI serve them between slices of its runs
 * (wq_mpi__served).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "common.h"

/* A run moves at most this many bytes each way: MPI counts are ints, and
 * a bounded run keeps the buffers small while the batches stay long. */
#define WQ_MPI__RUN_BYTES ((size_t)1 << 24)

struct wq_mpi__map {
    MPI_Comm comm;
    int root, rank, size;
    wq_pool *pool;
    size_t n, chunk;
    const unsigned char *in;
    size_t in_size;
    unsigned char *out;
    size_t out_size;
    wq_map_fn fn;
    void *ctx;
    MPI_Win win_in, win_out;
    unsigned char *buf_in, *buf_out; /* a run's, off root */
    struct wq_mpi__counter *serve;   /* the counter, on root; else NULL */
};

/* The elements [*lo, *hi) of units [begin, end) (chunks, or elements for
 * chunk 0). */
static void wq_mpi__elements(const struct wq_mpi__map *m, size_t begin,
                             size_t end, size_t *lo, size_t *hi)
{
    if (!m->chunk) {
        *lo = begin;
        *hi = end;
        return;
    }
    *lo = begin * m->chunk;
    *hi = m->n / m->chunk <= end - 1 ? m->n : end * m->chunk;
}

/* Map elements [lo, hi): in place on root, else through the buffers. */
static int wq_mpi__map_run(struct wq_mpi__map *m, size_t lo, size_t hi)
{
    size_t k = hi - lo;
    if (m->rank == m->root)
        return wq_map(m->pool, k, m->chunk,
                      m->in ? m->in + lo * m->in_size : NULL, m->in_size,
                      m->out + lo * m->out_size, m->out_size, m->fn, m->ctx);
    if (m->in_size &&
        (MPI_Get(m->buf_in, (int)(k * m->in_size), MPI_BYTE, m->root,
                 (MPI_Aint)(lo * m->in_size), (int)(k * m->in_size), MPI_BYTE,
                 m->win_in) != MPI_SUCCESS ||
         MPI_Win_flush(m->root, m->win_in) != MPI_SUCCESS))
        return EIO;
    int rc = wq_map(m->pool, k, m->chunk, m->in_size ? m->buf_in : NULL,
                    m->in_size, m->buf_out, m->out_size, m->fn, m->ctx);
    if (rc || !m->out_size)
        return rc;
    if (MPI_Put(m->buf_out, (int)(k * m->out_size), MPI_BYTE, m->root,
                (MPI_Aint)(lo * m->out_size), (int)(k * m->out_size),
                MPI_BYTE, m->win_out) != MPI_SUCCESS ||
        MPI_Win_flush(m->root, m->win_out) != MPI_SUCCESS)
        return EIO;
    return 0;
}

/* Map units [begin, end) (a slice of wq_mpi__served, on root). */
static int wq_mpi__map_slice(void *arg, size_t begin, size_t end)
{
    struct wq_mpi__map *m = arg;
    size_t lo, hi;
    wq_mpi__elements(m, begin, end, &lo, &hi);
    return wq_mpi__map_run(m, lo, hi);
}

/* Map units [begin, end) in runs of at most `most` units; on root, while
 * the others claim, in slices that let MPI serve them between (their
 * claims, reads and writes all target root's windows). */
static int wq_mpi__map_units(struct wq_mpi__map *m, size_t begin, size_t end,
                             size_t most)
{
    if (m->serve)
        return wq_mpi__served(m->serve, begin, end, wq_pool_size(m->pool),
                              most, wq_mpi__map_slice, m);
    while (begin < end) {
        size_t stop = end - begin > most ? begin + most : end, lo, hi;
        wq_mpi__elements(m, begin, stop, &lo, &hi);
        int rc = wq_mpi__map_run(m, lo, hi);
        if (rc)
            return rc;
        begin = stop;
    }
    return 0;
}

/* This rank's static share, then runs claimed from the counter on root
 * until none is left; 0, EIO or fn's value (after stopping the others'
 * claims). */
static int wq_mpi__map_all(struct wq_mpi__map *m,
                           const struct wq_mpi__agree *a, size_t units,
                           size_t most)
{
    size_t begin, end, total = 0, threads = wq_pool_size(m->pool);
    size_t fixed = wq_mpi__fixed(units, (size_t)m->size, (size_t)a->threads);
    int rc = wq_mpi__static_share(m->comm, units, fixed, threads, &begin,
                                  &end, &total);
    if (rc || fixed == units)
        return rc ? rc : wq_mpi__map_units(m, begin, end, most);
    struct wq_mpi__counter c;
    rc = wq_mpi__counter_open(&c, m->comm, m->root, units, fixed, threads,
                              total);
    if (rc)
        return rc;
    if (m->rank == m->root)
        m->serve = &c;
    rc = wq_mpi__map_units(m, begin, end, most);
    for (int won = 1; !rc;) {
        rc = wq_mpi__counter_claim(&c, most, &begin, &end, &won);
        if (rc || !won)
            break;
        rc = wq_mpi__map_units(m, begin, end, most);
    }
    if (rc && rc != EIO)
        wq_mpi__counter_stop(&c);
    m->serve = NULL;
    int closed = wq_mpi__counter_close(&c);
    return rc ? rc : closed;
}

/* Open the windows over root's arrays (empty elsewhere), map, close. */
static int wq_mpi__map_windows(struct wq_mpi__map *m,
                               const struct wq_mpi__agree *a, size_t units,
                               size_t most)
{
    int at_root = m->rank == m->root;
    MPI_Aint in_bytes = at_root ? (MPI_Aint)(m->n * m->in_size) : 0;
    MPI_Aint out_bytes = at_root ? (MPI_Aint)(m->n * m->out_size) : 0;
    if (MPI_Win_create((void *)(uintptr_t)m->in, in_bytes, 1, MPI_INFO_NULL,
                       m->comm, &m->win_in) != MPI_SUCCESS)
        return EIO;
    if (MPI_Win_create(m->out, out_bytes, 1, MPI_INFO_NULL, m->comm,
                       &m->win_out) != MPI_SUCCESS) {
        MPI_Win_free(&m->win_in);
        return EIO;
    }
    int rc = 0;
    if (MPI_Win_set_errhandler(m->win_in, MPI_ERRORS_RETURN) != MPI_SUCCESS ||
        MPI_Win_set_errhandler(m->win_out, MPI_ERRORS_RETURN) !=
            MPI_SUCCESS ||
        MPI_Win_lock_all(0, m->win_in) != MPI_SUCCESS ||
        MPI_Win_lock_all(0, m->win_out) != MPI_SUCCESS)
        rc = EIO;
    if (!rc)
        rc = wq_mpi__map_all(m, a, units, most);
    /* Unlocking completes every Put: root's out is whole once the
     * windows are freed, which no rank passes before all have unlocked. */
    if (MPI_Win_unlock_all(m->win_in) != MPI_SUCCESS ||
        MPI_Win_unlock_all(m->win_out) != MPI_SUCCESS)
        rc = rc ? rc : EIO;
    if (MPI_Win_free(&m->win_in) != MPI_SUCCESS ||
        MPI_Win_free(&m->win_out) != MPI_SUCCESS)
        rc = rc ? rc : EIO;
    return rc;
}

/* This rank's own arguments: 0 or the error to report. */
static int wq_mpi__map_args(const struct wq_mpi__map *m, int size,
                            size_t *threads)
{
    if (!m->fn || m->root < 0 || m->root >= size)
        return EINVAL;
    if (m->rank == m->root &&
        (!m->out || (!m->in && m->in_size) ||
         (m->in_size && m->n > PTRDIFF_MAX / m->in_size) ||
         (m->out_size && m->n > PTRDIFF_MAX / m->out_size)))
        return EINVAL;
    *threads = wq_pool_size(m->pool);
    return *threads ? 0 : ENOMEM;
}

int wq_mpi_map(MPI_Comm comm, int root, wq_pool *pool, size_t n, size_t chunk,
               const void *in, size_t in_size, void *out, size_t out_size,
               wq_map_fn fn, void *ctx)
{
    struct wq_mpi__map m = {.comm = comm, .root = root, .pool = pool,
                            .n = n, .chunk = chunk, .in = in,
                            .in_size = in_size, .out = out,
                            .out_size = out_size, .fn = fn, .ctx = ctx};
    int rc = wq_mpi__ready(comm, &m.rank, &m.size), size = m.size;
    if (rc)
        return rc;
    size_t threads = 0;
    struct wq_mpi__agree a = {
        {n, chunk, (uint64_t)(int64_t)root, in_size, out_size}, 0, 0};
    a.error = (uint64_t)wq_mpi__map_args(&m, size, &threads);
    a.threads = threads;
    /* A run of at most `most` units moves at most WQ_MPI__RUN_BYTES each
     * way, or one unit (an element, or a chunk) if that is more; a unit
     * must fit an int count of bytes. */
    size_t unit = chunk ? chunk : 1;
    size_t elem = in_size > out_size ? in_size : out_size;
    size_t most = SIZE_MAX;
    if (elem && unit > INT_MAX / elem) {
        if (!a.error)
            a.error = ENOMEM;
    } else if (elem) {
        most = WQ_MPI__RUN_BYTES / (elem * unit);
        most = most ? most : 1;
    }
    if (!a.error && m.rank != root && n) {
        size_t k = most < (n - 1) / unit + 1 ? most * unit : n;
        m.buf_in = malloc(in_size ? k * in_size : 1);
        m.buf_out = malloc(out_size ? k * out_size : 1);
        if (!m.buf_in || !m.buf_out)
            a.error = ENOMEM;
    }
    rc = wq_mpi__agree(comm, m.size, &a);
    /* Alone, the map is root's own (and no window is needed: Open MPI 4
     * has none over a user's memory for a single process). */
    if (!rc && n && size == 1)
        rc = wq_map(pool, n, chunk, in, in_size, out, out_size, fn, ctx);
    else if (!rc && n) {
        size_t units = chunk ? n / chunk + (n % chunk != 0) : n;
        rc = wq_mpi__map_windows(&m, &a, units, most);
        if (rc != EIO && wq_mpi__lowest_error(comm, m.rank, rc, &rc))
            rc = EIO;
    }
    free(m.buf_in);
    free(m.buf_out);
    return rc;
}
