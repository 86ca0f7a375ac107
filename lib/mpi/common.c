/*
 * common.c - the preamble, the agreement and the counter (common.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common.h"

int wq_mpi__ready(MPI_Comm comm, int *rank, int *size)
{
    int up = 0, down = 1, inter = 0;
    /* The only two calls MPI allows before MPI_Init and after
     * MPI_Finalize. */
    if (MPI_Initialized(&up) != MPI_SUCCESS || !up)
        return EINVAL;
    if (MPI_Finalized(&down) != MPI_SUCCESS || down)
        return EINVAL;
    if (comm == MPI_COMM_NULL)
        return EINVAL;
    if (MPI_Comm_test_inter(comm, &inter) != MPI_SUCCESS)
        return EIO;
    if (inter)
        return EINVAL;
    if (MPI_Comm_rank(comm, rank) != MPI_SUCCESS ||
        MPI_Comm_size(comm, size) != MPI_SUCCESS)
        return EIO;
    return 0;
}

/* The agreement moves its values as ONE element of a contiguous type of
 * them, reduced by an operation of ours (the element-wise maximum): MPICH
 * runs an MPI_Allreduce of one element by its latency-bound algorithm
 * (recursive doubling) however large the element, but switches to another
 * that costs twice as much for two elements or more, and Open MPI takes
 * the same time either way.  The type and the operation are made at the
 * first agreement and freed when MPI_Finalize deletes the attribute they
 * hang on MPI_COMM_SELF (the standard's hook for cleaning up at
 * finalize). */
#define WQ_MPI__VALUES (2 * WQ_MPI__SAME + 2)

static pthread_mutex_t wq_mpi__made_lock = PTHREAD_MUTEX_INITIALIZER;
/* 1 once type and op are made: set with release under the lock after
 * they are, read with acquire before they are used, so a thread that sees
 * 1 sees both handles.  MPI_Finalize clears it (no call may run then, nor
 * MPI start again). */
static atomic_int wq_mpi__made;
static MPI_Datatype wq_mpi__values_type;
static MPI_Op wq_mpi__values_max;

static void wq_mpi__max_values(void *in, void *inout, int *len,
                               MPI_Datatype *type)
{
    (void)type;
    const uint64_t *a = in;
    uint64_t *b = inout;
    for (long i = 0; i < (long)*len * WQ_MPI__VALUES; i++)
        if (a[i] > b[i])
            b[i] = a[i];
}

static int wq_mpi__unmake(MPI_Comm comm, int key, void *value, void *extra)
{
    (void)comm, (void)value, (void)extra;
    MPI_Op_free(&wq_mpi__values_max);
    MPI_Type_free(&wq_mpi__values_type);
    atomic_store_explicit(&wq_mpi__made, 0, memory_order_relaxed);
    (void)key;
    return MPI_SUCCESS;
}

