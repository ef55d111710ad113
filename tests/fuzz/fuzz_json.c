/* libFuzzer target for grantd_json_params_parse on application/json token request bodies.
 * Besides the view's invariants it uses jansson itself as the oracle: whatever grantd
 * accepts, jansson (with NUL allowed, so a smuggled \u0000 would show) loads as an object
 * whose non-null members are exactly the view, each a string of the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_check.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_against_jansson(const char *s, size_t size, const struct grantd_params *p)
{
    json_error_t err;
    json_t *root = json_loadb(s, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    FUZZ_CHECK(root != NULL && json_is_object(root));
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (json_is_null(val))
            continue;
        FUZZ_CHECK(json_is_string(val) && i < p->count);
        FUZZ_CHECK(strcmp(key, p->items[i].name) == 0);
        FUZZ_CHECK(json_string_length(val) == strlen(p->items[i].value));
        FUZZ_CHECK(memcmp(json_string_value(val), p->items[i].value,
                          json_string_length(val)) == 0);
        i++;
    }
    FUZZ_CHECK(i == p->count);
    json_decref(root);
}

static void json_ok(struct grantd_arena *a, const char *s, size_t size,
                    const struct grantd_params *p, const struct grantd_parse_limits *lim)
{
    /* jansson refuses duplicates, so no name can repeat */
    FUZZ_CHECK(grantd_params_first_repeated(p) == NULL);
    check_against_jansson(s, size, p);
}

static int json_refused(grantd_rc rc)
{
    return rc == GRANTD_EINVAL || rc == GRANTD_ETOOBIG || rc == GRANTD_EREPEATED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body(data, size, grantd_json_params_parse, json_ok, json_refused);
    return 0;
}
