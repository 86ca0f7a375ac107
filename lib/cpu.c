/*
 * cpu.c - how many CPUs this process may use.
 *
 * A container is often given the whole machine's affinity mask and a CPU
 * quota through its cgroup; sizing a pool by the mask alone then runs, say,
 * 64 threads on 2 CPUs' worth of time, and the kernel throttles them all in
 * turn.  So the count is the smaller of the mask and the quota.
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <wq.h>

#include "cpu.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Longest line of /proc/self/cgroup or mountinfo that is parsed; longer ones
 * are skipped whole. */
#define WQ__LINE_MAX 4096
/* mountinfo has 10 fields plus a few optional ones; more means garbage. */
#define WQ__MOUNT_FIELDS_MAX 32
/* The largest affinity mask asked for, in CPUs (Linux's NR_CPUS tops out at
 * 8192 today). */
#define WQ__MASK_CPUS_MAX (1 << 20)

enum { CG_V1, CG_V2, CG_VERSIONS };

/* Scratch space for one wq__cgroup_cpu_limit call.  It lives on the heap:
 * wq_cpu_count may run on a worker thread whose stack is only
 * PTHREAD_STACK_MIN bytes, less than these buffers. */
struct cg_scratch {
    char line[WQ__LINE_MAX + 2];     /* + 2: the newline and the NUL */
    char path[CG_VERSIONS][PATH_MAX]; /* cgroup path per version; "" none */
    char mount_point[PATH_MAX];
    char dir[PATH_MAX]; /* root + mount point + cgroup path */
    char file[PATH_MAX];
};

/* ----------------------------------------------------------- affinity -- */

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n <= (long)UINT_MAX ? (unsigned)n : 0;
}

#ifdef __linux__
/* The mask is sized at run time because a fixed cpu_set_t holds only 1024
 * CPUs, and the kernel refuses (EINVAL) a mask smaller than its own. */
static unsigned mask_cpus(void)
{
    for (int ncpu = CPU_SETSIZE; ncpu <= WQ__MASK_CPUS_MAX; ncpu *= 2) {
        cpu_set_t *set = CPU_ALLOC(ncpu);
        size_t size = CPU_ALLOC_SIZE(ncpu);
        int count = 0, err = 0;
        if (!set)
            return 0;
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0)
            count = CPU_COUNT_S(size, set);
        else
            err = errno;
        CPU_FREE(set);
        if (err != EINVAL)
            return count > 0 ? (unsigned)count : 0;
    }
    return 0;
}
#else
static unsigned mask_cpus(void)
{
    return 0;
}
#endif

unsigned wq__affinity_cpus(void)
{
    unsigned n = mask_cpus();
    return n > 0 ? n : online_cpus();
}

/* ---------------------------------------------------------- file text -- */

/* Opens the file named a followed by b; NULL if the name is too long or the
 * file cannot be opened.  Close-on-exec, so a concurrent fork+exec in the
 * program does not inherit it. */
static FILE *open_joined(char *name, size_t size, const char *a, const char *b)
{
    int len = snprintf(name, size, "%s%s", a, b);
    int fd;
    FILE *f;
    if (len < 0 || (size_t)len >= size)
        return NULL;
    fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "r");
    if (!f)
        close(fd);
    return f;
}

/* Reads the next line that fits in buf, without its newline; lines too long
 * (or holding a NUL byte) are skipped to their end.  0 at end of file. */
static int read_line(FILE *f, char *buf, size_t size)
{
    int c;
    for (;;) {
        size_t n;
        if (!fgets(buf, (int)size, f))
            return 0;
        n = strlen(buf);
        if (n > 0 && buf[n - 1] == '\n') {
            buf[n - 1] = '\0';
            return 1;
        }
        if (feof(f) && n + 1 < size)
            return 1;
        while ((c = getc(f)) != EOF && c != '\n')
            ;
    }
}

/* Whether the comma-separated list holds tok ("cpu" is in "cpu,cpuacct" but
 * not in "cpuset"). */
static int has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = list; p; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, tok, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

static void copy_bounded(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = 0; /* too long to be a usable path: treat as absent */
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Parses a decimal count without touching errno; returns the character after
 * it, or NULL if there is no digit or it overflows. */
static const char *parse_count(const char *p, unsigned long long *out)
{
    unsigned long long v = 0;
    if (*p < '0' || *p > '9')
        return NULL;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return NULL;
        v = v * 10 + d;
    }
    *out = v;
    return p;
}

static int at_end(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    return *p == '\0';
}

/* ---------------------------------------------------- /proc/self/cgroup -- */

