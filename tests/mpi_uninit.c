/*
 * mpi_uninit.c - libwq-mpi before MPI_Init and after MPI_Finalize: every
 * function answers EINVAL and calls nothing of MPI but MPI_Initialized and
 * MPI_Finalized (which MPI allows then; any other call would abort).
 * Prints "mpi_uninit: ok" and exits 0 if so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <wq/mpi.h>

static void zero(void *ctx, void *p)
{
    (void)ctx;
    *(double *)p = 0;
}

static int fold(void *ctx, size_t b, size_t e, void *p)
{
    (void)ctx;
    *(double *)p += (double)(e - b);
    return 0;
}

static void add(void *ctx, void *p, const void *q)
{
    (void)ctx;
    *(double *)p += *(const double *)q;
}

static int copy(void *ctx, const void *in, void *out)
{
    (void)ctx;
    *(double *)out = *(const double *)in;
    return 0;
}

/* Every function once; the number that did not answer EINVAL. */
static int all_refused(void)
{
    const wq_reducer r = {sizeof(double), zero, fold, add};
    double x = 1, y;
    size_t b, e;
    wq_pool *pool = NULL;
    int wrong = 0;
    wrong += wq_mpi_reduce(MPI_COMM_WORLD, NULL, 10, 0, &r, NULL, &x) != EINVAL;
    wrong += wq_mpi_map(MPI_COMM_WORLD, 0, NULL, 1, 0, &x, sizeof x, &y,
                        sizeof y, copy, NULL) != EINVAL;
    wrong += wq_mpi_share(MPI_COMM_WORLD, NULL, 10, 0, &b, &e) != EINVAL;
    wrong += wq_mpi_pool_create(MPI_COMM_WORLD, &pool, NULL) != EINVAL;
    wrong += pool != NULL;
    return wrong;
}

int main(int argc, char **argv)
{
    int wrong = all_refused(), provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return EXIT_FAILURE;
    /* Initialised, it works. */
    const wq_reducer r = {sizeof(double), zero, fold, add};
    double x = 0;
    if (wq_mpi_reduce(MPI_COMM_WORLD, NULL, 10, 0, &r, NULL, &x) || x != 10)
        wrong++;
    MPI_Finalize();
    wrong += all_refused();
    printf("mpi_uninit: %s\n", wrong ? "FAILED" : "ok");
    return wrong ? EXIT_FAILURE : EXIT_SUCCESS;
}
