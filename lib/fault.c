/*
 * fault.c - the test-only fault hook of fault.h, built with
 * --enable-fault-injection.
 *
 *   calls   bumped by every wrapped call (relaxed fetch_add: calls come from
 *           any thread, and only the count's atomicity matters, so exactly
 *           one call draws the armed number);
 *   target  the call number that fails, 0 for none; set by the test while
 *           it alone runs library code (relaxed: pool creation and the test's
 *           own thread order it before the calls it governs).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "atomics.h"
#include "fault.h"

static _Atomic unsigned long wq__fault_calls_[WQ__FAULT_KINDS];
static _Atomic unsigned long wq__fault_target[WQ__FAULT_KINDS];

void wq__fault_arm(enum wq__fault_kind kind, unsigned long n)
{
    wq__store_relaxed(&wq__fault_target[kind], 0);
    wq__store_relaxed(&wq__fault_calls_[kind], 0);
    wq__store_relaxed(&wq__fault_target[kind], n);
}

unsigned long wq__fault_calls(enum wq__fault_kind kind)
{
    return wq__load_relaxed(&wq__fault_calls_[kind]);
}

int wq__fault_hit(enum wq__fault_kind kind)
{
    unsigned long n = wq__fetch_add_relaxed(&wq__fault_calls_[kind], 1) + 1;
    return n == wq__load_relaxed(&wq__fault_target[kind]);
}
