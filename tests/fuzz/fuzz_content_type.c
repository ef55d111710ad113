/* libFuzzer target for grantd_content_type_utf8 on Content-Type header values: never reads
 * past the string, answers 0 or 1, says 1 for a value that does not mention a charset, and
 * agrees with itself when a charset=UTF-8 parameter is put in front of the value's
 * parameters (that changes nothing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "http/request_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when s holds "charset" in any case. */
static int mentions_charset(const char *s)
{
    for (; *s; s++)
        if (strncasecmp(s, "charset", 7) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1); /* a header value is a C string */
    memcpy(h, data, size);
    h[size] = '\0';
    int ok = grantd_content_type_utf8(h);
    FUZZ_CHECK(ok == 0 || ok == 1);
    if (!mentions_charset(h))
        FUZZ_CHECK(ok == 1);
    size_t n = strlen(h);
    char *more = malloc(n + 32);
    memcpy(more, "text/plain; charset=UTF-8", 25);
    memcpy(more + 25, h + strcspn(h, ";"), n - strcspn(h, ";") + 1);
    FUZZ_CHECK(grantd_content_type_utf8(more) == ok);
    free(more);
    free(h);
    return 0;
}
