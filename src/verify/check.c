/* libgrantd-verify: verifying one token. A JWT (three dot-separated parts) is checked
 * locally: typ at+jwt, the key by kid with the algorithm the key has (the header's alg must
 * only agree with it), the signature, then iss, aud, exp/nbf/iat with the skew, and the
 * required scopes. Anything else is an opaque token, asked of the introspection endpoint
 * through the bounded cache. The result carries the reason, the claims and an RFC 6750 §3
 * WWW-Authenticate value.
 *
 * Not here: keys and discovery (verifier.c), the cache (icache.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "verify/verifier_int.h"

static const char *const reason_names[] = {"ok", "missing", "invalid", "expired", "revoked",
                                           "insufficient_scope"};

const char *grantd_verify_reason_name(enum grantd_verify_reason r)
{
    if ((unsigned)r >= sizeof(reason_names) / sizeof(reason_names[0]))
        return "invalid";
    return reason_names[r];
}

const char *grantd_verify_token_of(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    if (strncasecmp(s, "Bearer ", 7) == 0)
        for (s += 7; *s == ' '; s++)
            ;
    else if (strchr(s, ' '))
        return NULL; /* another scheme's credentials: no token (RFC 6750 §3.1, no error) */
    return *s ? s : NULL;
}

/* 1 when every space-separated scope of need is one of have's. */
int grantd_verify_scopes_granted(const char *have, const char *need)
{
    if (!need)
        return 1;
    size_t hl = have ? strlen(have) : 0;
    for (const char *p = need; *p;) {
        size_t n = strcspn(p, " ");
        int found = 0;
        for (const char *h = have; n && h && h < have + hl && !found;) {
            size_t m = strcspn(h, " ");
            found = m == n && memcmp(h, p, n) == 0;
            h += m + (h[m] == ' ');
        }
        if (n && !found)
            return 0;
        p += n + (p[n] == ' ');
    }
    return 1;
}

static int aud_ok(json_t *aud, const char *want)
{
    if (!want)
        return 1;
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    json_t *a;
    json_array_foreach(aud, i, a) if (json_is_string(a) && strcmp(json_string_value(a), want) == 0)
        return 1;
    return 0;
}

static int int_member(json_t *o, const char *name, int64_t *out, int required)
{
    json_t *v = json_object_get(o, name);
    if (!v)
        return !required;
    if (!json_is_integer(v))
        return 0;
    *out = (int64_t)json_integer_value(v);
    return 1;
}

/* The claims' verdict, the signature being good. */
static enum grantd_verify_reason claims_reason(struct grantd_verifier *v, json_t *c)
{
    int64_t now = grantd_verifier_now(v), exp = 0, nbf = INT64_MIN, iat = INT64_MIN;
    const char *iss = json_string_value(json_object_get(c, "iss"));
    /* RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are required (aud is checked
     * only when this service has one) */
    if (!iss || strcmp(iss, v->issuer) != 0 || !aud_ok(json_object_get(c, "aud"), v->audience) ||
        !json_is_string(json_object_get(c, "sub")) ||
        !json_is_string(json_object_get(c, "client_id")) ||
        !json_is_string(json_object_get(c, "jti")) || !int_member(c, "exp", &exp, 1) ||
        !int_member(c, "nbf", &nbf, 0) || !int_member(c, "iat", &iat, 1))
        return GRANTD_VERIFY_INVALID;
    if ((nbf != INT64_MIN && nbf > now + v->skew_s) || iat > now + v->skew_s)
        return GRANTD_VERIFY_INVALID;
    if (exp + v->skew_s <= now)
        return GRANTD_VERIFY_EXPIRED;
    return GRANTD_VERIFY_OK;
}

static int typ_ok(const char *typ)
{
    return strcasecmp(typ, "at+jwt") == 0 || strcasecmp(typ, "application/at+jwt") == 0;
}

