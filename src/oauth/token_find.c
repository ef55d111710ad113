/* Finding a presented token (see token_find.h). */
#include "oauth/token_find.h"

#include <string.h>

#include "http/app.h"
#include "oauth/client_cache.h"
#include "oauth/resource.h"
#include "oauth/scope.h"
#include "oauth/token.h"
#include "token/keys.h"
#include "token/opaque.h"

/* The stored record under key, from the token cache (introspection) or the store
 * (revocation: it acts on what the store holds now); GRANTD_ENOTFOUND when absent. */
static grantd_rc stored(struct grantd_request *req, int cache,
                        const unsigned char key[GRANTD_SHA256_LEN], struct grantd_token_facts *f)
{
    if (cache)
        return grantd_token_cache_get(req, key, f);
    struct grantd_store *st = req->app->store;
    memset(f, 0, sizeof(*f));
    return grantd_store_token_get(st, req->arena, req->iss->tenant, key, &f->token);
}

/* 1 when the claims of a self-contained token signed by our key are what token_issue.c writes
 * for one: this issuer as iss, the client itself as sub (client credentials: no user), and
 * as aud the issuer's URL or resources the client may ask for (RFC 8707). The signature alone
 * is no proof: a key shared with another deployment, or a signing bug, must not make a
 * token with another issuer or audience active here. */
static int claims_ours(const struct grantd_request *req, const struct grantd_jwt_claims *c,
                       const struct grantd_client *client)
{
    if (strcmp(c->iss, req->iss->url) != 0 || strcmp(c->sub, c->client_id) != 0 || !c->aud ||
        !*c->aud)
        return 0;
    if (strcmp(c->aud, req->iss->url) == 0)
        return 1;
    const char **list;
    size_t n;
    if (grantd_scope_split(req->arena, c->aud, &list, &n) != GRANTD_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!client->resources || !grantd_resource_in(list[i], client->resources))
            return 0;
    return 1;
}

/* A JWT absent from the store: a self-contained token's facts, or its revocation row; ABSENT
 * when it is none of ours: not signed by a published key, not self-contained (a stored kind
 * of JWT that is not in the store), or of a client that no longer exists. */
static grantd_rc self_contained(struct grantd_request *req, int cache, const char *text,
                                struct grantd_token_facts *f, enum grantd_token_where *found)
{
    struct grantd_jwt_claims c;
    int64_t issued_us;
    if (!req->iss->keyring)
        return GRANTD_OK;
    grantd_rc rc = grantd_keyring_verify(req->iss->keyring, req->arena, req->app->now(), text, &c);
    if (rc == GRANTD_ESTORE)
        return rc; /* the issuer's keys could not be read: not "inactive" */
    if (rc != GRANTD_OK || (issued_us = grantd_opaque_jti_self_time(c.jti)) == 0)
        return GRANTD_OK;
    unsigned char key[GRANTD_SHA256_LEN];
    grantd_opaque_key_jti(c.jti, key);
    rc = stored(req, cache, key, f);
    if (rc != GRANTD_ENOTFOUND) {
        *found = rc == GRANTD_OK ? GRANTD_TOKEN_STORED : GRANTD_TOKEN_ABSENT;
        return rc;
    }
    struct grantd_client client;
    rc = grantd_client_cache_get(req, c.client_id, &client);
    if (rc != GRANTD_OK)
        return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
    if (!claims_ours(req, &c, &client))
        return GRANTD_OK;
    memset(f, 0, sizeof(*f));
    struct grantd_token *t = &f->token;
    t->tenant = req->iss->tenant;
    memcpy(t->hash, key, sizeof(key));
    t->kind = GRANTD_TOKEN_ACCESS;
    t->client_id = c.client_id;
    t->scope = c.scope ? c.scope : "";
    t->family = c.jti;
    t->family_is_new = 1; /* the jti: no other token shares it */
    /* aud is the resources it was issued for, else the issuer's URL (token_issue.c) */
    t->audience = c.aud && strcmp(c.aud, req->iss->url) != 0 ? c.aud : "";
    t->created_at = c.iat;
    t->expires_at = c.exp;
    t->revoked = client.disabled || issued_us <= client.tokens_after;
    f->user_ok = 1;
    *found = GRANTD_TOKEN_SELF_CONTAINED;
    return GRANTD_OK;
}

grantd_rc grantd_token_find(struct grantd_request *req, const char *text, int cache,
                            struct grantd_token_facts *f, enum grantd_token_where *where,
                            int *is_jwt)
{
    unsigned char key[GRANTD_SHA256_LEN], text_key[GRANTD_SHA256_LEN];
    const char *dot = strchr(text, '.');
    int jwt = dot && strchr(dot + 1, '.') != NULL;
    if (is_jwt)
        *is_jwt = jwt;
    *where = GRANTD_TOKEN_ABSENT;
    /* a self-contained token's verdict, kept while the generation read before its lookups
     * is the store's (token_cache.h): no store read, no signature check, and no decoding of
     * the claims, so its entry goes by the text's digest alone (the entry compares the
     * whole text) */
    uint64_t generation = 0;
    int64_t fetched_us = 0;
    if (cache && jwt) {
        grantd_opaque_hash_unordered(text, text_key);
        if (grantd_token_cache_self_get(req, text, text_key, f)) {
            *where = GRANTD_TOKEN_SELF_CONTAINED;
            return GRANTD_OK;
        }
        generation = grantd_token_cache_mark(req, &fetched_us);
    }
    grantd_opaque_hash(text, key);
    grantd_rc rc = stored(req, cache, key, f);
    if (rc == GRANTD_ENOTFOUND && jwt) {
        rc = self_contained(req, cache, text, f, where);
        /* kept only when the keys it was checked with were read under the same generation
         * (keys.h: the keyring may reload a moment after a key change) */
        if (cache && rc == GRANTD_OK && *where == GRANTD_TOKEN_SELF_CONTAINED &&
            grantd_keyring_generation(req->iss->keyring) == generation)
            grantd_token_cache_self_keep(req, text, text_key, generation, fetched_us, f);
        return rc;
    }
    *where = rc == GRANTD_OK ? GRANTD_TOKEN_STORED : GRANTD_TOKEN_ABSENT;
    /* a stored JWT signed by a key retired since (grantd key retire: it leaked) is revoked */
    if (rc == GRANTD_OK && jwt && req->iss->keyring &&
        !grantd_keyring_header_live(req->iss->keyring, req->app->now(), text))
        f->token.revoked = 1;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

grantd_rc grantd_token_find_requested(struct grantd_request *req, int cache,
                                      struct grantd_token_request *out,
                                      struct grantd_refusal *no)
{
    out->found = GRANTD_TOKEN_ABSENT;
    out->is_jwt = 0;
    grantd_rc rc = grantd_oauth_body_check(req, no);
    if (rc == GRANTD_OK)
        rc = grantd_client_authenticate(req, &out->auth, no);
    if (rc != GRANTD_OK)
        return rc;
    const char *text = grantd_params_value(&req->form, "token");
    if (!text)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, "token is required");
    return grantd_token_find(req, text, cache, &out->f, &out->found, &out->is_jwt);
}
