/*
 * 001_total_racy.c - DELIBERATELY WRONG: threads adding into one global.
 *
 * This is the shared-memory pitfall of the slow-add tutorial carried over
 * to threads (see 001_total.c for the story and the fixes).  Every thread
 * does `total += i + 1` on the same global: a load, an add and a store.
 * When two threads load the same old value, both store their own sum and
 * one of the two additions is lost.  C11 calls this a data race: the
 * behaviour is undefined, and ThreadSanitizer reports it at once.
 * `volatile` only makes the compiler do the load and store every time,
 * which makes the loss easier to see; it does not make the add atomic.
 *
 * Built only on request:  make examples-racy && ./examples/001_total_racy
 */
#include <stdio.h>
#include <stdlib.h>

#include <wq.h>

static volatile unsigned long long total; /* shared by every thread */

static int add_racy(void *ctx, size_t begin, size_t end)
{
    (void)ctx;
    for (size_t i = begin; i < end; i++)
        total += i + 1; /* the race */
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    unsigned long long want = n * (n + 1) / 2;
    int rc = wq_for(NULL, (size_t)n, 0, add_racy, NULL);
    if (rc)
        return fprintf(stderr, "wq_for: %s\n", wq_strerror(rc)), 1;
    printf("%u threads: total = %llu, should be %llu: %s\n",
           wq_pool_size(NULL), total, want,
           total == want ? "right this time (run it again, or on more cores)"
                         : "updates were lost");
    return 0;
}
