/* libFuzzer target for grantd_cookies_parse on Cookie header values: the view's invariants,
 * plus that names and values carry no separator and no surrounding whitespace, and that
 * tighter caps never accept what the defaults refuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_trimmed(const char *s, int may_be_empty)
{
    size_t n = strlen(s);
    FUZZ_CHECK(may_be_empty || n > 0);
    FUZZ_CHECK(strchr(s, ';') == NULL);
    if (n > 0)
        FUZZ_CHECK(!ows(s[0]) && !ows(s[n - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1); /* a header value is a C string */
    memcpy(h, data, size);
    h[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    grantd_rc rc = grantd_cookies_parse(a, h, &lim, &p);
    if (rc == GRANTD_OK) {
        fuzz_check_params(&p, &lim);
        for (size_t i = 0; i < p.count; i++) {
            check_trimmed(p.items[i].name, 0);
            FUZZ_CHECK(strchr(p.items[i].name, '=') == NULL);
            check_trimmed(p.items[i].value, 1);
        }
    } else {
        FUZZ_CHECK(rc == GRANTD_ETOOBIG);
        fuzz_check_empty(&p);
        struct grantd_parse_limits tight = {4, 12, 24, NULL, 0};
        struct grantd_params t;
        FUZZ_CHECK(grantd_cookies_parse(a, h, &tight, &t) == GRANTD_ETOOBIG);
    }
    fuzz_check_oauth_names(&p);
    grantd_arena_free(a);
    free(h);
    return 0;
}
