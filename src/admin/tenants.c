/* The admin API's tenants and signing keys:
 *   GET  /v1/tenants              the tenants the key may see (a tenant key: its own)
 *   GET  /v1/tenants/{t}          one tenant: name, issuer, profile
 *   GET  /v1/tenants/{t}/keys     its signing keys: kid, alg, state, times (never private
 *                                 material)
 *   POST /v1/tenants/{t}/keys/rotate  `grantd key rotate`: a new key, published at once,
 *                                 signing from now + keys.publish_ahead
 *   POST /v1/tenants/{t}/keys/{kid}/revoke  `grantd key revoke`: the key unpublished and its
 *                                 tokens refused now; replaced at once when it signs
 * Tenants are created with `grantd tenant create` (a running server serves a new tenant
 * after a restart), not here. */
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"
#include "admin/body.h"
#include "token/keys.h"

void grantd_api_tenants_list(struct api_ctx *x)
{
    struct grantd_tenant *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_tenant_list(x->store, x->req->arena, &list, &n);
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!x->key.tenant || x->key.tenant == list[i].id)
            json_array_append_new(arr, grantd_api_tenant_json(x, &list[i]));
    grantd_api_json(x, 200, json_pack("{s:o}", "tenants", arr));
}

void grantd_api_tenant_show(struct api_ctx *x)
{
    grantd_api_json(x, 200, grantd_api_tenant_json(x, &x->tenant));
}

static json_t *key_json(const struct grantd_key *list, size_t n, size_t i, int64_t now)
{
    const struct grantd_key *k = &list[i];
    return json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "kid", k->kid, "alg", k->alg, "state",
                     grantd_keys_state(list, n, i, now), "created_at", (json_int_t)k->created_at,
                     "active_from", (json_int_t)k->active_from, "retire_at",
                     k->retire_at ? json_integer(k->retire_at) : json_null());
}

/* The keys of the tenant as {"keys": [...]}; or, with kid, that one key alone. */
static void answer_keys(struct api_ctx *x, unsigned status, const char *kid)
{
    struct grantd_key *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_key_list(x->store, x->req->arena, x->tenant.id, &list, &n);
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (kid && strcmp(list[i].kid, kid) == 0) {
            json_decref(arr);
            grantd_api_json(x, status, key_json(list, n, i, x->now));
            return;
        }
        json_array_append_new(arr, key_json(list, n, i, x->now));
    }
    if (kid) {
        json_decref(arr);
        grantd_response_internal(x->req, x->resp, GRANTD_ENOTFOUND);
        return;
    }
    grantd_api_json(x, status, json_pack("{s:o}", "keys", arr));
}

void grantd_api_keys_list(struct api_ctx *x)
{
    answer_keys(x, 200, NULL);
}

void grantd_api_keys_rotate(struct api_ctx *x)
{
    const char *alg = NULL, *why = NULL, *kid = NULL;
    char err[256];
    int64_t ttl = 0;
    if (grantd_api_alg_parse(x->req->arena, x->req->body, x->req->body_len, &alg, &why) !=
        GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    /* the issuer's settings (its profile's keys.alg, publish_ahead); a tenant the server
     * does not serve yet: the server's */
    const struct grantd_config *cfg = x->iss ? x->iss->cfg : x->req->app->cfg;
    grantd_rc rc = grantd_keys_max_access_ttl(x->store, x->req->arena, cfg, x->tenant.id, &ttl);
    struct grantd_actor who = grantd_api_actor(x);
    struct grantd_audit entry =
        grantd_audit_entry(x->req->arena, &who, x->now, "key.rotate",
                           alg ? json_pack("{s:s}", "alg", alg) : NULL);
    if (rc == GRANTD_OK)
        rc = grantd_keys_rotate_audited(x->store, cfg, x->tenant.id, alg, x->now, ttl, &entry,
                                        x->req->arena, &kid, err, sizeof(err));
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    entry.tenant = x->tenant.id; /* as the stored entry (token/keys_rotate.c) */
    entry.target_kind = "key";
    entry.target_id = kid;
    grantd_audit_emit(&entry);
    grantd_api_change_logged(x, "key.rotate", kid);
    answer_keys(x, 201, kid);
}

void grantd_api_keys_revoke(struct api_ctx *x)
{
    const char *new_kid = NULL;
    int already = 0;
    char err[256];
    const struct grantd_config *cfg = x->iss ? x->iss->cfg : x->req->app->cfg;
    struct grantd_actor who = grantd_api_actor(x);
    struct grantd_audit entry = grantd_audit_entry(x->req->arena, &who, x->now, "key.revoke",
                                                   NULL);
    grantd_rc rc = grantd_keys_revoke(x->store, cfg, x->tenant.id, x->arg, x->now, &entry,
                                      x->req->arena, &new_kid, &already, err, sizeof(err));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "key", x->arg);
        return;
    }
    if (!already)
        grantd_api_change_logged(x, "key.revoke", x->arg);
    answer_keys(x, 200, NULL);
}
