/*
 * 001_total.c - adding into one total from many threads: the right ways.
 *
 * The Python pattern it replaces: a mapped function adds its argument to a
 * global `total`.  With processes that silently does nothing useful: each
 * worker process adds into its own copy of the global, and the parent's
 * total stays 0.  With threads the global really is shared, which looks
 * like it fixes the problem and instead creates a worse one: `total += x` is
 * a read, an add and a write, and two threads that read the same old value
 * both write their own sum, so one update is lost.  In C that is a data
 * race, undefined behaviour; 001_total_racy.c (built only by `make
 * examples-racy`, since it is wrong on purpose) shows the lost updates.
 *
 * Two correct versions:
 *   - an atomic add: correct, but every thread fights for the one cache
 *     line that holds the total, so it scales badly;
 *   - a reduction (wq_reduce): each block of the range sums into its own
 *     partial and the partials are added at the end, in a fixed order.  No
 *     sharing while the loop runs, and the same result on any thread count.
 *
 *   ./001_total [n]        (adds 1 + 2 + ... + n; default 10000000)
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <wq.h>

/* The atomic version: correct, contended. */
static int add_atomic(void *ctx, size_t begin, size_t end)
{
    _Atomic unsigned long long *total = ctx;
    for (size_t i = begin; i < end; i++)
        atomic_fetch_add_explicit(total, i + 1, memory_order_relaxed);
    return 0;
}

/* The reduction: a partial sum is an unsigned long long. */
static void zero(void *ctx, void *partial)
{
    (void)ctx;
    *(unsigned long long *)partial = 0;
}

static int add_range(void *ctx, size_t begin, size_t end, void *partial)
{
    unsigned long long sum = 0;
    (void)ctx;
    for (size_t i = begin; i < end; i++)
        sum += i + 1;
    *(unsigned long long *)partial += sum;
    return 0;
}

static void add_partials(void *ctx, void *partial, const void *other)
{
    (void)ctx;
    *(unsigned long long *)partial += *(const unsigned long long *)other;
}

static void report(const char *how, unsigned long long got,
                   unsigned long long want, double secs)
{
    printf("%-10s total = %llu (%s)\n", how, got,
           got == want ? "right" : "WRONG");
    fprintf(stderr, "    %.3f s\n", secs);
}

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    unsigned long long want = n * (n + 1) / 2;
    fprintf(stderr, "%u threads\n", wq_pool_size(NULL));

    _Atomic unsigned long long total = 0;
    double t0 = wq_now();
    int rc = wq_for(NULL, (size_t)n, 0, add_atomic, &total);
    if (rc)
        return fprintf(stderr, "wq_for: %s\n", wq_strerror(rc)), 1;
    report("atomic:", atomic_load(&total), want, wq_now() - t0);

    const wq_reducer sum = {sizeof(unsigned long long), zero, add_range,
                            add_partials};
    unsigned long long result;
    t0 = wq_now();
    rc = wq_reduce(NULL, (size_t)n, 0, &sum, NULL, &result);
    if (rc)
        return fprintf(stderr, "wq_reduce: %s\n", wq_strerror(rc)), 1;
    report("reduction:", result, want, wq_now() - t0);
    return 0;
}
