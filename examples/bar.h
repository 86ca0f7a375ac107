/*
 * bar.h - a progress bar for the examples: wq reports a long loop's
 * progress to a function set in wq_options, on the thread that called the
 * loop, and this one draws it on stderr.  Only when stderr is a terminal:
 * in a log or a pipe the bar would be noise.
 */
#ifndef EXAMPLES_BAR_H
#define EXAMPLES_BAR_H

#include <stdio.h>
#include <unistd.h>

#include <wq.h>

#define BAR_WIDTH 40

/* wq_options.on_progress: redraw "label [#####.....]  45%" in place; clear
 * the line once the loop is done, so the program's output stays clean. */
static inline void bar_draw(void *label, size_t done, size_t total)
{
    static const char hashes[BAR_WIDTH + 1] =
        "########################################";
    int filled = total ? (int)(BAR_WIDTH * (double)done / (double)total)
                       : BAR_WIDTH;
    if (done >= total) {
        fputs("\r\033[K", stderr);
    } else {
        fprintf(stderr, "\r%s [%.*s%*s] %3d%%", (const char *)label, filled,
                hashes, BAR_WIDTH - filled, "", filled * 100 / BAR_WIDTH);
    }
    fflush(stderr);
}

/* Pool options with the bar (if stderr is a terminal) and the thread count
 * left to wq: WQ_NUM_THREADS, else one thread per usable CPU. */
static inline wq_options bar_options(const char *label)
{
    wq_options opt = {0};
    if (isatty(STDERR_FILENO)) {
        opt.on_progress = bar_draw;
        opt.progress_arg = (void *)label;
    }
    return opt;
}

#endif
