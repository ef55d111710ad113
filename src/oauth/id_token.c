/* ID tokens: minting (the token endpoint) and reading hints (/authorize, end-session). */
#include "oauth/id_token.h"

#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "core/jsonw.h"
#include "http/app.h"
#include "token/keys.h"

#define AT_HASH_BYTES (GRANTD_SHA256_LEN / 2)

int grantd_scope_openid(const char *scope)
{
    static const char want[] = "openid";
    for (const char *p = scope; p && *p;) {
        size_t n = strcspn(p, " ");
        if (n == sizeof(want) - 1 && memcmp(p, want, n) == 0)
            return 1;
        p += n;
        p += *p == ' ';
    }
    return 0;
}

/* Core 1.0 §3.1.3.6: the left half of the access token's SHA-256 (the hash of both RS256
 * and ES256), base64url. */
static void at_hash(const char *access, char out[GRANTD_SHA256_LEN * 2])
{
    unsigned char digest[GRANTD_SHA256_LEN];
    grantd_sha256(access, strlen(access), digest);
    grantd_b64url_encode(digest, AT_HASH_BYTES, out);
}

static void claims(struct grantd_jsonw *w, const char *iss, const struct grantd_id_token *t,
                   int64_t now, int64_t ttl, const char *ath)
{
    grantd_jsonw_member_str(w, 1, "iss", iss);
    grantd_jsonw_member_str(w, 0, "sub", t->sub);
    grantd_jsonw_member_str(w, 0, "aud", t->client->id);
    grantd_jsonw_member_int(w, 0, "exp", now + ttl);
    grantd_jsonw_member_int(w, 0, "iat", now);
    if (t->auth_time > 0)
        grantd_jsonw_member_int(w, 0, "auth_time", t->auth_time);
    if (t->nonce)
        grantd_jsonw_member_str(w, 0, "nonce", t->nonce);
    if (ath)
        grantd_jsonw_member_str(w, 0, "at_hash", ath);
    /* the one way grantd signs people in: a password (RFC 8176 "pwd") */
    grantd_jsonw_raw(w, ",\"amr\":[\"pwd\"]}", 15);
}

grantd_rc grantd_id_token_mint(struct grantd_request *req, const struct grantd_id_token *t,
                               int64_t now, int64_t ttl, const char **out)
{
    char ath[GRANTD_SHA256_LEN * 2];
    if (t->access_token)
        at_hash(t->access_token, ath);
    const char *iss = req->iss->url, *a = t->access_token ? ath : NULL;
    struct grantd_jsonw w = {0};
    claims(&w, iss, t, now, ttl, a);
    if (w.bad)
        return GRANTD_EINVAL;
    size_t len = w.len;
    w = (struct grantd_jsonw){.buf = grantd_arena_alloc(req->arena, len + 1)};
    claims(&w, iss, t, now, ttl, a);
    w.buf[len] = '\0';
    const char *alg = t->client->id_token_alg ? t->client->id_token_alg : "RS256";
    return grantd_keyring_sign_jws(req->iss->keyring, req->arena, now, alg, "JWT", w.buf,
                                   out);
}

/* The aud claim as a space-separated list; NULL when it is neither a string nor an array
 * of strings (none with a space: a client id never has one). */
static const char *aud_list(struct grantd_arena *a, json_t *aud)
{
    if (json_is_string(aud))
        return strchr(json_string_value(aud), ' ') ? NULL
                                                  : grantd_arena_strdup(a, json_string_value(aud));
    if (!json_is_array(aud) || json_array_size(aud) == 0)
        return NULL;
    const char *list = "";
    size_t i;
    json_t *v;
    json_array_foreach(aud, i, v) {
        if (!json_is_string(v) || strchr(json_string_value(v), ' '))
            return NULL;
        list = grantd_arena_printf(a, "%s%s%s", list, i ? " " : "", json_string_value(v));
    }
    return list;
}

static grantd_rc hint_claims(struct grantd_request *req, json_t *c, int64_t now,
                             struct grantd_id_token_hint *out, const char **why)
{
    json_t *iss = json_object_get(c, "iss"), *sub = json_object_get(c, "sub");
    json_t *exp = json_object_get(c, "exp"), *iat = json_object_get(c, "iat");
    json_t *nbf = json_object_get(c, "nbf");
    *why = "id_token_hint is not an ID token of this issuer";
    if (!json_is_string(iss) || strcmp(json_string_value(iss), req->iss->url) != 0 ||
        !json_is_string(sub) || !json_is_integer(exp))
        return GRANTD_EREFUSED;
    /* a time to come is no time of ours: signed elsewhere, or by a clock gone wrong */
    if ((json_is_integer(iat) && json_integer_value(iat) > now + GRANTD_JWT_SKEW_S) ||
        (nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > now + GRANTD_JWT_SKEW_S)))
        return GRANTD_EREFUSED;
    out->aud = aud_list(req->arena, json_object_get(c, "aud"));
    if (!out->aud)
        return GRANTD_EREFUSED;
    out->sub = grantd_arena_strdup(req->arena, json_string_value(sub));
    out->exp = json_integer_value(exp);
    out->iat = json_is_integer(iat) ? json_integer_value(iat) : 0;
    if (out->exp + req->iss->cfg->lifetimes.session <= now) {
        *why = "id_token_hint has expired";
        out->expired = 1;
        return GRANTD_EREFUSED;
    }
    *why = NULL;
    return GRANTD_OK;
}

grantd_rc grantd_id_token_hint_read(struct grantd_request *req, const char *jws, int64_t now,
                                    struct grantd_id_token_hint *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = "id_token_hint is not an ID token of this issuer";
    const char *payload = NULL, *typ = NULL;
    if (!req->iss->keyring ||
        grantd_keyring_verify_jws(req->iss->keyring, req->arena, now, jws, &payload, &typ) !=
            GRANTD_OK)
        return GRANTD_EREFUSED;
    /* grantd's ID tokens say typ JWT; an access token (at+jwt) is none, whatever its claims */
    if (!typ || strcmp(typ, "JWT") != 0)
        return GRANTD_EREFUSED;
    json_t *c = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(c)) {
        json_decref(c);
        return GRANTD_EREFUSED;
    }
    grantd_rc rc = hint_claims(req, c, now, out, why);
    json_decref(c);
    return rc;
}

int grantd_id_token_hint_for(const struct grantd_id_token_hint *h, const char *client_id)
{
    size_t n = strlen(client_id);
    for (const char *p = h->aud; *p;) {
        size_t m = strcspn(p, " ");
        if (m == n && memcmp(p, client_id, n) == 0)
            return 1;
        p += m;
        p += *p == ' ';
    }
    return 0;
}
