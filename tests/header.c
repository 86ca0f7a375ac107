/*
 * header.c - the public header as a strict C11 user sees it.  Built with
 * -std=c11 -pedantic -Wall -Wextra -Werror and linked against the installed
 * form of the library (libwq.la, only the exported names), then run: the
 * version macros, the generated version header and the library must agree.
 */
#include <stdio.h>
#include <string.h>

#include <wq.h>

#if !defined(WQ_VERSION_MAJOR) || !defined(WQ_VERSION_MINOR) ||             \
    !defined(WQ_VERSION_PATCH) || !defined(WQ_VERSION_STRING) ||            \
    !defined(WQ_VERSION_HEX)
#error "wq.h must define the version macros"
#endif

/* The macros must work in #if, for code that adapts to the version. */
#if WQ_VERSION_HEX != ((WQ_VERSION_MAJOR << 16) | (WQ_VERSION_MINOR << 8) | \
                       WQ_VERSION_PATCH)
#error "WQ_VERSION_HEX disagrees with its parts"
#endif

static int fail(const char *what, const char *got, const char *want)
{
    fprintf(stderr, "header.c: %s: got \"%s\", want \"%s\"\n", what, got,
            want);
    return 1;
}

int main(void)
{
    char parts[64];
    snprintf(parts, sizeof parts, "%d.%d.%d", WQ_VERSION_MAJOR,
             WQ_VERSION_MINOR, WQ_VERSION_PATCH);
    if (strcmp(WQ_VERSION_STRING, parts) != 0)
        return fail("WQ_VERSION_STRING", WQ_VERSION_STRING, parts);
    if (strcmp(WQ_VERSION_STRING, WQ_PACKAGE_VERSION) != 0)
        return fail("WQ_VERSION_STRING", WQ_VERSION_STRING,
                    WQ_PACKAGE_VERSION);
    if (strcmp(wq_version_string(), WQ_VERSION_STRING) != 0)
        return fail("wq_version_string()", wq_version_string(),
                    WQ_VERSION_STRING);
    if (wq_version() != WQ_VERSION_HEX) {
        fprintf(stderr, "header.c: wq_version() = %#x, want %#x\n",
                wq_version(), (unsigned)WQ_VERSION_HEX);
        return 1;
    }
    printf("wq %s\n", wq_version_string());
    return 0;
}