/* A JWT's verdict; *claims (owned by the caller) is set when the signature held. */
static enum grantd_verify_reason check_jwt(struct grantd_verifier *v, const char *token,
                                           json_t **claims)
{
    enum grantd_verify_reason r = GRANTD_VERIFY_INVALID;
    enum grantd_verify_alg alg = 0;
    EVP_PKEY_CTX *key = NULL;
    struct grantd_verify_jws j;
    *claims = NULL;
    if (grantd_verify_jws_parse(token, &j) != GRANTD_OK)
        return r;
    if (!typ_ok(j.typ) || !j.kid[0])
        goto out;
    key = grantd_verifier_key(v, j.kid, &alg);
    const char *alg_name = alg == GRANTD_VERIFY_RS256 ? "RS256" : "ES256";
    if (!key || strcmp(j.alg, alg_name) != 0 || !grantd_verify_jws_signature(&j, key, alg))
        goto out;
    r = claims_reason(v, j.claims);
    *claims = json_incref(j.claims);
out:
    EVP_PKEY_CTX_free(key);
    grantd_verify_jws_clear(&j);
    return r;
}

/* The introspection answer for token, from the cache or the endpoint; NULL if none. */
static json_t *introspect(struct grantd_verifier *v, const char *token)
{
    char *text = NULL, *form = NULL, *esc = NULL;
    json_t *a = NULL;
    int64_t now = grantd_verifier_now(v);
    if (grantd_verify_icache_get(v->icache, token, now, &text)) {
        __atomic_add_fetch(&v->n_icache_hits, 1, __ATOMIC_RELAXED);
        goto parse;
    }
    const char *endpoint = grantd_verifier_introspection_endpoint(v);
    esc = curl_easy_escape(NULL, token, 0);
    if (!endpoint || !esc)
        goto out_esc;
    form = malloc(strlen(esc) + 64);
    if (!form)
        abort();
    sprintf(form, "token=%s&token_type_hint=access_token", esc);
    __atomic_add_fetch(&v->n_introspections, 1, __ATOMIC_RELAXED);
    if (grantd_verify_http(endpoint, form, v->client_id, v->client_secret, v->timeout_ms,
                           &text) != GRANTD_OK)
        goto out_esc;
    a = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(a)) {
        int active = json_is_true(json_object_get(a, "active"));
        int64_t until = now + (active ? v->ttl_s : v->negative_ttl_s), exp = 0;
        if (active && int_member(a, "exp", &exp, 1) && exp < until)
            until = exp;
        grantd_verify_icache_put(v->icache, token, text, until);
    }
    json_decref(a);
out_esc:
    curl_free(esc);
parse:
    a = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(text);
    free(form);
    if (a && !json_is_object(a)) {
        json_decref(a);
        a = NULL;
    }
    return a;
}

/* An opaque token's verdict; *claims is the active answer. */
static enum grantd_verify_reason check_opaque(struct grantd_verifier *v, const char *token,
                                              json_t **claims)
{
    *claims = NULL;
    if (!v->client_id || !v->client_secret || strlen(token) > GRANTD_VERIFY_TOKEN_MAX)
        return GRANTD_VERIFY_INVALID;
    json_t *a = introspect(v, token);
    if (!json_is_true(json_object_get(a, "active"))) {
        json_decref(a);
        return GRANTD_VERIFY_INVALID; /* RFC 7662 does not say why: revoked, expired, unknown */
    }
    int64_t exp = 0;
    const char *iss = json_string_value(json_object_get(a, "iss"));
    *claims = a;
    if ((iss && strcmp(iss, v->issuer) != 0) || !int_member(a, "exp", &exp, 0) ||
        !aud_ok(json_object_get(a, "aud"), v->audience))
        return GRANTD_VERIFY_INVALID;
    if (exp && exp + v->skew_s <= grantd_verifier_now(v))
        return GRANTD_VERIFY_EXPIRED;
    return GRANTD_VERIFY_OK;
}

int grantd_verify_is_jwt(const char *token)
{
    const char *d1 = strchr(token, '.');
    return d1 && strchr(d1 + 1, '.');
}

/* 1 when token is an RFC 6750 b64token: what is not (spaces inside the token, control
 * characters, ...) is refused before any network or parser sees it. */
static int b64token(const char *t)
{
    size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
    n += strspn(t + n, "=");
    return n > 0 && t[n] == '\0';
}

enum grantd_verify_reason grantd_verify_check(struct grantd_verifier *v, const char *token,
                                              json_t **claims)
{
    *claims = NULL;
    if (!b64token(token))
        return GRANTD_VERIFY_INVALID;
    if (grantd_verify_is_jwt(token))
        return check_jwt(v, token, claims);
    return check_opaque(v, token, claims);
}
