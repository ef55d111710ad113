/* libFuzzer target for POST /token end to end: grantd_token_endpoint (src/oauth/token.c and
 * the grants behind it) on the in-process app of fuzz_app.h, every grant with real
 * credentials. The first byte picks: bits 0-1 the client authentication (none, Basic web,
 * Basic m2m, Basic with a wrong secret), bit 2 a JSON body (else a form). The rest is the
 * body, in which "@C" becomes a code stored for this input (web, redirect
 * https://app.example/cb) and "@R" a live refresh token of web.
 *
 * Checked after each input: every answer is a status with a body; refusals carry an error
 * code and Cache-Control: no-store; an answer of 200 carries an access token; a code, once
 * redeemed, is never redeemed again; a refresh token the input rotated or revoked is refused
 * from then on (refresh_grace is 0 here). Not here: PKCE
 * verifiers (the stored codes have no challenge), ID tokens (no signing keys). */
#include <stdint.h>
#include <string.h>

#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char refresh[GRANTD_OPAQUE_CHARS + 1], access_tok[GRANTD_OPAQUE_CHARS + 1];

static const char *authorization(struct grantd_arena *a, unsigned mode)
{
    switch (mode & 3) {
    case 1:
        return fa_basic(a, FA_WEB, FA_SECRET);
    case 2:
        return fa_basic(a, FA_M2M, FA_SECRET);
    case 3:
        return fa_basic(a, FA_WEB, "wrong");
    default:
        return NULL;
    }
}

/* The code of this input was redeemed: a second redemption must fail. */
static void check_code_spent(struct grantd_arena *a, const char *code)
{
    struct fa_answer again = fa_token_post(
        a, grantd_arena_printf(a, "grant_type=authorization_code&code=%s&redirect_uri=%s",
                               code, FA_WEB_URI));
    FUZZ_CHECK(again.status != 200);
    fa_check_refusal(&again);
    json_decref(again.json);
}

/* The refresh token is not live any more: using it again must fail. */
static void check_refresh_spent(struct grantd_arena *a, const char *rt)
{
    struct fa_answer again =
        fa_token_post(a, grantd_arena_printf(a, "grant_type=refresh_token&refresh_token=%s", rt));
    FUZZ_CHECK(again.status != 200);
    fa_check_refusal(&again);
    json_decref(again.json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    fa_begin();
    struct grantd_arena *a = grantd_arena_new(4096);
    if (!refresh[0] || !fa_token_live(a, refresh))
        fa_tokens(a, access_tok, refresh);
    char code[GRANTD_OPAQUE_CHARS + 1];
    const char *family = fa_put_code(a, code);
    const char *pairs[] = {"C", code, "R", refresh};
    size_t len;
    char *body = fa_expand(a, data + 1, size - 1, pairs, 2, &len);
    const char *type = (data[0] & 4) ? "application/json" : "application/x-www-form-urlencoded";
    struct fa_answer ans = fa_run(
        a, grantd_token_endpoint,
        fa_request("POST", "/token", type, authorization(a, data[0]), body, len));
    int redeemed = 0;
    if (ans.status == 200) {
        const char *at = fa_member(&ans, "access_token"), *f;
        FUZZ_CHECK(at);
        redeemed = (f = fa_token_family(a, at)) != NULL && strcmp(f, family) == 0;
        FUZZ_CHECK(ans.cache_control && strcmp(ans.cache_control, "no-store") == 0);
    } else {
        fa_check_refusal(&ans);
    }
    json_decref(ans.json);
    /* the tokens descend from this input's code: a second redemption must fail */
    if (redeemed)
        check_code_spent(a, code);
    if (!fa_token_live(a, refresh))
        check_refresh_spent(a, refresh);
    grantd_arena_free(a);
    return 0;
}
