/*
 * check_cpu.c - wq_cpu_count and the pieces it is built from.
 *
 * The cgroup reader runs on sample file trees under tests/cgroup/<case>/
 * (see the README there), each a made-up /proc/self/{cgroup,mountinfo} and the
 * cgroup limit files they lead to, so every layout is tested on any machine.
 *
 * The cases that move threads between CPUs need two CPUs in the process's
 * affinity mask; with one they check only that nothing moves.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity, CPU_SET */
#endif

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include <wq.h>

#include "cpu.h"
#include "place.h"
#include "suites.h"
#include "util.h"

#ifndef WQ_TEST_SRCDIR
#define WQ_TEST_SRCDIR "tests"
#endif

#define TIMEOUT_S 10

/* Quotas in the trees are exact binary fractions or small ratios. */
#define EPS 1e-9

static double limit_of(const char *tree)
{
    char root[4096];
    int n = snprintf(root, sizeof root, "%s/cgroup/%s", WQ_TEST_SRCDIR, tree);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_lt((unsigned)n, sizeof root);
    return wq__cgroup_cpu_limit(root);
}

#define ck_assert_limit(tree, expected)                                        \
    ck_assert_double_eq_tol(limit_of(tree), (expected), EPS)

/* ------------------------------------------------- wq__cpu_count_from -- */

START_TEST(count_without_limits_is_affinity)
{
    ck_assert_uint_eq(wq__cpu_count_from(8, 0.0), 8);
    ck_assert_uint_eq(wq__cpu_count_from(1, 0.0), 1);
    ck_assert_uint_eq(wq__cpu_count_from(5000, 0.0), 5000);
}
END_TEST

START_TEST(count_rounds_quota_up)
{
    ck_assert_uint_eq(wq__cpu_count_from(8, 1.5), 2);
    ck_assert_uint_eq(wq__cpu_count_from(8, 2.0), 2);
    ck_assert_uint_eq(wq__cpu_count_from(8, 2.01), 3);
    ck_assert_uint_eq(wq__cpu_count_from(0, 1.5), 2);
}
END_TEST

START_TEST(count_is_at_least_one)
{
    ck_assert_uint_eq(wq__cpu_count_from(8, 0.2), 1);
    ck_assert_uint_eq(wq__cpu_count_from(0, 0.0), 1);
    ck_assert_uint_eq(wq__cpu_count_from(0, 1e-12), 1);
    ck_assert_uint_eq(wq__cpu_count_from(0, -3.0), 1);
}
END_TEST

START_TEST(count_quota_above_affinity_is_affinity)
{
    ck_assert_uint_eq(wq__cpu_count_from(4, 6.0), 4);
    ck_assert_uint_eq(wq__cpu_count_from(4, 3.5), 4);
    ck_assert_uint_eq(wq__cpu_count_from(4, 1e30), 4);
    ck_assert_uint_eq(wq__cpu_count_from(0, 1e30), 4294967295u);
}
END_TEST

/* ------------------------------------------------------------ cgroup v2 -- */

START_TEST(v2_max_is_no_limit)
{
    ck_assert_limit("v2-max", 0.0);
}
END_TEST

START_TEST(v2_quota_is_quota_over_period)
{
    ck_assert_limit("v2-quota", 1.5);
}
END_TEST

START_TEST(v2_stricter_parent_wins)
{
    ck_assert_limit("v2-nested", 1.0);
}
END_TEST

START_TEST(v2_without_limit_files_is_no_limit)
{
    ck_assert_limit("v2-no-files", 0.0);
}
END_TEST

START_TEST(v2_mount_point_is_unescaped)
{
    ck_assert_limit("escaped", 3.0);
}
END_TEST

/* ------------------------------------------------------------ cgroup v1 -- */

START_TEST(v1_quota_is_quota_over_period)
{
    /* The tree also has a cpuset mount with a smaller quota, which must not
     * be mistaken for the cpu controller. */
    ck_assert_limit("v1-quota", 2.0);
}
END_TEST

