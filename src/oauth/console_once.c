/* The console's credentials handed from a POST to the GET after it (see console_once.h). */
#include "oauth/console_once.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "core/seal.h"
#include "http/app.h"

#define COOKIE "grantd_console_once"
#define AAD "grantd console credentials"
#define SEALED_MAX 2048 /* bytes of sealed plaintext: names are at most 200 bytes */

static const char *cookie_name(const struct grantd_request *req)
{
    if (req->iss->tenant == GRANTD_DEFAULT_TENANT)
        return COOKIE;
    return grantd_arena_printf(req->arena, "%s_%lld", COOKIE, (long long)req->iss->tenant);
}

static grantd_rc session_key(struct grantd_request *req, const struct grantd_web_session *s,
                             unsigned char key[GRANTD_SEAL_KEY_LEN])
{
    unsigned char base[GRANTD_SHA256_LEN], msg[12 + GRANTD_SHA256_LEN];
    grantd_rc rc = grantd_store_hash_key(req->app->store, base);
    if (rc != GRANTD_OK)
        return rc;
    memcpy(msg, "console-once", 12);
    memcpy(msg + 12, s->rec.id_hash, GRANTD_SHA256_LEN);
    grantd_hmac_sha256(base, sizeof(base), msg, sizeof(msg), key);
    explicit_bzero(base, sizeof(base));
    return GRANTD_OK;
}

static void set_cookie(struct grantd_request *req, struct grantd_response *resp,
                       const char *value, int max_age)
{
    int https = strncmp(req->iss->url, "https://", 8) == 0;
    grantd_response_header(resp, "Set-Cookie",
                           grantd_arena_printf(req->arena,
                                               "%s=%s; Path=/; Max-Age=%d; HttpOnly; "
                                               "SameSite=Strict%s",
                                               cookie_name(req), value, max_age,
                                               https ? "; Secure" : ""));
}

static char *plain_text(const struct grantd_ui_console_credentials *v, int64_t expires)
{
    json_t *o = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:I}", "h", v->heading, "n", v->name,
                          "c", v->client_id, "s", v->secret, "t", v->note, "e",
                          (json_int_t)expires);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

grantd_rc grantd_console_once_put(struct grantd_request *req, struct grantd_response *resp,
                                  const struct grantd_web_session *s,
                                  const struct grantd_ui_console_credentials *v)
{
    unsigned char key[GRANTD_SEAL_KEY_LEN], *sealed = NULL;
    size_t sealed_len = 0;
    char *plain = plain_text(v, req->app->now() + GRANTD_CONSOLE_ONCE_TTL);
    grantd_rc rc = plain && strlen(plain) <= SEALED_MAX ? session_key(req, s, key)
                                                         : GRANTD_EINVAL;
    if (rc == GRANTD_OK)
        rc = grantd_seal(key, AAD, strlen(AAD), plain, strlen(plain), &sealed, &sealed_len);
    if (rc == GRANTD_OK) {
        char *text = grantd_arena_alloc(req->arena, grantd_b64url_len(sealed_len) + 1);
        grantd_b64url_encode(sealed, sealed_len, text);
        set_cookie(req, resp, text, GRANTD_CONSOLE_ONCE_TTL);
    }
    explicit_bzero(key, sizeof(key));
    if (plain) {
        explicit_bzero(plain, strlen(plain));
        free(plain);
    }
    free(sealed);
    return rc;
}

static const char *member(struct grantd_request *req, json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? grantd_arena_printf(req->arena, "%s", s) : NULL;
}

/* The sealed bytes of the request's cookie, decoded into the arena. */
static grantd_rc cookie_bytes(struct grantd_request *req, unsigned char **out, size_t *len)
{
    const char *header = grantd_request_header(req, "cookie"), *value = NULL;
    struct grantd_params cookies;
    if (!header ||
        grantd_cookies_parse(req->arena, header, &req->app->limits, &cookies) != GRANTD_OK ||
        grantd_params_get(&cookies, cookie_name(req), &value) != GRANTD_OK)
        return GRANTD_ENOTFOUND;
    size_t n = strlen(value);
    if (n == 0 || n > grantd_b64url_len(SEALED_MAX + GRANTD_SEAL_OVERHEAD))
        return GRANTD_ENOTFOUND;
    *out = grantd_arena_alloc(req->arena, n * 3 / 4 + 3);
    return grantd_b64_decode(value, n, 0, *out, len) == GRANTD_OK ? GRANTD_OK
                                                                  : GRANTD_ENOTFOUND;
}

grantd_rc grantd_console_once_take(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_web_session *s,
                                   struct grantd_ui_console_credentials *v)
{
    unsigned char key[GRANTD_SEAL_KEY_LEN], *sealed = NULL, *plain = NULL;
    size_t sealed_len = 0, plain_len = 0;
    grantd_rc rc = cookie_bytes(req, &sealed, &sealed_len);
    if (rc != GRANTD_OK)
        return rc;
    set_cookie(req, resp, "", 0); /* shown once: gone whatever follows */
    rc = session_key(req, s, key);
    if (rc == GRANTD_OK &&
        grantd_unseal(key, AAD, strlen(AAD), sealed, sealed_len, &plain, &plain_len) != GRANTD_OK)
        rc = GRANTD_ENOTFOUND;
    explicit_bzero(key, sizeof(key));
    if (rc != GRANTD_OK)
        return rc;
    json_t *o = json_loadb((const char *)plain, plain_len, 0, NULL);
    json_int_t expires = json_integer_value(json_object_get(o, "e"));
    *v = (struct grantd_ui_console_credentials){
        .heading = member(req, o, "h"), .name = member(req, o, "n"),
        .client_id = member(req, o, "c"), .secret = member(req, o, "s"),
        .note = member(req, o, "t"),
    };
    json_decref(o);
    explicit_bzero(plain, plain_len);
    free(plain);
    if (expires < req->app->now() || !v->heading || !v->client_id || !v->name)
        return GRANTD_ENOTFOUND;
    return GRANTD_OK;
}
