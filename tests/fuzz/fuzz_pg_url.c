/* libFuzzer target for pg__url, the PostgreSQL driver's check of a database URL (the part
 * after "postgres:") and its masked form for messages: an accepted URL is handed to libpq
 * whole ("postgresql:" + the input), and the masked form never holds the password and
 * differs from it only there. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "store/pg_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    size_t cap = size + 32;
    char *out = malloc(cap), *shown = malloc(cap);
    if (pg__url(in, out, cap, shown, cap) == GRANTD_OK) {
        FUZZ_CHECK(strncmp(out, "postgresql:", 11) == 0);
        FUZZ_CHECK(strcmp(out + 11, in) == 0);
        FUZZ_CHECK(strncmp(in, "//", 2) == 0);
        FUZZ_CHECK(strchr(in + 2, '/') != NULL);
        FUZZ_CHECK(strncmp(shown, "postgresql://", 13) == 0);
        /* the masked form: the same text, but for the password (between the first ':' of
         * the user info and its last '@'), which became *** */
        const char *slash = strchr(in + 2, '/');
        const char *at = NULL;
        for (const char *p = in + 2; p < slash; p++) {
            if (*p == '@')
                at = p;
        }
        const char *colon = at ? memchr(in + 2, ':', (size_t)(at - in - 2)) : NULL;
        if (colon) {
            FUZZ_CHECK(strstr(shown, ":***@") != NULL);
            FUZZ_CHECK(strcmp(strstr(shown, ":***@") + 4, at) == 0);
        } else {
            FUZZ_CHECK(strcmp(shown, out) == 0);
        }
    }
    free(in);
    free(out);
    free(shown);
    return 0;
}