START_TEST(v1_quota_minus_one_is_no_limit)
{
    ck_assert_limit("v1-unlimited", 0.0);
}
END_TEST

/* --------------------------------------------------------------- hybrid -- */

START_TEST(hybrid_prefers_mounted_v1_cpu)
{
    ck_assert_limit("hybrid", 3.0);
}
END_TEST

START_TEST(hybrid_without_v1_cpu_mount_uses_v2)
{
    ck_assert_limit("hybrid-v2", 0.5);
}
END_TEST

/* ------------------------------------------------- mount root mapping -- */

START_TEST(container_root_is_stripped)
{
    /* A trap at sys/fs/cgroup/docker/abc catches the unmapped path. */
    ck_assert_limit("container", 2.5);
}
END_TEST

START_TEST(container_walk_stops_at_mount_point)
{
    ck_assert_limit("container-nested", 2.5);
}
END_TEST

START_TEST(path_outside_mount_root_uses_mount_point)
{
    ck_assert_limit("ns-fallback", 0.5);
}
END_TEST

START_TEST(path_climbing_out_uses_mount_point)
{
    ck_assert_limit("dotdot", 2.0);
}
END_TEST

/* -------------------------------------------------------- broken input -- */

START_TEST(missing_files_are_no_limit)
{
    ck_assert_limit("does-not-exist", 0.0);
    ck_assert_limit("empty", 0.0);
}
END_TEST

START_TEST(malformed_files_are_no_limit)
{
    ck_assert_limit("malformed-limits", 0.0);
    ck_assert_limit("malformed-mountinfo", 0.0);
    ck_assert_limit("malformed-cgroup", 0.0);
}
END_TEST

START_TEST(long_lines_are_skipped)
{
    ck_assert_limit("long-line", 1.5);
}
END_TEST

START_TEST(real_system_does_not_fail)
{
    ck_assert(wq__cgroup_cpu_limit("") >= 0.0);
    ck_assert(wq__cgroup_cpu_limit(NULL) >= 0.0);
}
END_TEST

/* --------------------------------------------------------- wq_cpu_count -- */

START_TEST(cpu_count_within_affinity)
{
    unsigned affinity = wq__affinity_cpus();
    unsigned n = wq_cpu_count();
    ck_assert_uint_ge(n, 1);
    if (affinity > 0)
        ck_assert_uint_le(n, affinity);
}
END_TEST

START_TEST(cpu_count_keeps_errno)
{
    /* wq.h: the library never sets errno, though reading files does. */
    errno = 12345;
    (void)wq_cpu_count();
    ck_assert_int_eq(errno, 12345);
}
END_TEST

/* ------------------------------------------------- moving off a CPU -- */

#ifdef __linux__
/* The first two CPUs of the calling thread's mask in *a and *b; 0 if it
 * holds fewer than two. */
static int two_cpus(cpu_set_t *mask, int *a, int *b)
{
    CPU_ZERO(mask);
    ck_assert_int_eq(sched_getaffinity(0, sizeof *mask, mask), 0);
    *a = *b = -1;
    for (int c = 0; c < CPU_SETSIZE && *b < 0; c++)
        if (CPU_ISSET(c, mask)) {
            if (*a < 0)
                *a = c;
            else
                *b = c;
        }
    return *b >= 0;
}

/* Put the calling thread on CPU `cpu`, leaving it the mask {a, b}. */
static void place_on(int cpu, int a, int b)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ck_assert_int_eq(sched_setaffinity(0, sizeof set, &set), 0);
    ck_assert_int_eq(sched_getcpu(), cpu);
    CPU_SET(a, &set);
    CPU_SET(b, &set);
    ck_assert_int_eq(sched_setaffinity(0, sizeof set, &set), 0);
}

static void assert_mask_is(int a, int b)
{
    cpu_set_t now;
    CPU_ZERO(&now);
    ck_assert_int_eq(sched_getaffinity(0, sizeof now, &now), 0);
    ck_assert_int_eq(CPU_COUNT(&now), a == b ? 1 : 2);
    ck_assert(CPU_ISSET(a, &now) && CPU_ISSET(b, &now));
}
#endif

