/* libFuzzer target for POST /introspect (RFC 7662) and POST /revoke (RFC 7009) end to end:
 * grantd_introspect_endpoint and grantd_revoke_endpoint (src/oauth/introspect.c, revoke.c)
 * on the in-process app of fuzz_app.h. The first byte picks: bit 0 revoke (else
 * introspect), bits 1-2 the client authentication (none, Basic web, Basic m2m, Basic with a
 * wrong secret), bit 3 a JSON body (else a form). The rest is the body, in which "@A"
 * becomes a live access token of web and "@R" its live refresh token (new ones once an
 * input revoked them).
 *
 * Checked after each input: refusals carry an error code and Cache-Control: no-store; an
 * introspection answer of 200 is a JSON object with a boolean "active", and never says active
 * to a client that did not authenticate; a revocation answers 200 or a refusal; a token
 * another client (m2m) asked to revoke stays live (RFC 7009 §2.1: only its own). */
#include <stdint.h>
#include <string.h>

#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char refresh[GRANTD_OPAQUE_CHARS + 1], access_tok[GRANTD_OPAQUE_CHARS + 1];

static void check_introspection(const struct fa_answer *ans, unsigned auth)
{
    if (ans->status != 200) {
        fa_check_refusal(ans);
        return;
    }
    json_t *active = json_object_get(ans->json, "active");
    FUZZ_CHECK(json_is_object(ans->json) && json_is_boolean(active));
    FUZZ_CHECK(!json_is_true(active) || auth == 1 || auth == 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    fa_begin();
    struct grantd_arena *a = grantd_arena_new(4096);
    if (!refresh[0] || !fa_token_live(a, refresh) || !fa_token_live(a, access_tok))
        fa_tokens(a, access_tok, refresh);
    const char *pairs[] = {"A", access_tok, "R", refresh};
    size_t len;
    char *body = fa_expand(a, data + 1, size - 1, pairs, 2, &len);
    int revoke = data[0] & 1;
    unsigned auth = (data[0] >> 1) & 3;
    const char *type = (data[0] & 8) ? "application/json" : "application/x-www-form-urlencoded";
    struct fa_answer ans =
        fa_run(a, revoke ? grantd_revoke_endpoint : grantd_introspect_endpoint,
               fa_request("POST", revoke ? "/revoke" : "/introspect", type,
                          fa_authorization(a, auth), body, len));
    if (revoke && ans.status != 200)
        fa_check_refusal(&ans);
    else if (!revoke)
        check_introspection(&ans, auth);
    json_decref(ans.json);
    if (revoke && auth != 1) {
        FUZZ_CHECK(fa_token_live(a, access_tok));
        FUZZ_CHECK(fa_token_live(a, refresh));
    }
    grantd_arena_free(a);
    return 0;
}
