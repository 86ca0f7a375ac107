/*
 * pi.c - the pi reduction of seed 004, serial against wq.
 *
 *   pi = sum over i of (4 - 8 * (i % 2)) / (2i + 1)
 *
 * Usage: pi [intervals] [repetitions]   (default 10^8 and 5)
 * Prints the median wall-clock time (wq_now, not a CPU clock) of the serial
 * loop and of wq_reduce on pools of 1 to wq_cpu_count() threads, with the
 * speedup and parallel efficiency, and checks every result against the
 * serial one: wq's reduction is bitwise identical at every thread count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wq.h>

static double pi_terms(size_t begin, size_t end)
{
    double sum = 0.0;
    for (size_t i = begin; i < end; i++)
        sum += (double)(4 - 8 * (int)(i % 2)) / (double)(2 * i + 1);
    return sum;
}

static void pi_init(void *ctx, void *partial)
{
    (void)ctx;
    *(double *)partial = 0.0;
}

static int pi_fold(void *ctx, size_t begin, size_t end, void *partial)
{
    (void)ctx;
    *(double *)partial += pi_terms(begin, end);
    return 0;
}

static void pi_combine(void *ctx, void *partial, const void *other)
{
    (void)ctx;
    *(double *)partial += *(const double *)other;
}

static const wq_reducer pi_reducer = {sizeof(double), pi_init, pi_fold,
                                      pi_combine};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int reps)
{
    qsort(t, (size_t)reps, sizeof *t, by_value);
    return reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtod(argv[1], NULL) : 100000000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    unsigned cpus = wq_cpu_count();
    double t[64], serial_pi = 0, reference = 0;
    if (reps < 1 || reps > 64)
        reps = 5;

    /* The serial loop: the same blocks as wq_reduce folds, one thread. */
    for (int r = 0; r < reps; r++) {
        double t0 = wq_now();
        serial_pi = pi_terms(0, n);
        t[r] = wq_now() - t0;
    }
    double serial = median(t, reps);
    printf("pi by the alternating series, %zu intervals, median of %d runs\n",
           n, reps);
    printf("%-10s %8s %12s %9s %11s\n", "impl", "threads", "seconds",
           "speedup", "efficiency");
    printf("%-10s %8d %12.6f %9.2f %10.1f%%\n", "serial", 1, serial, 1.0,
           100.0);

    int status = 0;
    for (unsigned threads = 1; threads <= cpus; threads++) {
        wq_pool *pool;
        wq_options opt = {0};
        opt.threads = threads;
        int rc = wq_pool_create(&pool, &opt);
        if (rc) {
            fprintf(stderr, "wq_pool_create: %s\n", wq_strerror(rc));
            return 1;
        }
        double pi = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = wq_now();
            rc = wq_reduce(pool, n, 0, &pi_reducer, NULL, &pi);
            t[r] = wq_now() - t0;
            if (rc) {
                fprintf(stderr, "wq_reduce: %s\n", wq_strerror(rc));
                return 1;
            }
        }
        wq_pool_destroy(pool);
        if (threads == 1)
            reference = pi;
        else if (memcmp(&pi, &reference, sizeof pi) != 0) {
            fprintf(stderr, "result differs on %u threads\n", threads);
            status = 1;
        }
        double s = median(t, reps);
        printf("%-10s %8u %12.6f %9.2f %10.1f%%\n", "wq", threads, s,
               serial / s, 100.0 * serial / s / threads);
    }
    printf("pi = %.16f (error %.3g; serial loop %.16f)\n", reference,
           fabs(reference - M_PI), serial_pi);
    return status;
}
