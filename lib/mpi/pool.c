/*
 * pool.c - wq_mpi_pool_create (a pool sized to this rank's share of its
 * node) and wq_mpi_share (shares of a range in proportion to pools).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "common.h"

/* Whether WQ_NUM_THREADS holds a positive integer, as the core reads it. */
static int wq_mpi__env_threads(void)
{
    const char *s = getenv("WQ_NUM_THREADS");
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return end != s && *end == '\0' && v > 0;
}

/* The pool size for this rank: each CPU of its affinity mask counts 1/k
 * when k ranks of comm on its node may use it (one MPI_Comm_split_type,
 * one MPI_Allreduce of per-CPU counts there), rounded down, scaled to the
 * cgroup's quota, at least 1.  0 or EIO. */
static int wq_mpi__node_threads(MPI_Comm comm, int rank, unsigned *threads)
{
    MPI_Comm node;
    cpu_set_t mine;
    CPU_ZERO(&mine);
    if (sched_getaffinity(0, sizeof mine, &mine) || !CPU_COUNT(&mine))
        CPU_SET(0, &mine); /* unknown: one CPU, shared with every rank */
    int users[CPU_SETSIZE];
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        users[cpu] = CPU_ISSET(cpu, &mine) != 0;
    if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL,
                            &node) != MPI_SUCCESS)
        return EIO;
    int rc = WQ_MPI__IO(MPI_Allreduce(MPI_IN_PLACE, users, CPU_SETSIZE,
                                      MPI_INT, MPI_SUM, node));
    MPI_Comm_free(&node);
    if (rc)
        return rc;
    double share = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &mine))
            share += 1.0 / users[cpu];
    /* The cgroup's quota lowers what the mask allows, in proportion. */
    unsigned cpus = (unsigned)CPU_COUNT(&mine), usable = wq_cpu_count();
    if (usable < cpus)
        share = share * usable / cpus;
    /* The small epsilon keeps k ranks on k * m CPUs at m each despite
     * rounding in the sum of 1/k's. */
    *threads = share < 1 ? 1 : (unsigned)(share + 1e-9);
    return 0;
}

int wq_mpi_pool_create(MPI_Comm comm, wq_pool **pool, const wq_options *opt)
{
    int rank, size, rc = wq_mpi__ready(comm, &rank, &size);
    if (rc)
        return rc;
    unsigned threads = 0;
    /* Every rank takes part in the split, whatever its options. */
    rc = wq_mpi__node_threads(comm, rank, &threads);
    wq_options o = {0};
    if (opt)
        o = *opt;
    if (!pool)
        rc = rc ? rc : EINVAL;
    else if (!rc && !o.threads && !wq_mpi__env_threads())
        o.threads = threads;
    wq_pool *made = NULL;
    if (!rc)
        rc = wq_pool_create(&made, &o);
    int agreed;
    if (wq_mpi__lowest_error(comm, rank, rc, &agreed))
        agreed = EIO;
    if (agreed) {
        if (made)
            wq_pool_destroy(made);
        return agreed;
    }
    *pool = made;
    return 0;
}

int wq_mpi_share(MPI_Comm comm, wq_pool *pool, size_t n, size_t chunk,
                 size_t *begin, size_t *end)
{
    int rank, size, rc = wq_mpi__ready(comm, &rank, &size);
    if (rc)
        return rc;
    uint64_t threads = wq_pool_size(pool);
    struct wq_mpi__agree a = {{n, chunk}, 0, threads};
    a.error = !begin || !end ? EINVAL : threads ? 0 : ENOMEM;
    uint64_t *all = malloc((size_t)size * sizeof *all);
    if (!a.error && !all)
        a.error = ENOMEM;
    rc = wq_mpi__agree(comm, size, &a);
    if (!rc && MPI_Allgather(&threads, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T,
                             comm) != MPI_SUCCESS)
        rc = EIO;
    if (!rc) {
        size_t before = 0, total = 0;
        for (int k = 0; k < size; k++) {
            before += k < rank ? (size_t)all[k] : 0;
            total += (size_t)all[k];
        }
        /* Whole chunks are shared out; the last may be short. */
        size_t units = chunk ? n / chunk + (n % chunk != 0) : n, lo, hi;
        wq_mpi__split(units, before, (size_t)threads, total, &lo, &hi);
        size_t unit = chunk ? chunk : 1;
        *begin = lo == units ? n : lo * unit;
        *end = hi == units ? n : hi * unit;
    }
    free(all);
    return rc;
}
