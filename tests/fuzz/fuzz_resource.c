/* libFuzzer target for resource indicators (oauth/resource.c, RFC 8707): the input is a form
 * body or query as a client sends it, whose resource parameters are checked against a fixed
 * allowed list. Invariants: a resource that passes has a scheme, no fragment and no
 * character outside a URI; a selection that passes is a list of distinct allowed resources
 * (each one passing on its own), and selecting it again from itself gives it back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "fuzz_check.h"
#include "http/params.h"
#include "oauth/resource.h"
#include "oauth/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALLOWED "https://a.example/api https://b.example/api urn:example:c"

static void check_one(const char *s)
{
    if (grantd_resource_problem(s))
        return;
    FUZZ_CHECK(strchr(s, ':') != NULL && !strchr(s, '#') && !strchr(s, ' '));
}

static void check_select(struct grantd_arena *a, const char *s, size_t len)
{
    struct grantd_parse_limits lim;
    struct grantd_params p;
    const char *why = NULL, *out = NULL, *again = NULL, **items;
    size_t n;
    grantd_parse_limits_default(&lim);
    if (grantd_form_parse(a, s, len, &lim, &p, &why) != GRANTD_OK)
        return;
    if (grantd_resource_select(a, &p, ALLOWED, &out) != NULL)
        return;
    FUZZ_CHECK(grantd_scope_split(a, out, &items, &n) == GRANTD_OK && n <= 3);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!grantd_resource_problem(items[i]) && grantd_resource_in(items[i], ALLOWED));
    struct grantd_param *q = grantd_arena_alloc(a, (n + 1) * sizeof(*q));
    for (size_t i = 0; i < n; i++)
        q[i] = (struct grantd_param){"resource", items[i]};
    struct grantd_params back = {q, n};
    FUZZ_CHECK(grantd_resource_select(a, &back, out, &again) == NULL);
    FUZZ_CHECK(strcmp(again, out) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    check_one(s);
    check_select(a, s, size);
    grantd_arena_free(a);
    free(s);
    return 0;
}
