/* libFuzzer target for query strings (the authorization endpoint): the input is a request
 * target, and what follows the first '?' (up to a '#') goes through grantd_form_parse, as
 * http/request.c does. Besides the view's invariants it checks that the caps are monotone:
 * tighter limits accept exactly the inputs whose parse under the defaults fits them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fits(const struct grantd_params *p, const struct grantd_parse_limits *lim)
{
    if (p->count > lim->max_params)
        return 0;
    for (size_t i = 0; i < p->count; i++) {
        if (strlen(p->items[i].name) > lim->max_name_len ||
            strlen(p->items[i].value) > lim->max_value_len)
            return 0;
    }
    return 1;
}

/* Parses again under tight caps and compares with the default-limit outcome. */
static void check_tight(struct grantd_arena *a, const char *q, size_t n, grantd_rc rc,
                        const struct grantd_params *p)
{
    struct grantd_parse_limits tight = {4, 12, 24, NULL, 0};
    struct grantd_params t;
    const char *why;
    grantd_rc trc = grantd_form_parse(a, q, n, &tight, &t, &why);
    if (trc == GRANTD_OK) {
        fuzz_check_params(&t, &tight);
        FUZZ_CHECK(rc == GRANTD_OK && t.count == p->count);
        for (size_t i = 0; i < t.count; i++)
            FUZZ_CHECK(strcmp(t.items[i].value, p->items[i].value) == 0);
        return;
    }
    fuzz_check_empty(&t);
    if (rc == GRANTD_OK)
        FUZZ_CHECK(trc == GRANTD_ETOOBIG && !fits(p, &tight));
}

/* With a carrier ("request", the pages' hidden field) allowed 8 KiB: whatever parsed under
 * the defaults parses the same; only a "request" value may be longer than the cap. */
static void check_carrier(struct grantd_arena *a, const char *q, size_t n, grantd_rc rc,
                          const struct grantd_params *p)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    lim.carrier_name = "request";
    lim.carrier_len = 8192;
    struct grantd_params c;
    const char *why;
    grantd_rc crc = grantd_form_parse(a, q, n, &lim, &c, &why);
    if (rc == GRANTD_OK)
        FUZZ_CHECK(crc == GRANTD_OK && c.count == p->count);
    if (crc != GRANTD_OK)
        return;
    for (size_t i = 0; i < c.count; i++) {
        size_t len = strlen(c.items[i].value);
        FUZZ_CHECK(len <= lim.carrier_len);
        FUZZ_CHECK(len <= lim.max_value_len || strcmp(c.items[i].name, "request") == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *qm = memchr(s, '?', size);
    const char *q = qm ? qm + 1 : s;
    size_t n = size - (size_t)(q - s);
    const char *hash = memchr(q, '#', n);
    if (hash)
        n = (size_t)(hash - q);

    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why = "unset";
    grantd_rc rc = grantd_form_parse(a, q, n, &lim, &p, &why);
    if (rc == GRANTD_OK) {
        FUZZ_CHECK(why == NULL);
        fuzz_check_params(&p, &lim);
        FUZZ_CHECK(memchr(q, '\0', n) == NULL);
    } else {
        FUZZ_CHECK(rc == GRANTD_EINVAL || rc == GRANTD_ETOOBIG);
        FUZZ_CHECK(why != NULL && why[0] != '\0');
        fuzz_check_empty(&p);
    }
    fuzz_check_oauth_names(&p);
    check_tight(a, q, n, rc, &p);
    check_carrier(a, q, n, rc, &p);
    grantd_arena_free(a);
    return 0;
}
