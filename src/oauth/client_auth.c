/* Client authentication (RFC 6749 §2.3.1). Not authorization: whether the authenticated
 * client may use a grant is the caller's decision. Failures are rate-limited per (client_id,
 * address) (oauth/ratelimit.h): the limit is asked before the secret is hashed. */
#include "oauth/client_auth.h"

#include <string.h>

#include "http/app.h"
#include "oauth/client_cache.h"
#include "oauth/cors.h"
#include "oauth/ratelimit.h"

struct presented {
    const char *id;
    const char *secret;
    enum grantd_client_auth_method method;
};

/* Which credentials did the request present, and by which single method? */
static grantd_rc gather(struct grantd_request *req, struct presented *p,
                        struct grantd_refusal *no)
{
    const char *body_id = NULL, *body_secret = NULL;
    if (grantd_params_get(&req->form, "client_id", &body_id) == GRANTD_EREPEATED ||
        grantd_params_get(&req->form, "client_secret", &body_secret) == GRANTD_EREPEATED)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, "client credentials are repeated");
    const char *authz = grantd_request_header(req, "authorization");
    grantd_rc rc = authz ? grantd_basic_parse(req->arena, authz, &p->id, &p->secret)
                         : GRANTD_ENOTFOUND;
    if (rc == GRANTD_EINVAL)
        return grantd_refuse_client(no, 1, "malformed Basic credentials");
    if (rc == GRANTD_OK) {
        if (body_secret)
            return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST,
                                 "the client authenticated with more than one method");
        if (body_id && strcmp(body_id, p->id) != 0)
            return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST,
                                 "client_id differs from the Authorization header");
        p->method = GRANTD_AUTH_CLIENT_SECRET_BASIC;
        return GRANTD_OK;
    }
    if (!body_id)
        return grantd_refuse_client(no, 0, "client authentication is required");
    p->id = body_id;
    p->secret = body_secret;
    p->method = body_secret ? GRANTD_AUTH_CLIENT_SECRET_POST : GRANTD_AUTH_NONE;
    return GRANTD_OK;
}

/* 1 when the presented secret matches the client's secret, or its previous one while the
 * overlap of a rotation lasts (before prev_secret_until); hashing happens even for unknown
 * clients so that timing does not tell which client ids exist. */
static int secret_matches(struct grantd_store *store, const struct grantd_client *c,
                          const char *secret, int64_t now, grantd_rc *err)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    *err = grantd_store_hash_secret(store, secret ? secret : "", hash);
    if (*err != GRANTD_OK)
        return 0;
    if (!c || c->is_public || !secret)
        return 0;
    int current = grantd_ct_equal(hash, c->secret_hash, sizeof(hash));
    int previous = grantd_ct_equal(hash, c->prev_secret_hash, sizeof(hash));
    return current || (previous && now < c->prev_secret_until);
}

grantd_rc grantd_client_authenticate(struct grantd_request *req, struct grantd_client_auth *out,
                                     struct grantd_refusal *no)
{
    struct presented p = {0};
    grantd_rc rc = gather(req, &p, no);
    if (rc != GRANTD_OK)
        return rc;
    rc = grantd_ratelimit_client_check(req, p.id, no); /* refused from here for now? */
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_store *store = req->app->store;
    memset(out, 0, sizeof(*out));
    rc = grantd_client_cache_get(req, p.id, &out->client);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    const struct grantd_client *c = rc == GRANTD_OK ? &out->client : NULL;
    int ok;
    if (p.method == GRANTD_AUTH_NONE) {
        ok = c && c->is_public;
    } else {
        ok = secret_matches(store, c, p.secret, req->app->now(), &rc);
        if (rc != GRANTD_OK)
            return rc;
    }
    if (!ok || c->disabled) {
        rc = grantd_ratelimit_client_failed(req, p.id, no); /* 429 once over the limit */
        if (rc != GRANTD_OK)
            return rc;
        return grantd_refuse_client(no, p.method == GRANTD_AUTH_CLIENT_SECRET_BASIC,
                                    "client authentication failed");
    }
    out->method = p.method;
    grantd_cors_allow_client(req, c); /* a browser app's page may read the answer */
    return GRANTD_OK;
}
