/* libgrantd-verify: grantd_verify itself and what its result carries: the reason, the
 * subject, client and scopes, the claims as JSON text, and the RFC 6750 §3 WWW-Authenticate
 * value (realm = issuer; error="invalid_token" for invalid, expired and revoked tokens;
 * error="insufficient_scope" with the scope required; no error attribute when no token was
 * given). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verifier_int.h"

static char *dup_member(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

/* s with '"' and '\' escaped, appended to buf at *len (buf large enough: 2*strlen(s)). */
static void quoted(char *buf, size_t *len, const char *s)
{
    buf[(*len)++] = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf[(*len)++] = '\\';
        buf[(*len)++] = *s;
    }
    buf[(*len)++] = '"';
    buf[*len] = '\0';
}

static char *www_authenticate(struct grantd_verifier *v, enum grantd_verify_reason r,
                              const char *scope)
{
    if (r == GRANTD_VERIFY_OK)
        return NULL;
    size_t cap = 2 * strlen(v->issuer) + 2 * (scope ? strlen(scope) : 0) + 96, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    len = (size_t)sprintf(buf, "Bearer realm=");
    quoted(buf, &len, v->issuer);
    if (r == GRANTD_VERIFY_INSUFFICIENT_SCOPE) {
        len += (size_t)sprintf(buf + len, ", error=\"insufficient_scope\", scope=");
        quoted(buf, &len, scope ? scope : "");
    } else if (r != GRANTD_VERIFY_MISSING) {
        sprintf(buf + len, ", error=\"invalid_token\"");
    }
    return buf;
}

static int64_t int_claim(json_t *claims, const char *name, int64_t absent)
{
    json_t *n = json_object_get(claims, name);
    return json_is_integer(n) ? (int64_t)json_integer_value(n) : absent;
}

/* The verdict before the scope check, from the JWT cache or the full check; out's members
 * are set for OK. */
static enum grantd_verify_reason verdict(struct grantd_verifier *v, const char *t,
                                         struct grantd_verify_result *out)
{
    int jwt = grantd_verify_is_jwt(t);
    if (jwt && grantd_verify_vcache_get(v->vcache, t, grantd_verifier_now(v), v->skew_s, out))
        return GRANTD_VERIFY_OK;
    json_t *claims = NULL;
    enum grantd_verify_reason r = grantd_verify_check(v, t, &claims);
    if (r == GRANTD_VERIFY_OK) {
        out->subject = dup_member(claims, "sub");
        out->client_id = dup_member(claims, "client_id");
        out->scope = dup_member(claims, "scope");
        out->claims_json = json_dumps(claims, JSON_COMPACT);
        if (jwt)
            grantd_verify_vcache_put(v->vcache, t, int_claim(claims, "exp", 0),
                                     int_claim(claims, "nbf", INT64_MIN), out);
    }
    json_decref(claims);
    return r;
}

enum grantd_verify_reason grantd_verify(struct grantd_verifier *v, const char *token,
                                        const char *required_scope,
                                        struct grantd_verify_result *out)
{
    memset(out, 0, sizeof(*out));
    const char *t = grantd_verify_token_of(token);
    enum grantd_verify_reason r = t ? verdict(v, t, out) : GRANTD_VERIFY_MISSING;
    if (r == GRANTD_VERIFY_OK && v->revoked && grantd_verify_revoked_match(v->revoked, t, out)) {
        grantd_verify_result_clear(out);
        r = GRANTD_VERIFY_REVOKED;
    }
    if (r == GRANTD_VERIFY_OK && !grantd_verify_scopes_granted(out->scope, required_scope))
        r = GRANTD_VERIFY_INSUFFICIENT_SCOPE;
    out->reason = r;
    out->www_authenticate = www_authenticate(v, r, required_scope);
    return r;
}

void grantd_verify_result_clear(struct grantd_verify_result *r)
{
    if (!r)
        return;
    free(r->subject);
    free(r->client_id);
    free(r->scope);
    free(r->claims_json);
    free(r->www_authenticate);
    memset(r, 0, sizeof(*r));
}
