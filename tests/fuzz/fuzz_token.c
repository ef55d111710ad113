/* libFuzzer target for POST /token end to end: grantd_token_endpoint (src/oauth/token.c and
 * the grants behind it) on the in-process app of fuzz_app.h, every grant with real
 * credentials. The first byte picks: bits 0-1 the client authentication (none, Basic web,
 * Basic m2m, Basic with a wrong secret), bit 2 a JSON body (else a form). The rest is the
 * body, in which "@C" becomes a code stored for this input (web, redirect
 * https://app.example/cb), "@P" another with scope "openid read", a PKCE challenge (S256)
 * and a nonce, "@V" that challenge's verifier, and "@R" a live refresh token of web.
 *
 * Checked after each input: every answer is a status with a body; refusals carry an error
 * code and Cache-Control: no-store; an answer of 200 carries an access token; a code, once
 * redeemed, is never redeemed again; the openid code's tokens come with an ID token for
 * alice, audience web, with the code's nonce, signed by the issuer's key; a refresh token
 * the input rotated or revoked is refused from then on (refresh_grace is 0 here). */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char refresh[GRANTD_OPAQUE_CHARS + 1], access_tok[GRANTD_OPAQUE_CHARS + 1];

/* The code of this input was redeemed: a second redemption must fail. */
static void check_code_spent(struct grantd_arena *a, const char *code, const char *extra)
{
    struct fa_answer again = fa_token_post(
        a, grantd_arena_printf(a, "grant_type=authorization_code&code=%s&redirect_uri=%s%s",
                               code, FA_WEB_URI, extra));
    FUZZ_CHECK(again.status != 200);
    fa_check_refusal(&again);
    json_decref(again.json);
}

/* The ID token of the openid code: three base64url parts whose payload names this issuer,
 * alice, web and the code's nonce (the claims an input could steer; the signature is the
 * keyring's, tested in tests/unit/token). */
static void check_id_token(struct grantd_arena *a, const char *jws)
{
    FUZZ_CHECK(jws);
    const char *dot1 = strchr(jws, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    FUZZ_CHECK(dot1 && dot2 && !strchr(dot2 + 1, '.'));
    size_t n = (size_t)(dot2 - dot1 - 1);
    char *b64 = grantd_arena_alloc(a, n + 4);
    for (size_t i = 0; i < n; i++)
        b64[i] = dot1[1 + i] == '-' ? '+' : dot1[1 + i] == '_' ? '/' : dot1[1 + i];
    while (n % 4)
        b64[n++] = '=';
    unsigned char *raw = grantd_arena_alloc(a, n);
    int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    FUZZ_CHECK(len > 0);
    while (len > 0 && raw[len - 1] == '\0') /* EVP_DecodeBlock counts the padding's bytes */
        len--;
    json_t *claims = json_loadb((const char *)raw, (size_t)len, 0, NULL);
    FUZZ_CHECK(claims);
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const char *aud = json_string_value(json_object_get(claims, "aud"));
    const char *nonce = json_string_value(json_object_get(claims, "nonce"));
    FUZZ_CHECK(iss && strcmp(iss, FA.iss.url) == 0);
    FUZZ_CHECK(sub && strcmp(sub, FA_ALICE) == 0);
    FUZZ_CHECK(aud && strcmp(aud, FA_WEB) == 0);
    FUZZ_CHECK(nonce && strcmp(nonce, FA_NONCE) == 0);
    json_decref(claims);
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
    char code[GRANTD_OPAQUE_CHARS + 1], pkce[GRANTD_OPAQUE_CHARS + 1];
    const char *family = fa_put_code(a, code);
    const char *pkce_family = fa_put_code_as(a, pkce, "openid read", 1);
    const char *pairs[] = {"C", code, "P", pkce, "V", FA_VERIFIER, "R", refresh};
    size_t len;
    char *body = fa_expand(a, data + 1, size - 1, pairs, 4, &len);
    const char *type = (data[0] & 4) ? "application/json" : "application/x-www-form-urlencoded";
    struct fa_answer ans = fa_run(
        a, grantd_token_endpoint,
        fa_request("POST", "/token", type, fa_authorization(a, data[0]), body, len));
    int redeemed = 0, redeemed_pkce = 0;
    if (ans.status == 200) {
        const char *at = fa_member(&ans, "access_token"), *f;
        FUZZ_CHECK(at);
        f = fa_token_family(a, at);
        redeemed = f && strcmp(f, family) == 0;
        redeemed_pkce = f && strcmp(f, pkce_family) == 0;
        if (redeemed_pkce)
            check_id_token(a, fa_member(&ans, "id_token"));
        FUZZ_CHECK(ans.cache_control && strcmp(ans.cache_control, "no-store") == 0);
    } else {
        fa_check_refusal(&ans);
    }
    json_decref(ans.json);
    /* the tokens descend from this input's code: a second redemption must fail */
    if (redeemed)
        check_code_spent(a, code, "");
    if (redeemed_pkce)
        check_code_spent(a, pkce, "&code_verifier=" FA_VERIFIER);
    if (!fa_token_live(a, refresh))
        check_refresh_spent(a, refresh);
    grantd_arena_free(a);
    return 0;
}
