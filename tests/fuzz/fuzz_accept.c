/* libFuzzer target for grantd_accept_html on Accept header values: never reads past the
 * string, answers 0 or 1, and agrees with itself when a harmless element is added in front
 * (an HTML range stays found) and when the value is cut at its first comma (what the first
 * element says holds alone). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1); /* a header value is a C string */
    memcpy(h, data, size);
    h[size] = '\0';
    int html = grantd_accept_html(h);
    FUZZ_CHECK(html == 0 || html == 1);
    char *more = malloc(size + 32);
    memcpy(more, "application/json;q=1, ", 22);
    memcpy(more + 22, h, strlen(h) + 1);
    FUZZ_CHECK(grantd_accept_html(more) == html);
    char *comma = strchr(h, ',');
    if (comma) {
        *comma = '\0';
        if (grantd_accept_html(h))
            FUZZ_CHECK(html == 1);
    }
    free(more);
    free(h);
    return 0;
}
