/* libFuzzer target for the authorization request end to end: GET /authorize
 * (grantd_authorize_endpoint: src/oauth/authz_request.c, authorize.c, authz_response.c) on
 * the in-process app of fuzz_app.h, whose clients are web (confidential, redirect
 * https://app.example/cb) and spa (public, redirect https://spa.example/cb). The first byte
 * picks: 0-1 GET /authorize with the rest as the query string; 2 POST /login, 3 POST
 * /consent with the rest as a form body (without a session: the CSRF check's refusals). The
 * requests arrive signed out, so an accepted request ends on the login page.
 *
 * Checked after each input: an answer is a status in 200..599; a redirect goes to the
 * issuer's own pages or to a registered redirect URI followed by its query or fragment (never
 * to a URI the request made up: RFC 6749 §4.1.2.1, no open redirector); a redirect to a
 * client carries either code or error, never both. Not here: signed-in flows (a session
 * cookie), request objects signed with keys. */
#include <stdint.h>
#include <string.h>

#include "fuzz_app.h"

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

static void check_redirect(const char *loc)
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    fa_begin();
    struct grantd_arena *a = grantd_arena_new(4096);
    const char *rest = grantd_arena_strndup(a, (const char *)data + 1, size - 1);
    size_t len = size - 1;
    unsigned mode = data[0] & 3;
    struct grantd_request *req;
    grantd_handler_fn handler;
    if (mode < 2) {
        /* bytes past a NUL are not part of a request line */
        const char *uri = grantd_arena_printf(a, "/authorize?%s", rest);
        req = fa_request("GET", uri, NULL, NULL, NULL, 0);
        handler = grantd_authorize_endpoint;
    } else {
        req = fa_request("POST", mode == 2 ? "/login" : "/consent",
                         "application/x-www-form-urlencoded", NULL, rest, len);
        handler = mode == 2 ? grantd_login_endpoint : grantd_consent_endpoint;
    }
    struct fa_answer ans = fa_run(a, handler, req);
    if (ans.status >= 300 && ans.status < 400) {
        FUZZ_CHECK(ans.location);
        check_redirect(ans.location);
    }
    json_decref(ans.json);
    grantd_arena_free(a);
    return 0;
}
