/*
 * 004_pi_mpi.c - 004_pi's reduction across the ranks of an MPI program,
 * with a wq pool in each rank.
 *
 * Hybrid MPI+threads codes usually pick OMP_NUM_THREADS by hand, split the
 * range across ranks by hand, and print other last digits for every rank
 * count and thread count.  Here wq_mpi_pool_create sizes each rank's pool
 * to its share of its node's CPUs, wq_mpi_reduce hands the reduction's
 * blocks out across ranks as they ask for them, and the partials are
 * combined in the order wq_reduce combines them in one process: the line
 * printed is the very line 004_pi prints, bit for bit, for any mpirun -np
 * and any WQ_NUM_THREADS.
 *
 *   mpirun -np 4 ./004_pi_mpi [terms]        (default 100000000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>
#include <wq/mpi.h>

#include "pi.h"

int main(int argc, char **argv)
{
    int provided, rank, ranks;
    /* Only this thread calls MPI; the pool's threads never do. */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000000;

    wq_pool *pool;
    int rc = wq_mpi_pool_create(MPI_COMM_WORLD, &pool, NULL);
    if (rc) {
        fprintf(stderr, "wq_mpi_pool_create: %s\n", wq_strerror(rc));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    unsigned threads = wq_pool_size(pool), total;
    MPI_Reduce(&threads, &total, 1, MPI_UNSIGNED, MPI_SUM, 0, MPI_COMM_WORLD);

    const wq_reducer pi_sum = {sizeof(double), zero, fold, combine};
    double pi, t0 = wq_now();
    rc = wq_mpi_reduce(MPI_COMM_WORLD, pool, n, 0, &pi_sum, NULL, &pi);
    double t = wq_now() - t0;
    if (rc) {
        fprintf(stderr, "wq_mpi_reduce: %s\n", wq_strerror(rc));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    /* Every rank holds the same pi; one prints it. */
    if (rank == 0) {
        fprintf(stderr, "%zu terms, %d ranks, %u threads in all\n", n, ranks,
                total);
        printf("%-8s pi = %.16f, error %.3e\n", "wq:", pi,
               pi > PI ? pi - PI : PI - pi);
        fprintf(stderr, "    wall clock (wq_now) %7.3f s\n", t);
    }
    wq_pool_destroy(pool);
    MPI_Finalize();
    return 0;
}
