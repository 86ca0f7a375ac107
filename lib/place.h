/*
 * place.h - where a worker runs: moving it off the CPU of the thread whose
 * loop it helps (internal).
 *
 * Copyright the wq authors.  Licensed under the MIT license (see COPYING).
 */
#ifndef WQ_PLACE_H
#define WQ_PLACE_H

#include "internal.h"

/* Seconds between two moves of one thread off a loop owner's CPU. */
#define WQ__UNCROWD_INTERVAL 0.001

/* The CPU the calling thread runs on at this moment, or -1 where the
 * system cannot say.  A hint: the thread may move right after. */
WQ__HIDDEN int wq__cpu_current(void);

/* Move the calling thread off the CPU it runs on, to another of its
 * affinity mask, and leave the mask as it was.  For a worker that the
 * kernel placed on the CPU of the thread it helps (see wq__loop_help).
 * Does nothing when the mask holds a single CPU or cannot be read, and
 * where the system has no affinity calls. */
WQ__HIDDEN void wq__cpu_leave(void);

/* Move a crowded worker (wq__self.crowded) off its CPU, at most once an
 * interval, and clear crowded. */
WQ__HIDDEN void wq__uncrowd(void);

#endif /* WQ_PLACE_H */
