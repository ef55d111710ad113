/* Browser sessions: cookie in, store record out, CSRF tokens derived from the id. */
#include "oauth/session.h"

#include <stdlib.h>
#include <string.h>

#include "http/app.h"

#define COOKIE_NAME "grantd_session"
#define COOKIE_NAME_SECURE "__Host-grantd_session"

static int issuer_is_https(const struct grantd_request *req)
{
    return strncmp(req->iss->url, "https://", 8) == 0;
}

/* One cookie per issuer: issuers of one host share the browser's cookie jar, and a login
 * at one must neither replace nor count as the session of another. */
static const char *cookie_name(const struct grantd_request *req)
{
    const char *base = issuer_is_https(req) ? COOKIE_NAME_SECURE : COOKIE_NAME;
    if (req->iss->tenant == GRANTD_DEFAULT_TENANT)
        return base;
    return grantd_arena_printf(req->arena, "%s_%lld", base, (long long)req->iss->tenant);
}

/* The CSRF token and the form key of s, both derived from its id hash. */
static grantd_rc derive_csrf(struct grantd_request *req, struct grantd_web_session *s)
{
    unsigned char key[GRANTD_SHA256_LEN], msg[4 + GRANTD_SHA256_LEN], mac[GRANTD_SHA256_LEN];
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_hash_key(st, key);
    if (rc != GRANTD_OK)
        return rc;
    memcpy(msg, "csrf", 4);
    memcpy(msg + 4, s->rec.id_hash, GRANTD_SHA256_LEN);
    grantd_hmac_sha256(key, sizeof(key), msg, sizeof(msg), mac);
    memcpy(msg, "form", 4);
    grantd_hmac_sha256(key, sizeof(key), msg, sizeof(msg), s->form_key);
    char *text = grantd_arena_alloc(req->arena, grantd_b64url_len(sizeof(mac)) + 1);
    grantd_b64url_encode(mac, sizeof(mac), text);
    s->csrf = text;
    return GRANTD_OK;
}

grantd_rc grantd_web_session_load(struct grantd_request *req, struct grantd_web_session *out)
{
    const char *header = grantd_request_header(req, "cookie");
    struct grantd_params cookies;
    const char *id = NULL;
    if (!header ||
        grantd_cookies_parse(req->arena, header, &req->app->limits, &cookies) != GRANTD_OK)
        return GRANTD_ENOTFOUND;
    /* a repeated cookie (e.g. one planted for a parent domain) is not trusted */
    if (grantd_params_get(&cookies, cookie_name(req), &id) != GRANTD_OK ||
        strlen(id) != GRANTD_OPAQUE_CHARS)
        return GRANTD_ENOTFOUND;
    unsigned char hash[GRANTD_SHA256_LEN];
    grantd_opaque_hash(id, hash);
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_session_get(st, req->arena, req->iss->tenant, hash,
                                           req->app->now(), &out->rec);
    return rc == GRANTD_OK ? derive_csrf(req, out) : rc;
}

static void set_cookie(struct grantd_request *req, struct grantd_response *resp, const char *id)
{
    int64_t ttl = req->iss->cfg->lifetimes.session;
    grantd_response_header(resp, "Set-Cookie",
                           grantd_arena_printf(req->arena,
                                               "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
                                               "SameSite=Lax%s",
                                               cookie_name(req), id, (long long)ttl,
                                               issuer_is_https(req) ? "; Secure" : ""));
}

static grantd_rc start(struct grantd_request *req, struct grantd_response *resp,
                       const struct grantd_web_session *old, const char *user_id,
                       const char *login_for, struct grantd_web_session *out)
{
    struct grantd_store *st = req->app->store;
    grantd_rc rc;
    if (old) {
        rc = grantd_store_session_delete(st, req->iss->tenant, old->rec.id_hash);
        if (rc != GRANTD_OK)
            return rc;
    }
    char id[GRANTD_OPAQUE_CHARS + 1];
    int64_t now = req->app->now();
    memset(out, 0, sizeof(*out));
    rc = grantd_opaque_mint(id, out->rec.id_hash);
    if (rc != GRANTD_OK)
        return rc;
    out->rec.tenant = req->iss->tenant;
    out->rec.user_id = user_id;
    out->rec.auth_time = user_id ? now : 0;
    out->rec.created_at = now;
    out->rec.expires_at = now + req->iss->cfg->lifetimes.session;
    if (login_for) {
        grantd_sha256(login_for, strlen(login_for), out->rec.login_for);
        out->rec.has_login_for = 1;
    }
    rc = grantd_store_session_put(st, &out->rec);
    if (rc != GRANTD_OK)
        return rc;
    set_cookie(req, resp, id);
    return derive_csrf(req, out);
}