static int wq_mpi__make(void)
{
    if (atomic_load_explicit(&wq_mpi__made, memory_order_acquire))
        return 0;
    int rc = 0, key = MPI_KEYVAL_INVALID;
    pthread_mutex_lock(&wq_mpi__made_lock);
    if (!atomic_load_explicit(&wq_mpi__made, memory_order_relaxed)) {
        int type = 0, op = 0;
        rc = WQ_MPI__IO(MPI_Type_contiguous(WQ_MPI__VALUES, MPI_UINT64_T,
                                            &wq_mpi__values_type));
        if (!rc && !(rc = WQ_MPI__IO(MPI_Type_commit(&wq_mpi__values_type))))
            type = 1;
        if (!rc && !(rc = WQ_MPI__IO(MPI_Op_create(wq_mpi__max_values, 1,
                                                   &wq_mpi__values_max))))
            op = 1;
        if (!rc)
            rc = WQ_MPI__IO(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN,
                                                   wq_mpi__unmake, &key,
                                                   NULL));
        if (!rc)
            rc = WQ_MPI__IO(MPI_Comm_set_attr(MPI_COMM_SELF, key, NULL));
        /* The attribute keeps the key alive until MPI_Finalize deletes
         * it; we need no handle on the key. */
        if (key != MPI_KEYVAL_INVALID)
            MPI_Comm_free_keyval(&key);
        if (rc) {
            if (op)
                MPI_Op_free(&wq_mpi__values_max);
            if (type)
                MPI_Type_free(&wq_mpi__values_type);
        } else {
            atomic_store_explicit(&wq_mpi__made, 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&wq_mpi__made_lock);
    return rc;
}

/* wq_mpi__agree up to WQ_MPI__GATHERED ranks: every rank reads the same
 * values, so every rank reaches the same verdict. */
static int wq_mpi__agree_gathered(MPI_Comm comm, int size,
                                  struct wq_mpi__agree *a)
{
    enum { N = WQ_MPI__SAME + 2 };
    uint64_t v[N], all[WQ_MPI__GATHERED * N];
    memcpy(v, a->same, sizeof a->same);
    v[WQ_MPI__SAME] = a->error;
    v[WQ_MPI__SAME + 1] = a->threads;
    if (MPI_Allgather(v, N, MPI_UINT64_T, all, N, MPI_UINT64_T, comm) !=
        MPI_SUCCESS)
        return EIO;
    int same = 1;
    for (int k = 0; k < size; k++) {
        const uint64_t *w = all + k * N;
        same &= !memcmp(w, all, sizeof a->same);
        if (w[WQ_MPI__SAME] > a->error)
            a->error = w[WQ_MPI__SAME];
        if (w[WQ_MPI__SAME + 1] > a->threads)
            a->threads = w[WQ_MPI__SAME + 1];
    }
    /* As the reduction's verdict: disagreement first, then an error. */
    return same ? (int)a->error : EINVAL;
}

int wq_mpi__agree(MPI_Comm comm, int size, struct wq_mpi__agree *a)
{
    if (size <= WQ_MPI__GATHERED)
        return wq_mpi__agree_gathered(comm, size, a);
    /* The maximum of each value and of its complement: they all agree
     * when max(x) == ~max(~x), that is when max(x) == min(x). */
    uint64_t v[WQ_MPI__VALUES];
    for (int i = 0; i < WQ_MPI__SAME; i++) {
        v[i] = a->same[i];
        v[WQ_MPI__SAME + i] = ~a->same[i];
    }
    v[2 * WQ_MPI__SAME] = a->error;
    v[2 * WQ_MPI__SAME + 1] = a->threads;
    /* Making the type and the operation fails only when MPI has run out
     * of memory for handles, a failure of MPI on this rank like that of
     * any of its calls: EIO here, and, as after any MPI error, the state
     * of MPI is what the implementation makes of it. */
    if (wq_mpi__make() ||
        MPI_Allreduce(MPI_IN_PLACE, v, 1, wq_mpi__values_type,
                      wq_mpi__values_max, comm) != MPI_SUCCESS)
        return EIO;
    a->error = v[2 * WQ_MPI__SAME];
    a->threads = v[2 * WQ_MPI__SAME + 1];
    for (int i = 0; i < WQ_MPI__SAME; i++)
        if (v[i] != ~v[WQ_MPI__SAME + i])
            return EINVAL;
    return (int)a->error;
}

int wq_mpi__static_share(MPI_Comm comm, size_t units, size_t fixed,
                         size_t threads, size_t *begin, size_t *end,
                         size_t *total)
{
    int rank, size;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS ||
        MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return EIO;
    if (fixed == units) {
        wq_mpi__split(units, (size_t)rank, 1, (size_t)size, begin, end);
        return 0;
    }
    uint64_t mine = threads, before = 0, all = 0;
    if (MPI_Exscan(&mine, &before, 1, MPI_UINT64_T, MPI_SUM, comm) !=
            MPI_SUCCESS ||
        MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, comm) !=
            MPI_SUCCESS)
        return EIO;
    /* Exscan leaves rank 0's result undefined: nothing is before it. */
    if (rank == 0)
        before = 0;
    *total = (size_t)all;
    wq_mpi__split(fixed, (size_t)before, threads, *total, begin, end);
    return 0;
}

