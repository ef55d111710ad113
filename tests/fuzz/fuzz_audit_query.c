/* libFuzzer target for the admin API's audit query parameters (grantd_audit_query_parse,
 * src/admin/audit.c): ?after= and ?target= of GET /v1/tenants/{t}/audit. The input up to
 * its first NUL byte is after, the rest target; without a NUL there is no after.
 *
 * Whatever is accepted is what the store is asked: a seq that fits its digits, a target of
 * one of the five kinds audit.h names whose id is the text after the first ':' (1 to
 * GRANTD_AUDIT_TARGET_MAX bytes). Whatever is refused has a reason and leaves q alone. */
#include <stdint.h>
#include <string.h>

#include "admin/audit.h"
#include "fuzz_assert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    struct grantd_arena *a = grantd_arena_new(1024);
    const uint8_t *nul = memchr(data, 0, size);
    const char *after = nul ? grantd_arena_strndup(a, (const char *)data, (size_t)(nul - data))
                            : NULL;
    const uint8_t *rest = nul ? nul + 1 : data;
    size_t rest_len = size - (size_t)(rest - data);
    const char *target = rest_len || !nul ? grantd_arena_strndup(a, (const char *)rest, rest_len)
                                          : NULL;
    struct grantd_audit_query q = {.tenant = 7, .after = -1};
    const char *why = NULL;
    grantd_rc rc = grantd_audit_query_parse(a, after, target, &q, &why);
    FUZZ_CHECK(q.tenant == 7);
    if (rc != GRANTD_OK) {
        FUZZ_CHECK(rc == GRANTD_EINVAL && why && *why);
    } else {
        FUZZ_CHECK(after ? q.after >= 0 && strlen(after) <= 18 &&
                               strspn(after, "0123456789") == strlen(after)
                         : q.after == -1);
        if (target) {
            const char *colon = strchr(target, ':');
            FUZZ_CHECK(colon && q.target_kind && q.target_id);
            FUZZ_CHECK(strlen(q.target_kind) == (size_t)(colon - target) &&
                       strncmp(q.target_kind, target, strlen(q.target_kind)) == 0);
            FUZZ_CHECK(strcmp(q.target_id, colon + 1) == 0);
            size_t id_len = strlen(q.target_id);
            FUZZ_CHECK(id_len >= 1 && id_len <= GRANTD_AUDIT_TARGET_MAX);
            FUZZ_CHECK(!strcmp(q.target_kind, "client") || !strcmp(q.target_kind, "user") ||
                       !strcmp(q.target_kind, "key") || !strcmp(q.target_kind, "admin_key") ||
                       !strcmp(q.target_kind, "registration_token"));
        } else {
            FUZZ_CHECK(!q.target_kind && !q.target_id);
        }
    }
    grantd_arena_free(a);
    return 0;
}