/* Finds the cgroup of each version that can hold a CPU limit.  Lines are
 * "ID:CONTROLLERS:PATH": v2's is "0::PATH", v1's lists "cpu" among its
 * controllers.  The path runs to the end of the line and may hold ':'. */
static void read_proc_cgroup(struct cg_scratch *s, const char *root)
{
    FILE *f = open_joined(s->file, sizeof s->file, root, "/proc/self/cgroup");
    s->path[CG_V1][0] = s->path[CG_V2][0] = '\0';
    if (!f)
        return;
    while (read_line(f, s->line, sizeof s->line)) {
        char *controllers = strchr(s->line, ':');
        char *path = controllers ? strchr(controllers + 1, ':') : NULL;
        int v;
        if (!path || path[1] != '/')
            continue;
        *controllers++ = '\0';
        *path++ = '\0';
        if (strcmp(s->line, "0") == 0 && *controllers == '\0')
            v = CG_V2;
        else if (has_token(controllers, "cpu"))
            v = CG_V1;
        else
            continue;
        if (s->path[v][0] == '\0')
            copy_bounded(s->path[v], sizeof s->path[v], path);
    }
    fclose(f);
}

/* -------------------------------------------------- /proc/self/mountinfo -- */

/* Undoes mountinfo's octal escapes (a space in a path reads "\040"). */
static void unescape_octal(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
            s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
                            (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* Splits a mountinfo line, "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...]
 * - FSTYPE SOURCE SUPER_OPTIONS", into fields; returns the index of the "-"
 * or -1 if the line is malformed. */
static int split_mountinfo(char *line, char **field)
{
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        if (n == WQ__MOUNT_FIELDS_MAX)
            return -1;
        field[n++] = t;
    }
    for (int i = 6; i + 3 < n; i++)
        if (strcmp(field[i], "-") == 0)
            return i;
    return -1;
}

static int is_cpu_mount(char **field, int sep, int v)
{
    if (v == CG_V2)
        return strcmp(field[sep + 1], "cgroup2") == 0;
    return strcmp(field[sep + 1], "cgroup") == 0 &&
           has_token(field[sep + 3], "cpu");
}

/* Whether a path climbs with "..": cgroup namespaces print the cgroups
 * outside the namespace that way, and following it would leave the mount. */
static int has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

/* Where the cgroup lies below the mount point, or NULL if this mount does not
 * show it.  /proc/self/cgroup gives paths from the top of the hierarchy, but a
 * mount may show only a subtree (mountinfo's root field): a container sees its
 * host cgroup "/docker/abc" mounted as /sys/fs/cgroup, so that prefix goes. */
static const char *path_in_mount(const char *cgroup, const char *mount_root)
{
    size_t n = strlen(mount_root);
    if (has_dotdot(cgroup))
        return NULL;
    if (strcmp(mount_root, "/") == 0)
        return cgroup;
    if (strncmp(cgroup, mount_root, n) == 0 &&
        (cgroup[n] == '\0' || cgroup[n] == '/'))
        return cgroup + n;
    return NULL;
}

/* Sets s->dir to root + mount point + rel, without trailing slashes; returns
 * the length of its root + mount point part, or 0 if it does not fit. */
static size_t build_dir(struct cg_scratch *s, const char *root, const char *rel)
{
    int base = snprintf(s->dir, sizeof s->dir, "%s%s", root, s->mount_point);
    int len = snprintf(s->dir, sizeof s->dir, "%s%s%s", root, s->mount_point,
                       rel);
    if (base <= 0 || len < 0 || (size_t)len >= sizeof s->dir)
        return 0;
    while (len > base && s->dir[len - 1] == '/')
        s->dir[--len] = '\0';
    return (size_t)base;
}

/* Finds the mount of the version-v hierarchy holding s->path[v] and builds
 * s->dir; returns as build_dir does, 0 when there is no such mount.  When no
 * mount shows the cgroup (a cgroup namespace hides the host's paths), the
 * mount point itself is the process's own cgroup as far as it can see. */
static size_t locate_cgroup(struct cg_scratch *s, const char *root, int v)
{
    FILE *f =
        open_joined(s->file, sizeof s->file, root, "/proc/self/mountinfo");
    const char *rel = NULL;
    int found = 0;
    if (!f)
        return 0;
    while (!rel && read_line(f, s->line, sizeof s->line)) {
        char *field[WQ__MOUNT_FIELDS_MAX];
        int sep = split_mountinfo(s->line, field);
        const char *in_mount;
        if (sep < 0 || !is_cpu_mount(field, sep, v))
            continue;
        unescape_octal(field[3]);
        unescape_octal(field[4]);
        in_mount = path_in_mount(s->path[v], field[3]);
        if ((found && !in_mount) || strlen(field[4]) >= sizeof s->mount_point)
            continue;
        copy_bounded(s->mount_point, sizeof s->mount_point, field[4]);
        found = 1;
        rel = in_mount;
    }
    fclose(f);
    return found ? build_dir(s, root, rel ? rel : "") : 0;
}

/* ----------------------------------------------------------- limits -- */

/* Reads the first line of the file s->dir + name into buf; 0 if unreadable. */
static int read_small(struct cg_scratch *s, const char *name, char *buf,
                      int size)
{
    FILE *f = open_joined(s->file, sizeof s->file, s->dir, name);
    int ok;
    if (!f)
        return 0;
    ok = fgets(buf, size, f) != NULL;
    fclose(f);
    return ok;
}

static double ratio(unsigned long long quota, unsigned long long period)
{
    return quota > 0 && period > 0 ? (double)quota / (double)period : 0.0;
}

/* v2's cpu.max holds "QUOTA PERIOD", QUOTA being "max" when unlimited. */
static double read_limit_v2(struct cg_scratch *s)
{
    char buf[64];
    unsigned long long quota, period;
    const char *p;
    if (!read_small(s, "/cpu.max", buf, sizeof buf) ||
        !(p = parse_count(buf, &quota)) || *p != ' ' ||
        !(p = parse_count(p + 1, &period)) || !at_end(p))
        return 0.0;
    return ratio(quota, period);
}

/* v1 keeps quota and period in two files; a quota of -1 means unlimited and
 * fails to parse as a count, as it should. */
static double read_limit_v1(struct cg_scratch *s)
{
    char buf[64];
    unsigned long long quota, period;
    const char *p;
    if (!read_small(s, "/cpu.cfs_quota_us", buf, sizeof buf) ||
        !(p = parse_count(buf, &quota)) || !at_end(p))
        return 0.0;
    if (!read_small(s, "/cpu.cfs_period_us", buf, sizeof buf) ||
        !(p = parse_count(buf, &period)) || !at_end(p))
        return 0.0;
    return ratio(quota, period);
}

/* The smallest limit from s->dir up to the mount point (base characters).
 * Ancestors count because the kernel throttles a cgroup by every quota above
 * it: Kubernetes sets the limit on the pod's cgroup and leaves the
 * container's own cpu.max at "max". */
static double smallest_limit(struct cg_scratch *s, size_t base, int v)
{
    size_t len = strlen(s->dir);
    double best = 0.0;
    for (;;) {
        double q = v == CG_V2 ? read_limit_v2(s) : read_limit_v1(s);
        if (q > 0.0 && (best == 0.0 || q < best))
            best = q;
        if (len <= base)
            return best;
        while (len > base && s->dir[len - 1] != '/')
            len--;
        while (len > base && s->dir[len - 1] == '/')
            len--;
        s->dir[len] = '\0';
    }
}

double wq__cgroup_cpu_limit(const char *root)
{
    struct cg_scratch *s = wq__malloc(sizeof *s);
    double limit = 0.0;
    if (!root)
        root = "";
    if (!s)
        return 0.0;
    read_proc_cgroup(s, root);
    /* v1 first: on a hybrid system the v2 hierarchy is mounted but empty of
     * controllers, and the cpu controller (with any quota) is v1's. */
    for (int v = CG_V1; v < CG_VERSIONS; v++) {
        size_t base = s->path[v][0] ? locate_cgroup(s, root, v) : 0;
        if (base > 0) {
            limit = smallest_limit(s, base, v);
            break;
        }
    }
    free(s);
    return limit;
}

/* ------------------------------------------------------------- count -- */

unsigned wq__cpu_count_from(unsigned affinity, double quota)
{
    unsigned n = affinity;
    if (quota > 0.0) {
        /* Rounded up: a quota of 1.5 CPUs keeps two threads busy three
         * quarters of the time each, where one thread would leave half a CPU
         * idle; and a quota of 0.2 must still give one thread. */
        unsigned q = UINT_MAX;
        if (quota < (double)UINT_MAX) {
            q = (unsigned)quota;
            if ((double)q < quota)
                q++;
        }
        if (n == 0 || q < n)
            n = q;
    }
    return n > 0 ? n : 1;
}

unsigned wq_cpu_count(void)
{
    int saved = errno; /* wq.h promises errno is never set */
    unsigned n =
        wq__cpu_count_from(wq__affinity_cpus(), wq__cgroup_cpu_limit(""));
    errno = saved;
    return n;
}