int wq_mpi__lowest_error(MPI_Comm comm, int rank, int rc, int *out)
{
    int size;
    if (MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return EIO;
    /* MINLOC keeps the smallest value with its index: the value is the
     * rank of a failure (size: none), the index carries its code. */
    struct {
        int value, index;
    } mine = {rc ? rank : size, rc}, low;
    if (MPI_Allreduce(&mine, &low, 1, MPI_2INT, MPI_MINLOC, comm) !=
        MPI_SUCCESS)
        return EIO;
    *out = low.value < size ? low.index : 0;
    return 0;
}

int wq_mpi__counter_open(struct wq_mpi__counter *c, MPI_Comm comm, int root,
                         size_t units, size_t fixed, size_t threads,
                         size_t total)
{
    int rank;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return EIO;
    c->comm = comm;
    c->root = root;
    c->at_root = rank == root;
    c->units = units;
    c->seen = fixed;
    c->threads = threads;
    c->total = total;
    /* MPI_Win_allocate rather than a window over our own variable: it
     * lets the implementation place the counter where atomics are fast
     * (shared memory on one node), so no target needs to make progress. */
    if (MPI_Win_allocate(rank == root ? (MPI_Aint)sizeof(uint64_t) : 0,
                         (int)sizeof(uint64_t), MPI_INFO_NULL, comm,
                         &c->base, &c->win) != MPI_SUCCESS)
        return EIO;
    /* Window errors answer EIO, never abort: the call reports them. */
    int rc = WQ_MPI__IO(MPI_Win_set_errhandler(c->win, MPI_ERRORS_RETURN));
    if (!rc && rank == root) {
        rc = WQ_MPI__IO(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, root, 0, c->win));
        if (!rc) {
            *c->base = fixed;
            rc = WQ_MPI__IO(MPI_Win_unlock(root, c->win));
        }
    }
    /* No rank claims before root has set the counter. */
    if (!rc)
        rc = WQ_MPI__IO(MPI_Barrier(comm));
    if (!rc)
        rc = WQ_MPI__IO(MPI_Win_lock_all(0, c->win));
    if (rc)
        MPI_Win_free(&c->win);
    return rc;
}

int wq_mpi__counter_claim(struct wq_mpi__counter *c, size_t most,
                          size_t *begin, size_t *end, int *won)
{
    size_t want = wq_mpi__want(c->units, c->seen, c->threads, c->total);
    if (want > most)
        want = most;
    uint64_t add = want, got;
    if (c->at_root && wq_mpi__counter_serve(c))
        return EIO;
    if (MPI_Fetch_and_op(&add, &got, MPI_UINT64_T, c->root, 0, MPI_SUM,
                         c->win) != MPI_SUCCESS ||
        MPI_Win_flush(c->root, c->win) != MPI_SUCCESS)
        return EIO;
    *won = got < c->units && wq_mpi__won(c->units, (size_t)got, want, begin,
                                         end);
    c->seen = *won ? *end : c->units;
    return 0;
}

int wq_mpi__counter_serve(struct wq_mpi__counter *c)
{
    int flag;
    return WQ_MPI__IO(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &flag,
                                 MPI_STATUS_IGNORE));
}

/* How long root works between two chances for MPI to serve the others
 * (wq_mpi__served), in seconds: a claim waits about half of it, a slice
 * costs root one probe and one start of its pool. */
#define WQ_MPI__SLICE 2e-4

int wq_mpi__served(struct wq_mpi__counter *c, size_t begin, size_t end,
                   size_t least, size_t most, wq_mpi__run_fn run, void *arg)
{
    if (least == 0)
        least = 1;
    if (most < least)
        most = least;
    size_t slice = least;
    while (begin < end) {
        size_t stop = end - begin > slice ? begin + slice : end;
        double t0 = wq_now();
        int rc = run(arg, begin, stop);
        if (rc)
            return rc;
        double took = wq_now() - t0;
        if ((rc = wq_mpi__counter_serve(c)))
            return rc;
        if (took < WQ_MPI__SLICE / 2 && slice <= most / 2)
            slice *= 2;
        else if (took > 2 * WQ_MPI__SLICE && slice / 2 >= least)
            slice /= 2;
        begin = stop;
    }
    return 0;
}

int wq_mpi__counter_stop(struct wq_mpi__counter *c)
{
    uint64_t add = c->units, got;
    if (MPI_Fetch_and_op(&add, &got, MPI_UINT64_T, c->root, 0, MPI_SUM,
                         c->win) != MPI_SUCCESS ||
        MPI_Win_flush(c->root, c->win) != MPI_SUCCESS)
        return EIO;
    return 0;
}

int wq_mpi__counter_close(struct wq_mpi__counter *c)
{
    int rc = WQ_MPI__IO(MPI_Win_unlock_all(c->win));
    if (MPI_Win_free(&c->win) != MPI_SUCCESS)
        rc = EIO;
    return rc;
}
