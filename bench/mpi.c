/*
 * mpi.c - bench-mpi: libwq-mpi against what hybrid MPI codes write by hand
 * (bench/mpi.sh runs it under the MPI launcher and compares):
 *
 *   pi KIND [N]    the pi series (10^8 terms), one sum on every rank:
 *                  wq      wq_mpi_reduce on a pool of wq_mpi_pool_create;
 *                  local   wq_reduce in one rank (the 1 rank x T yardstick);
 *                  hybrid  each rank's static share by an OpenMP
 *                          reduction, then MPI_Allreduce;
 *                  plain   each rank's static share by a serial loop, then
 *                          MPI_Allreduce (one rank per CPU).
 *   tri KIND [N]   the triangular loop (row i costs i steps, 14000 rows):
 *                  wq, local as above; static: each rank's contiguous
 *                  share of the rows by wq_reduce, then MPI_Allreduce.
 *   latency KIND   one reduction of one item a rank (a double):
 *                  wq      wq_mpi_reduce with n = ranks;
 *                  allreduce  MPI_Allreduce of one double;
 *                  twice   two MPI_Allreduce of one double, one after the
 *                          other: the least a call can cost that agrees
 *                          on its arguments before it runs a callback and
 *                          then moves the partials (two collectives).
 *
 * Rank 0 prints one CSV row: scenario,kind,ranks,threads,n,median,min,max,
 * result, times in seconds (the latency: a call's mean over a batch), each
 * from REPS timed runs (WQ_BENCH_REPS, default 11) after one untimed; every
 * run starts and ends with a barrier, so a time is the slowest rank's.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <wq/mpi.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int rank, ranks;
static wq_pool *pool;

static double pi_terms(size_t begin, size_t end)
{
    double s = 0.0;
    for (size_t i = begin; i < end; i++)
        s += (double)(4 - 8 * (int)(i % 2)) / (double)(2 * i + 1);
    return s;
}

/* Row i of the triangle: i dependent xorshift steps. */
static double tri_rows(size_t begin, size_t end)
{
    double s = 0.0;
    for (size_t i = begin; i < end; i++) {
        uint64_t x = i + 1;
        for (size_t k = 0; k < i; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        s += (double)(x >> 11) * 0x1p-53;
    }
    return s;
}

static double (*kernel)(size_t, size_t);

static void zero(void *ctx, void *p)
{
    (void)ctx;
    *(double *)p = 0.0;
}

/* ctx: the offset of the loop's index 0 in the kernel's range. */
static int fold(void *ctx, size_t begin, size_t end, void *p)
{
    size_t at = *(const size_t *)ctx;
    *(double *)p += kernel(at + begin, at + end);
    return 0;
}

static void add(void *ctx, void *p, const void *q)
{
    (void)ctx;
    *(double *)p += *(const double *)q;
}

static const wq_reducer sum = {sizeof(double), zero, fold, add};

/* This rank's contiguous share of [0, n), as hand-written codes cut it. */
static void share(size_t n, size_t *begin, size_t *end)
{
    *begin = n * (size_t)rank / (size_t)ranks;
    *end = n * (size_t)(rank + 1) / (size_t)ranks;
}

static double run(const char *kind, size_t n)
{
    double x = 0.0, mine = 0.0;
    size_t b, e, zero_at = 0;
    if (!strcmp(kind, "wq")) {
        if (wq_mpi_reduce(MPI_COMM_WORLD, pool, n, 0, &sum, &zero_at, &x))
            MPI_Abort(MPI_COMM_WORLD, 2);
        return x;
    }
    if (!strcmp(kind, "local")) {
        if (wq_reduce(pool, n, 0, &sum, &zero_at, &x))
            MPI_Abort(MPI_COMM_WORLD, 2);
        return x;
    }
    share(n, &b, &e);
    if (!strcmp(kind, "static")) {
        if (wq_reduce(pool, e - b, 0, &sum, &b, &mine))
            MPI_Abort(MPI_COMM_WORLD, 2);
    } else if (!strcmp(kind, "hybrid")) {
        /* As hybrid codes write it: the rank's share cut into contiguous
         * pieces, an OpenMP reduction over them with the static
         * schedule (the kernel loops within a piece, as wq's fold does). */
        size_t pieces = 1024, len = e - b;
#pragma omp parallel for reduction(+ : mine) schedule(static)
        for (size_t k = 0; k < pieces; k++)
            mine += kernel(b + len * k / pieces, b + len * (k + 1) / pieces);
    } else if (!strcmp(kind, "plain")) {
        mine = kernel(b, e);
    } else {
        MPI_Abort(MPI_COMM_WORLD, 3);
    }
    MPI_Allreduce(&mine, &x, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return x;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One timed run of `once`, from barrier to barrier. */
static double timed(double (*once)(const char *, size_t), const char *kind,
                    size_t n, double *result)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    *result = once(kind, n);
    MPI_Barrier(MPI_COMM_WORLD);
    return MPI_Wtime() - t0;
}

/* A batch of reductions of one item a rank: each call's mean time. */
static double latency(const char *kind, size_t calls)
{
    size_t zero_at = 0;
    double one = 1.0, x;
    kernel = pi_terms;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (size_t k = 0; k < calls; k++) {
        if (!strcmp(kind, "wq")) {
            if (wq_mpi_reduce(MPI_COMM_WORLD, pool, (size_t)ranks, 0, &sum,
                              &zero_at, &x))
                MPI_Abort(MPI_COMM_WORLD, 2);
        } else {
            MPI_Allreduce(&one, &x, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
            if (!strcmp(kind, "twice"))
                MPI_Allreduce(&x, &one, 1, MPI_DOUBLE, MPI_MAX,
                              MPI_COMM_WORLD);
        }
    }
    double t = MPI_Wtime() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return t / (double)calls;
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (argc < 3) {
        if (!rank)
            fprintf(stderr, "usage: bench-mpi pi|tri|latency KIND [N]\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    const char *scenario = argv[1], *kind = argv[2];
    const char *r = getenv("WQ_BENCH_REPS");
    int reps = r && atoi(r) > 0 ? atoi(r) : 11;
    if (wq_mpi_pool_create(MPI_COMM_WORLD, &pool, NULL))
        MPI_Abort(MPI_COMM_WORLD, 2);
    unsigned threads = wq_pool_size(pool);
#ifdef _OPENMP
    if (!strcmp(kind, "hybrid"))
        threads = (unsigned)omp_get_max_threads();
#endif
    double *t = malloc((size_t)reps * sizeof *t), result = 0;
    size_t n;
    if (!strcmp(scenario, "latency")) {
        n = (size_t)ranks;
        latency(kind, 100); /* warm up */
        for (int i = 0; i < reps; i++)
            t[i] = latency(kind, 1000);
    } else {
        int pi = !strcmp(scenario, "pi");
        kernel = pi ? pi_terms : tri_rows;
        n = argc > 3 ? strtoul(argv[3], NULL, 10) : pi ? 100000000 : 14000;
        timed(run, kind, n, &result);
        for (int i = 0; i < reps; i++)
            t[i] = timed(run, kind, n, &result);
    }
    qsort(t, (size_t)reps, sizeof *t, by_value);
    if (!rank)
        printf("%s,%s,%d,%u,%zu,%.9g,%.9g,%.9g,%.17g\n", scenario, kind, ranks,
               threads, n, t[reps / 2], t[0], t[reps - 1], result);
    free(t);
    wq_pool_destroy(pool);
    MPI_Finalize();
    return 0;
}
