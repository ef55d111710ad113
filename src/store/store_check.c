/* The argument checks of the store's wrappers, one predicate per record (store_check.h).
 * Not here: the wrappers that call them (store.c), checks against stored rows (drivers). */
#include "store/store_check.h"

#include <stdint.h>
#include <string.h>

int store__tokens_ok(const struct grantd_token *t, size_t count)
{
    if (!t || count == 0 || !t[0].family)
        return 0;
    for (size_t i = 0; i < count; i++) {
        int kind_ok = t[i].kind == GRANTD_TOKEN_ACCESS || t[i].kind == GRANTD_TOKEN_REFRESH;
        if (!kind_ok || !t[i].client_id || t[i].created_at <= 0 || t[i].tenant != t[0].tenant ||
            !t[i].family || strcmp(t[i].family, t[0].family) != 0)
            return 0;
    }
    return 1;
}

int store__code_ok(const struct grantd_code *k)
{
    return k && k->client_id && k->user_id && k->family && k->created_at > 0 &&
           !k->code_challenge == !k->code_challenge_method;
}

int store__rotate_ok(int64_t tenant, const unsigned char *old_hash, int64_t now,
                     const unsigned char *successor, size_t successor_len,
                     const struct grantd_token *tokens, size_t count)
{
    return old_hash && now > 0 && store__tokens_ok(tokens, count) && tokens[0].tenant == tenant &&
           (successor || !successor_len) && successor_len <= (size_t)INT32_MAX;
}

/* What client_put and client_update both require. */
static int client_ok(const struct grantd_client *c)
{
    if (!c || !c->id || !c->name || (c->redirect_uri_count && !c->redirect_uris))
        return 0;
    if (c->code_ttl < 0 || c->access_ttl < 0 || c->refresh_ttl < GRANTD_TTL_NEVER)
        return 0;
    for (size_t i = 0; i < c->redirect_uri_count; i++)
        if (!c->redirect_uris[i])
            return 0;
    return 1;
}

int store__client_put_ok(const struct grantd_client *c)
{
    return client_ok(c) && c->created_at > 0 && c->tokens_after > 0;
}

int store__client_update_ok(const struct grantd_client *c, int64_t now)
{
    return client_ok(c) && now > 0;
}

int store__key_ok(const struct grantd_key *k)
{
    return k && k->kid && k->alg && k->public_jwk && k->private_sealed && k->created_at > 0 &&
           k->private_sealed_len > 0 && k->private_sealed_len <= (size_t)INT32_MAX;
}

int store__audit_ok(const struct grantd_audit *e)
{
    return e && e->at > 0 && e->tenant >= 0 && e->actor_kind && *e->actor_kind && e->action &&
           *e->action && e->target_kind && *e->target_kind && e->target_id;
}

int store__audit_query_ok(const struct grantd_audit_query *q)
{
    return q && q->tenant >= 0 && !q->target_kind == !q->target_id &&
           !(q->target_kind && q->tenant == 0);
}

int store__registration_put_ok(const struct grantd_client *c,
                               const struct grantd_registration *r, int64_t now)
{
    return store__client_put_ok(c) && r && r->tenant == c->tenant && r->client_id &&
           strcmp(r->client_id, c->id) == 0 && now > 0;
}

int store__registration_rotate_ok(const struct grantd_client *c,
                                  const struct grantd_registration *r,
                                  const unsigned char *old_hash, int64_t now)
{
    if (!r || !r->client_id || !old_hash || now <= 0)
        return 0;
    return !c || (store__client_update_ok(c, now) && c->tenant == r->tenant &&
                  strcmp(c->id, r->client_id) == 0);
}
