/* FUZZ_CHECK, the one assertion every fuzz target uses: a broken invariant aborts, which
 * libFuzzer and the replay driver both report as a crash. Apart from fuzz_check.h so that
 * targets that do not link grantd_lib (fuzz_verify.c) have it too. */
#ifndef GRANTD_FUZZ_ASSERT_H
#define GRANTD_FUZZ_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

#endif
