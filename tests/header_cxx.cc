/*
 * header_cxx.cc - the public header from C++: it must compile under
 * -std=c++11 -pedantic -Wall -Wextra -Werror and link (extern "C" linkage),
 * and a C++ lambda without captures must pass as a wq callback.
 */
#include <cstdio>
#include <cstring>

#include <wq.h>

int main()
{
    wq_options opt = wq_options();
    opt.threads = 2;
    wq_pool *pool = nullptr;
    if (wq_pool_create(&pool, &opt) != 0)
        return 1;
    long hits[100] = {};
    wq_range_fn body = [](void *ctx, size_t begin, size_t end) -> int {
        long *h = static_cast<long *>(ctx);
        for (size_t i = begin; i < end; i++)
            h[i] += 1;
        return 0;
    };
    int rc = wq_for(pool, 100, 7, body, hits);
    wq_pool_destroy(pool);
    for (long h : hits)
        if (h != 1)
            return 1;
    if (rc != 0 || std::strcmp(wq_version_string(), WQ_VERSION_STRING) != 0)
        return 1;
    std::printf("wq %s from C++\n", wq_version_string());
    return 0;
}
