/*
 * version.c - the library's version and error texts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>

#include <wq.h>

const char *wq_version_string(void)
{
    return WQ_VERSION_STRING;
}

unsigned wq_version(void)
{
    return WQ_VERSION_HEX;
}

const char *wq_strerror(int code)
{
    switch (code) {
    case 0:
        return "Success";
    case EINVAL:
        return "Invalid argument (no callback ran)";
    case ENOMEM:
        return "Out of memory (no callback ran)";
    case EAGAIN:
        return "Threads could not be created";
    case EDEADLK:
        return "Waiting on a group from inside one of its own tasks";
    case ECHILD:
        return "Pool created before fork(): its threads do not exist here";
    default:
        /* A callback's own value: strerror() names errno codes; others get
         * glibc's "Unknown error N". */
        return code > 0 ? strerror(code) : "Callback failed (negative code)";
    }
}
