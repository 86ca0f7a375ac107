/*
 * cpu.h - how many CPUs this process may use (internal).
 *
 * wq_cpu_count() in wq.h is built from the three pieces below, kept apart so
 * the tests can feed each one made-up input: the affinity mask, the cgroup
 * quota read from a sample file tree, and the pure rule that joins them.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifndef WQ_CPU_H
#define WQ_CPU_H

/* CPUs in the calling thread's affinity mask (sched_getaffinity), sized for
 * any number of CPUs; where there is no affinity call, the online CPUs.
 * 0 if unknown. */
unsigned wq__affinity_cpus(void);

/* The cgroup (v1 or v2) CPU quota as a number of CPUs, quota / period: the
 * smallest over the process's cgroup and its ancestors up to the cgroup mount
 * point.  0.0 if there is no quota or it cannot be read.
 *
 * root  prefix put before every absolute path read (/proc/self/cgroup,
 *       /proc/self/mountinfo, the cgroup files): "" or NULL for the real
 *       system, a directory holding a sample tree in tests. */
double wq__cgroup_cpu_limit(const char *root);

/* min(affinity, ceil(quota)), where 0 stands for "unknown" or "no limit" and
 * drops out; never below 1.  Pure. */
unsigned wq__cpu_count_from(unsigned affinity, double quota);

#endif /* WQ_CPU_H */
