/* libFuzzer target for grantd_form_parse on application/x-www-form-urlencoded bodies (the
 * token, revocation and introspection endpoints). Beyond "no crash, no leak", it checks the
 * view's invariants (fuzz_check.h), that accepted input held no NUL, that every non-empty
 * '&' segment became one parameter, and that re-encoding the view parses back to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_segments(const char *s, size_t n)
{
    size_t count = 0, seg = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '&') {
            count += seg > 0;
            seg = 0;
        } else {
            seg++;
        }
    }
    return count;
}

static int contains_pct00(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == '%' && s[i + 1] == '0' && s[i + 2] == '0')
            return 1;
    return 0;
}

/* Percent-encodes the view back into a body and checks it parses to the same view. */
static void check_round_trip(struct grantd_arena *a, const struct grantd_params *p,
                             const struct grantd_parse_limits *lim)
{
    size_t cap = 1;
    for (size_t i = 0; i < p->count; i++)
        cap += 3 * (strlen(p->items[i].name) + strlen(p->items[i].value)) + 2;
    char *s = malloc(cap);
    size_t o = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (i)
            s[o++] = '&';
        fuzz_urlencode(p->items[i].name, s, &o);
        s[o++] = '=';
        fuzz_urlencode(p->items[i].value, s, &o);
    }
    struct grantd_params q;
    const char *why;
    FUZZ_CHECK(grantd_form_parse(a, s, o, lim, &q, &why) == GRANTD_OK);
    FUZZ_CHECK(q.count == p->count);
    for (size_t i = 0; i < p->count; i++) {
        FUZZ_CHECK(strcmp(q.items[i].name, p->items[i].name) == 0);
        FUZZ_CHECK(strcmp(q.items[i].value, p->items[i].value) == 0);
    }
    free(s);
}

static void form_ok(struct grantd_arena *a, const char *s, size_t size,
                    const struct grantd_params *p, const struct grantd_parse_limits *lim)
{
    FUZZ_CHECK(memchr(s, '\0', size) == NULL);
    FUZZ_CHECK(!contains_pct00(s, size));
    FUZZ_CHECK(p->count == count_segments(s, size));
    check_round_trip(a, p, lim);
}

static int form_refused(grantd_rc rc)
{
    return rc == GRANTD_EINVAL || rc == GRANTD_ETOOBIG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body(data, size, grantd_form_parse, form_ok, form_refused);
    return 0;
}
