#!/usr/bin/env python3
"""pool.py - the Python side of the benchmark: pi and the random walks with
multiprocessing.Pool, in the way the seed tutorials use it, so that wq's
figures can be read next to the ones those tutorials teach.

    pool.py IMPL WORKLOAD [threads [size [chunk [inner]]]] [quick]
    pool.py --list

IMPL is python-serial (a plain loop in this process) or python-pool
(Pool(threads).map).  It prints the same CSV row as the C programs:
workload,impl,threads,size,chunk,median,min,max,check.

pi: [0, n) is cut into one interval per process and the partial sums of
Pool.map are added up (seed 004).  walk: Pool.map over the walk indices with
Pool's own chunking (seed 000), each walk drawing its steps from Philox4x32-10
keyed by (walk, seed), the very bits bench/walk.c draws, so the fingerprint
must equal the C programs'.  Only the map is timed, not starting the pool,
and only once a process (inner is ignored: Python is slow enough that the
driver's repetitions give the median).
"""

import math
import multiprocessing as mp
import sys
import time

SEED = 20240611  # BENCH_SEED in random.h
STEPS = 1000
MASK32 = 0xFFFFFFFF


def philox4x32(ctr, key):
    """Random123's Philox4x32-10 of a 4-word counter under a 2-word key."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & MASK32,
                          (p0 >> 32) ^ c3 ^ k1, p0 & MASK32)
        k0 = (k0 + 0x9E3779B9) & MASK32
        k1 = (k1 + 0xBB67AE85) & MASK32
    return c0, c1, c2, c3


def walk(index):
    """One walk of STEPS steps; two bits a step, 64 steps a Philox call."""
    x = y = 0
    key = (index, SEED)
    for call in range((STEPS + 63) // 64):
        words = philox4x32((call, 0, 0, 0), key)
        for s in range(min(64, STEPS - call * 64)):
            word = words[s // 16] >> (2 * (s % 16))
            x += 1 if word & 1 else -1
            y += 1 if word & 2 else -1
    return x, y


def walk_check(ends):
    d2 = h = 0
    for x, y in ends:
        d2 += x * x + y * y
        h = (h * 1000003 + (x + STEPS) * 4096 + (y + STEPS)) % 2**64
    return "%d:%016x" % (d2, h)


def approx_pi(interval):
    start, end = interval
    pi = 0.0
    for i in range(start, end):
        pi += (4 - 8 * (i % 2)) / float(2 * i + 1)
    return pi


def intervals(n, parts):
    size = n // parts
    cuts = [[p * size, (p + 1) * size] for p in range(parts)]
    cuts[-1][1] = n
    return cuts


def run_pi(pool, threads, n):
    if pool is None:
        return approx_pi((0, n))
    return sum(pool.map(approx_pi, intervals(n, threads)))


def run_walk(pool, threads, n):
    if pool is None:
        return [walk(i) for i in range(n)]
    return pool.map(walk, range(n))


WORKLOADS = {
    # name: (run, default size, quick size, fingerprint, check)
    "pi": (run_pi, 10**8, 10**6, lambda v: "%.10f" % v,
           lambda v, n: abs(v - math.pi) <= 4.0 / (2 * n + 1) + 1e-9),
    "walk": (run_walk, 10**4, 10**3, walk_check,
             lambda v, n: all(abs(x) <= STEPS and x % 2 == 0 for x, _ in v)),
}
IMPLS = ("python-serial", "python-pool")


def warm_up(_):
    return 0


def main(argv):
    if argv[1:] == ["--list"]:
        print(" ".join(IMPLS))
        print(" ".join(WORKLOADS))
        return 0
    quick = argv[-1] == "quick"
    args = argv[1:-1] if quick else argv[1:]
    if len(args) < 2 or args[0] not in IMPLS or args[1] not in WORKLOADS:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    nums = [int(float(a)) for a in args[2:6]] + [1, 0, 0, 1][len(args) - 2:]
    threads, size, chunk = nums[:3]
    impl, name = args[0], args[1]
    run, full, small, fingerprint, check = WORKLOADS[name]
    size = size or (small if quick else full)
    if impl == "python-serial" and threads != 1:
        return 2
    pool = mp.Pool(threads) if impl == "python-pool" else None
    if pool is not None:
        pool.map(warm_up, range(threads))  # every worker up before timing
    t0 = time.time()
    value = run(pool, threads, size)
    seconds = time.time() - t0
    if pool is not None:
        pool.close()
        pool.join()
    print("%s,%s,%d,%d,%d,%.9g,%.9g,%.9g,%s" % (
        name, impl, threads, size, chunk, seconds, seconds, seconds,
        fingerprint(value)))
    return 0 if check(value, size) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