grantd_rc grantd_web_session_start(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_web_session *old, const char *user_id,
                                   struct grantd_web_session *out)
{
    return start(req, resp, old, user_id, NULL, out);
}

grantd_rc grantd_web_session_login(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_web_session *old, const char *user_id,
                                   const char *request, struct grantd_web_session *out)
{
    return start(req, resp, old, user_id, request, out);
}

/* The MAC of a form binding: HMAC(form key, EXP "." request), base64url into out. */
static void binding_mac(struct grantd_request *req, const struct grantd_web_session *s,
                        long long exp, const char *request, char out[44])
{
    const char *msg = grantd_arena_printf(req->arena, "%lld.%s", exp, request);
    unsigned char mac[GRANTD_SHA256_LEN];
    grantd_hmac_sha256(s->form_key, sizeof(s->form_key), msg, strlen(msg), mac);
    grantd_b64url_encode(mac, sizeof(mac), out);
}

int grantd_web_binding_split(const char *presented, long long *exp, const char **mac)
{
    size_t digits = presented ? strspn(presented, "0123456789") : 0;
    if (digits == 0 || digits > 18 || presented[digits] != '.' ||
        strlen(presented + digits + 1) != 43)
        return 0;
    *exp = strtoll(presented, NULL, 10);
    *mac = presented + digits + 1;
    return 1;
}

const char *grantd_web_session_bind(struct grantd_request *req, const struct grantd_web_session *s,
                                    const char *request)
{
    long long exp = (long long)(req->app->now() + GRANTD_FORM_TTL_S);
    char mac[44];
    binding_mac(req, s, exp, request, mac);
    return grantd_arena_printf(req->arena, "%lld.%s", exp, mac);
}

enum grantd_form_binding grantd_web_session_bound(struct grantd_request *req,
                                                  const struct grantd_web_session *s,
                                                  const char *request, const char *presented)
{
    long long exp;
    const char *sent;
    if (!grantd_web_binding_split(presented, &exp, &sent))
        return GRANTD_FORM_CHANGED;
    char mac[44];
    binding_mac(req, s, exp, request, mac);
    if (!grantd_ct_equal(mac, sent, 43))
        return GRANTD_FORM_CHANGED;
    return exp > req->app->now() ? GRANTD_FORM_BOUND : GRANTD_FORM_EXPIRED;
}

int grantd_web_session_csrf_ok(const struct grantd_web_session *s, const char *presented)
{
    size_t len = strlen(s->csrf);
    return presented && strlen(presented) == len && grantd_ct_equal(presented, s->csrf, len);
}

int grantd_web_session_login_for(const struct grantd_web_session *s, const char *request)
{
    unsigned char h[GRANTD_SHA256_LEN];
    grantd_sha256(request, strlen(request), h);
    return s->rec.has_login_for && grantd_ct_equal(h, s->rec.login_for, sizeof(h));
}

grantd_rc grantd_web_session_end(struct grantd_request *req, struct grantd_response *resp,
                                 const struct grantd_web_session *s)
{
    grantd_rc rc = grantd_store_session_delete(req->app->store, req->iss->tenant,
                                               s->rec.id_hash);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    grantd_response_header(resp, "Set-Cookie",
                           grantd_arena_printf(req->arena,
                                               "%s=; Path=/; Max-Age=0; HttpOnly; "
                                               "SameSite=Lax%s",
                                               cookie_name(req),
                                               issuer_is_https(req) ? "; Secure" : ""));
    return GRANTD_OK;
}