START_TEST(leave_moves_and_keeps_mask)
{
#ifdef __linux__
    cpu_set_t mask;
    int a, b;
    ck_assert_int_ge(wq__cpu_current(), 0);
    if (!two_cpus(&mask, &a, &b))
        return;
    /* Once the mask {a, b} is back the kernel may move the thread again
     * before sched_getcpu looks (another program wanting the CPU, or
     * valgrind's scheduler), so a move is asserted to land at least once
     * in 20 tries each way; a leave that does not move lands only where
     * the kernel happens to move the thread, in every direction asked.
     * The mask must come back every time. */
    int there = 0, back = 0;
    for (int k = 0; k < 20 && !(there && back); k++) {
        place_on(a, a, b);
        wq__cpu_leave();
        there |= sched_getcpu() == b;
        assert_mask_is(a, b);
        place_on(b, a, b);
        wq__cpu_leave();
        back |= sched_getcpu() == a;
        assert_mask_is(a, b);
    }
    ck_assert(there && back);
    ck_assert_int_eq(sched_setaffinity(0, sizeof mask, &mask), 0);
#endif
}
END_TEST

START_TEST(leave_with_one_cpu_stays)
{
#ifdef __linux__
    cpu_set_t mask, one;
    int a, b;
    (void)two_cpus(&mask, &a, &b);
    CPU_ZERO(&one);
    CPU_SET(a, &one);
    ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
    wq__cpu_leave();
    ck_assert_int_eq(sched_getcpu(), a);
    assert_mask_is(a, a);
    ck_assert_int_eq(sched_setaffinity(0, sizeof mask, &mask), 0);
#else
    ck_assert_int_eq(wq__cpu_current(), -1);
#endif
}
END_TEST

#ifdef __linux__
struct crowd {
    int a, b;
    atomic_int placed;      /* the worker is on a, with mask {a, b} */
    atomic_int on_b;        /* a piece ran on the worker on CPU b */
    atomic_int mask_ok;     /* and the worker's mask was {a, b} there */
};

/* on_start: put the worker on the caller's CPU, as the kernel often does. */
static void crowd_start(void *arg, unsigned slot)
{
    struct crowd *c = arg;
    (void)slot;
    place_on(c->a, c->a, c->b);
    atomic_store(&c->placed, 1);
}

/* Keeps the busy work from being optimised away; atomic, since both
 * threads store to it. */
static _Atomic double crowd_sink;

static int crowd_body(void *arg, size_t begin, size_t end)
{
    struct crowd *c = arg;
    double x = 0;
    for (size_t i = begin; i < end; i++)
        for (int k = 0; k < 200; k++)
            x += (double)k * (double)(i + 1);
    atomic_store_explicit(&crowd_sink, x, memory_order_relaxed);
    if (wq_worker_index() == 1 && sched_getcpu() == c->b &&
        !atomic_load(&c->on_b)) {
        cpu_set_t now;
        CPU_ZERO(&now);
        int ok = sched_getaffinity(0, sizeof now, &now) == 0 &&
                 CPU_COUNT(&now) == 2 && CPU_ISSET(c->a, &now) &&
                 CPU_ISSET(c->b, &now);
        atomic_store(&c->mask_ok, ok);
        atomic_store(&c->on_b, 1);
    }
    return 0;
}
#endif

/* A worker that the kernel leaves on its loop owner's CPU gets to the other
 * one, and keeps its mask.  The owner is pinned to CPU a and the worker put
 * there too, with a mask of {a, b}; the worker spins between loops (it
 * never parks, so no wake-up places it anew).  Unaided, the kernel parted
 * such a pair within 3 loops about half the time; the move does it in the
 * first loop or two on an idle machine.  The bound is time, not loops:
 * under make -j check the other tests' threads keep CPU b busy, and a
 * worker moved there waits its turn on b while the owner, alone on a, runs
 * loop after loop (a bound of 20 loops, 4 ms under clang's
 * ThreadSanitizer here, once ran out in CI).  Not under valgrind, which
 * runs one thread of a process at a time: there the worker cannot help a
 * loop while its owner runs, wherever it is. */
