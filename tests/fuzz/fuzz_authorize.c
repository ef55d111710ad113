/* libFuzzer target for the authorization request end to end: GET /authorize
 * (grantd_authorize_endpoint: src/oauth/authz_request.c, authorize.c, authz_response.c) and
 * the login and consent forms, on the in-process app of fuzz_app.h, whose clients are web
 * (confidential, redirect https://app.example/cb, scope "openid read write") and spa (public,
 * redirect https://spa.example/cb, scope "read write"). The first byte picks:
 *   bits 0-1  0 or 1: GET /authorize with the rest as the query string; 2 POST /login, 3 POST
 *             /consent with the rest as a form body ("@K" in it becomes the session's CSRF
 *             token)
 *   bit 2     signed in: the request carries alice's session cookie
 *   bit 3     for 3: the consent form as alice's browser posts it (signed in): the rest is
 *             the authorization request, sent with its binding, the CSRF token and the
 *             decision, which is "cancel" when bit 4 is set (else "authorize")
 *
 * Checked after each input: an answer is a status in 200..599; a redirect goes to the
 * issuer's own pages or to a registered redirect URI followed by its query or fragment (never
 * to a URI the request made up: RFC 6749 §4.1.2.1, no open redirector); a redirect to a
 * client carries either code or error, never both; a code it carries is stored for the
 * client that URI belongs to, for alice, with no scope that client was not registered for.
 * Not here: a password that matches (Argon2 would cost each input ~50 ms: the login form
 * is refused at its CSRF token or password), request objects signed with keys. */
#include <stdint.h>
#include <string.h>

#include "fuzz_app.h"
#include "http/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* 1 when loc is uri followed by '?', '#' or nothing. */
static int at_uri(const char *loc, const char *uri)
{
    size_t n = strlen(uri);
    return strncmp(loc, uri, n) == 0 && (loc[n] == '?' || loc[n] == '#' || loc[n] == '\0');
}

/* The value of the code parameter of a redirect's query or fragment; NULL without one. */
static const char *code_of(struct grantd_arena *a, const char *loc)
{
    static const char *const keys[] = {"?code=", "&code=", "#code="};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *at = strstr(loc, keys[i]);
        if (at) {
            at += strlen(keys[i]);
            return grantd_arena_strndup(a, at, strcspn(at, "&#"));
        }
    }
    return NULL;
}

/* 1 when every space-separated word of scope is a word of registered. */
static int scope_within(const char *scope, const char *registered)
{
    for (const char *w = scope; *w;) {
        size_t n = strcspn(w, " ");
        int found = 0;
        for (const char *r = registered; *r && !found;) {
            size_t m = strcspn(r, " ");
            found = m == n && strncmp(r, w, n) == 0;
            r += m + (r[m] == ' ');
        }
        if (n && !found)
            return 0;
        w += n + (w[n] == ' ');
    }
    return 1;
}

/* A code sent to client's redirect URI: stored for that client and alice, within its
 * registered scope. Consumed here, so the store does not fill up with them. */
static void check_code(struct grantd_arena *a, const char *code, const char *client,
                       const char *registered)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_code k;
    grantd_opaque_hash(code, hash);
    FUZZ_CHECK(grantd_store_code_consume(FA.store, a, GRANTD_DEFAULT_TENANT, hash, fa_clock(),
                                         &k) == GRANTD_OK);
    FUZZ_CHECK(strcmp(k.client_id, client) == 0);
    FUZZ_CHECK(k.user_id && strcmp(k.user_id, FA_ALICE) == 0);
    FUZZ_CHECK(k.scope && scope_within(k.scope, registered));
}

static void check_redirect(struct grantd_arena *a, const char *loc)
{
    if (loc[0] == '/' && loc[1] != '/')
        return;
    if (starts(loc, FA.iss.url) && (loc[strlen(FA.iss.url)] == '/' ||
                                    loc[strlen(FA.iss.url)] == '?'))
        return;
    FUZZ_CHECK(at_uri(loc, FA_WEB_URI) || at_uri(loc, FA_SPA_URI));
    int code = strstr(loc, "?code=") || strstr(loc, "&code=") || strstr(loc, "#code=");
    int error = strstr(loc, "?error=") || strstr(loc, "&error=") || strstr(loc, "#error=");
    FUZZ_CHECK(code != error);
    if (code) {
        int web = at_uri(loc, FA_WEB_URI);
        check_code(a, code_of(a, loc), web ? FA_WEB : FA_SPA,
                   web ? "openid read write" : "read write");
    }
}

/* The consent form alice's browser posts for the authorization request text request. */
static const char *consent_form(struct grantd_arena *a, const char *request, int cancel)
{
    struct grantd_request *req = fa_request("POST", "/consent", NULL, NULL, NULL, 0);
    struct grantd_web_session s;
    fa_signed_in(req);
    FUZZ_CHECK(grantd_web_session_load(req, &s) == GRANTD_OK);
    const char *form = grantd_arena_printf(
        a, "csrf=%s&request=%s&binding=%s&decision=%s", grantd_url_encode(a, FA.csrf),
        grantd_url_encode(a, request),
        grantd_url_encode(a, grantd_web_session_bind(req, &s, request)),
        cancel ? "cancel" : "authorize");
    grantd_arena_free(req->arena);
    return form;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    fa_begin();
    struct grantd_arena *a = grantd_arena_new(4096);
    unsigned mode = data[0] & 3;
    int bound = mode == 3 && (data[0] & 8);
    int signed_in = (data[0] & 4) || bound;
    const char *pairs[] = {"K", FA.csrf};
    size_t len = size - 1;
    const char *rest = mode == 3 && !bound
                           ? fa_expand(a, data + 1, size - 1, pairs, 1, &len)
                           : grantd_arena_strndup(a, (const char *)data + 1, size - 1);
    struct grantd_request *req;
    grantd_handler_fn handler;
    if (mode < 2) {
        /* bytes past a NUL are not part of a request line */
        const char *uri = grantd_arena_printf(a, "/authorize?%s", rest);
        req = fa_request("GET", uri, NULL, NULL, NULL, 0);
        handler = grantd_authorize_endpoint;
    } else {
        if (bound) {
            rest = consent_form(a, rest, (data[0] & 16) != 0);
            len = strlen(rest);
        }
        req = fa_request("POST", mode == 2 ? "/login" : "/consent",
                         "application/x-www-form-urlencoded", NULL, rest, len);
        handler = mode == 2 ? grantd_login_endpoint : grantd_consent_endpoint;
    }
    if (signed_in)
        fa_signed_in(req);
    struct fa_answer ans = fa_run(a, handler, req);
    if (ans.status >= 300 && ans.status < 400) {
        FUZZ_CHECK(ans.location);
        check_redirect(a, ans.location);
    }
    json_decref(ans.json);
    grantd_arena_free(a);
    return 0;
}
