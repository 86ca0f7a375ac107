/*
 * 005_primes.c - after reductions, scans: the primes below n, found in
 * parallel and kept in order.
 *
 * The Python pattern it follows: after summing a series with Pool.map and
 * sum() (004), keep the items that pass a test, in order:
 *
 *     flags = pool.map(is_prime, range(n))
 *     primes = [x for x, keep in zip(range(n), flags) if keep]
 *
 * The filter is the serial step: it walks every flag, and the parallel map
 * had to keep n of them.  Run in parallel, each thread may test its own
 * range, but where does its first prime go in the output?  At the number
 * of primes before its range: a prefix (a running count) of the counts of
 * every range before it.  That is a scan.
 *
 * wq_scan takes the reduction of 004 and adds one callback.  fold counts
 * the primes of a range into a partial and combine adds two counts, as in
 * a reduction; scan writes the primes of a range, starting at the count of
 * those before it, which wq hands it.  The blocks and their prefixes depend
 * only on n and the chunk, so the list, and everything printed below, is
 * the same on any thread count.  The price: each number is tested twice,
 * once by fold (for the counts) and once by scan (to write it), except in
 * the first block, which needs no count before it.
 *
 *   ./005_primes [n]        (default 2000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wq.h>

#include "bar.h"

/* Trial division by 2, 3 and the numbers 6k +- 1. */
static int is_prime(uint64_t x)
{
    if (x < 4)
        return x >= 2;
    if (x % 2 == 0 || x % 3 == 0)
        return 0;
    for (uint64_t d = 5; d * d <= x; d += 6)
        if (x % d == 0 || x % (d + 2) == 0)
            return 0;
    return 1;
}

/* The serial loop: the primes below n, in order, into out; their count. */
static size_t primes_serial(size_t n, uint64_t *out)
{
    size_t count = 0;
    for (size_t x = 0; x < n; x++)
        if (is_prime(x))
            out[count++] = x;
    return count;
}

/* The scan's partial is a count of primes. */
static void zero(void *ctx, void *count)
{
    (void)ctx;
    *(size_t *)count = 0;
}

static int count_primes(void *ctx, size_t begin, size_t end, void *count)
{
    (void)ctx;
    size_t c = 0;
    for (size_t x = begin; x < end; x++)
        c += (size_t)is_prime(x);
    *(size_t *)count += c;
    return 0;
}

static void add(void *ctx, void *count, const void *other)
{
    (void)ctx;
    *(size_t *)count += *(const size_t *)other;
}

/* running: the primes below begin.  The primes of [begin, end) go right
 * after them, and running ends as the primes below end. */
static int write_primes(void *ctx, size_t begin, size_t end, void *running)
{
    uint64_t *out = ctx;
    size_t at = *(size_t *)running;
    for (size_t x = begin; x < end; x++)
        if (is_prime(x))
            out[at++] = x;
    *(size_t *)running = at;
    return 0;
}

static void print_primes(const char *how, const uint64_t *p, size_t count)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += p[i];
    printf("%s %zu primes, sum %llu; the first:", how, count,
           (unsigned long long)sum);
    for (size_t i = 0; i < count && i < 10; i++)
        printf(" %llu", (unsigned long long)p[i]);
    printf("; the last: %llu\n",
           count ? (unsigned long long)p[count - 1] : 0ull);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
    /* At most n / 2 + 1 numbers below n are prime. */
    uint64_t *serial = malloc((n / 2 + 1) * sizeof *serial);
    uint64_t *parallel = malloc((n / 2 + 1) * sizeof *parallel);
    if (!serial || !parallel)
        return fprintf(stderr, "out of memory\n"), 1;
    wq_options opt = bar_options("primes");
    wq_pool *pool;
    int rc = wq_pool_create(&pool, &opt);
    if (rc)
        return fprintf(stderr, "wq_pool_create: %s\n", wq_strerror(rc)), 1;
    fprintf(stderr, "primes below %zu, %u threads\n", n, wq_pool_size(pool));

    double t0 = wq_now();
    size_t count = primes_serial(n, serial);
    fprintf(stderr, "serial: %.3f s\n", wq_now() - t0);
    print_primes("serial:", serial, count);

    const wq_scanner keep_primes = {sizeof(size_t), zero, count_primes, add,
                                    write_primes};
    size_t total;
    t0 = wq_now();
    rc = wq_scan(pool, n, 0, &keep_primes, parallel, &total);
    if (rc)
        return fprintf(stderr, "wq_scan: %s\n", wq_strerror(rc)), 1;
    fprintf(stderr, "wq:     %.3f s\n", wq_now() - t0);
    print_primes("wq:    ", parallel, total);
    printf("parallel list equals the serial one: %s\n",
           total == count && !memcmp(serial, parallel, count * sizeof *serial)
               ? "yes"
               : "NO");
    wq_pool_destroy(pool);
    free(serial);
    free(parallel);
    return 0;
}