#define LEAVE_WITHIN_S 5.0

START_TEST(worker_leaves_owner_cpu)
{
#ifdef __linux__
    cpu_set_t mask;
    struct crowd c = {0};
    if (RUNNING_ON_VALGRIND || !two_cpus(&mask, &c.a, &c.b))
        return;
    wq_options opt = {0};
    opt.threads = 2;
    opt.spin_us = 1000000;
    opt.on_start = crowd_start;
    opt.hook_arg = &c;
    wq_pool *pool;
    ck_assert_int_eq(wq_pool_create(&pool, &opt), 0);
    while (!atomic_load(&c.placed))
        sched_yield();
    place_on(c.a, c.a, c.a);
    long loops = 0;
    double start = wq_now(), took = 0;
    while (!atomic_load(&c.on_b) && took < LEAVE_WITHIN_S) {
        ck_assert_int_eq(wq_for(pool, 4096, 1, crowd_body, &c), 0);
        loops++;
        took = wq_now() - start;
    }
    wq_pool_destroy(pool);
    ck_assert_int_eq(sched_setaffinity(0, sizeof mask, &mask), 0);
    ck_assert_msg(atomic_load(&c.on_b),
                  "the worker stayed on the owner's CPU for %ld loops (%.1f s)",
                  loops, took);
    ck_assert(atomic_load(&c.mask_ok));
#endif
}
END_TEST

static TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, TIMEOUT_S);
    return tc;
}

Suite *suite_cpu(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc;

    tc = tcase("count_from");
    tcase_add_test(tc, count_without_limits_is_affinity);
    tcase_add_test(tc, count_rounds_quota_up);
    tcase_add_test(tc, count_is_at_least_one);
    tcase_add_test(tc, count_quota_above_affinity_is_affinity);
    suite_add_tcase(s, tc);

    tc = tcase("cgroup_v2");
    tcase_add_test(tc, v2_max_is_no_limit);
    tcase_add_test(tc, v2_quota_is_quota_over_period);
    tcase_add_test(tc, v2_stricter_parent_wins);
    tcase_add_test(tc, v2_without_limit_files_is_no_limit);
    tcase_add_test(tc, v2_mount_point_is_unescaped);
    suite_add_tcase(s, tc);

    tc = tcase("cgroup_v1");
    tcase_add_test(tc, v1_quota_is_quota_over_period);
    tcase_add_test(tc, v1_quota_minus_one_is_no_limit);
    suite_add_tcase(s, tc);

    tc = tcase("cgroup_hybrid");
    tcase_add_test(tc, hybrid_prefers_mounted_v1_cpu);
    tcase_add_test(tc, hybrid_without_v1_cpu_mount_uses_v2);
    suite_add_tcase(s, tc);

    tc = tcase("cgroup_mount_root");
    tcase_add_test(tc, container_root_is_stripped);
    tcase_add_test(tc, container_walk_stops_at_mount_point);
    tcase_add_test(tc, path_outside_mount_root_uses_mount_point);
    tcase_add_test(tc, path_climbing_out_uses_mount_point);
    suite_add_tcase(s, tc);

    tc = tcase("cgroup_broken");
    tcase_add_test(tc, missing_files_are_no_limit);
    tcase_add_test(tc, malformed_files_are_no_limit);
    tcase_add_test(tc, long_lines_are_skipped);
    tcase_add_test(tc, real_system_does_not_fail);
    suite_add_tcase(s, tc);

    tc = tcase("cpu_count");
    tcase_add_test(tc, cpu_count_within_affinity);
    tcase_add_test(tc, cpu_count_keeps_errno);
    suite_add_tcase(s, tc);

    tc = tcase("leave");
    tcase_add_test(tc, leave_moves_and_keeps_mask);
    tcase_add_test(tc, leave_with_one_cpu_stays);
    tcase_add_test(tc, worker_leaves_owner_cpu);
    suite_add_tcase(s, tc);

    return s;
}
