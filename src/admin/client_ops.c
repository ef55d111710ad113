/* Client changes with their audit entries (see client_ops.h): one place that creates,
 * rotates, disables, enables, replaces and deletes clients for the admin API and the
 * developer console. */
#include "admin/client_ops.h"

#include <string.h>

#include "core/clock.h"

grantd_rc grantd_client_ops_create(struct grantd_store *s, const struct grantd_actor *who,
                                   int64_t tenant, int64_t now, struct grantd_client *c,
                                   char id[32], char secret[GRANTD_CLIENT_SECRET_LEN])
{
    grantd_rc rc = GRANTD_OK;
    secret[0] = '\0';
    if (!c->id && (rc = grantd_rules_random_id(id)) == GRANTD_OK)
        c->id = id;
    c->tenant = tenant;
    c->created_at = c->updated_at = now;
    c->tokens_after = grantd_clock_now_us();
    c->disabled = 0;
    if (rc == GRANTD_OK && !c->is_public)
        rc = grantd_rules_new_secret(s, secret, c->secret_hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(s);
    if (rc == GRANTD_OK)
        rc = grantd_audit_end(s, who, tenant, now, "client.create", "client", c->id,
                              grantd_audit_client_created(c),
                              grantd_store_client_put(s, c));
    return rc;
}

grantd_rc grantd_client_ops_new_secret(struct grantd_store *s, const struct grantd_actor *who,
                                       int64_t now, const struct grantd_client *c, int enable,
                                       int64_t overlap, char secret[GRANTD_CLIENT_SECRET_LEN])
{
    unsigned char hash[GRANTD_SHA256_LEN];
    secret[0] = '\0';
    if (c->is_public && !enable)
        return GRANTD_EINVAL;
    grantd_rc rc = GRANTD_OK, wrc = GRANTD_OK;
    if (!c->is_public)
        rc = grantd_rules_new_secret(s, secret, hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(s);
    if (rc != GRANTD_OK)
        return rc;
    if (!c->is_public)
        wrc = grantd_store_client_rotate_secret(s, c->tenant, c->id, hash,
                                                overlap ? now + overlap : 0, now);
    if (wrc == GRANTD_OK && enable)
        wrc = grantd_store_client_set_disabled(s, c->tenant, c->id, 0, grantd_clock_now_us());
    json_t *details = enable ? json_pack("{s:b}", "new_secret", !c->is_public)
                             : json_pack("{s:I}", "overlap", (json_int_t)overlap);
    return grantd_audit_end(s, who, c->tenant, now,
                            enable ? "client.enable" : "client.secret_rotate", "client", c->id,
                            details, wrc);
}

grantd_rc grantd_client_ops_disable(struct grantd_store *s, const struct grantd_actor *who,
                                    int64_t tenant, int64_t now, const char *id)
{
    grantd_rc rc = grantd_store_audit_begin(s);
    if (rc == GRANTD_OK)
        rc = grantd_audit_end(s, who, tenant, now, "client.disable", "client", id, NULL,
                              grantd_store_client_set_disabled(s, tenant, id, 1,
                                                               grantd_clock_now_us()));
    return rc;
}

grantd_rc grantd_client_ops_delete(struct grantd_store *s, const struct grantd_actor *who,
                                   int64_t tenant, int64_t now, const char *id)
{
    grantd_rc rc = grantd_store_audit_begin(s);
    if (rc == GRANTD_OK)
        rc = grantd_audit_end(s, who, tenant, now, "client.delete", "client", id, NULL,
                              grantd_store_client_delete(s, tenant, id));
    return rc;
}

grantd_rc grantd_client_ops_replace(struct grantd_store *s, const struct grantd_actor *who,
                                    int64_t now, const struct grantd_client *old, char id[32],
                                    char secret[GRANTD_CLIENT_SECRET_LEN])
{
    struct grantd_client c = *old;
    grantd_rc rc = grantd_rules_random_id(id);
    secret[0] = '\0';
    c.id = id;
    c.created_at = c.updated_at = now;
    c.tokens_after = grantd_clock_now_us();
    c.disabled = 0;
    c.prev_secret_until = 0;
    memset(c.prev_secret_hash, 0, sizeof(c.prev_secret_hash));
    if (rc == GRANTD_OK && !c.is_public)
        rc = grantd_rules_new_secret(s, secret, c.secret_hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(s);
    if (rc != GRANTD_OK)
        return rc;
    grantd_rc wrc = grantd_store_client_delete(s, old->tenant, old->id);
    if (wrc == GRANTD_OK)
        wrc = grantd_store_client_put(s, &c);
    return grantd_audit_end(s, who, old->tenant, now, "client.enable", "client", id,
                            json_pack("{s:b,s:s}", "new_client_id", 1, "previous_client_id",
                                      old->id),
                            wrc);
}
