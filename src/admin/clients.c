/* The admin API's clients, under /v1/tenants/{t}/clients: what `grantd client ...` does,
 * through the same store operations and rules (admin/rules.h, admin/body.h):
 *   GET    .../clients              list, oldest first (?limit=, ?after=CLIENT_ID)
 *   POST   .../clients              create: 201 with client_secret, shown once
 *   GET    .../clients/{id}         show (never a secret)
 *   PATCH  .../clients/{id}         JSON merge of the members given
 *   DELETE .../clients/{id}         204
 *   POST   .../clients/{id}/disable as `client disable`: tokens, codes and consents revoked
 *                                   in the same transaction, the revocation feed told
 *   POST   .../clients/{id}/enable  as `client enable`: a confidential client gets a new
 *                                   secret (shown once), so the old one never works again
 *   POST   .../clients/{id}/secret  a new secret; {"overlap": S} keeps the old one working
 *                                   S seconds more (at /token, /introspect, /revoke)
 * Each change and its audit entry are one transaction (admin/audit.h), plus one
 * admin_change log event. Secrets exist here only in a stack buffer that is wiped, and in
 * the answer. */
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"
#include "admin/body.h"
#include "admin/rules.h"
#include "core/clock.h"

static void answer_client(struct api_ctx *x, unsigned status, const struct grantd_client *c,
                          const char *secret)
{
    grantd_api_json(x, status, grantd_api_client_json(c, secret, x->now));
}

/* Reads the client of the path into *c; 0 having answered (404, 500) when it cannot. */
static int load(struct api_ctx *x, struct grantd_client *c)
{
    grantd_rc rc = grantd_store_client_get(x->store, x->req->arena, x->tenant.id, x->arg, c);
    if (rc != GRANTD_OK)
        grantd_api_store_fail(x, rc, "client", x->arg);
    return rc == GRANTD_OK;
}

/* After a change: the client as stored now, with secret when one was made. */
static void answer_stored(struct api_ctx *x, const char *secret)
{
    struct grantd_client c;
    if (load(x, &c))
        answer_client(x, 200, &c, secret);
}

static const char *client_id_at(const void *list, size_t i)
{
    return ((const struct grantd_client *)list)[i].id;
}

void grantd_api_clients_list(struct api_ctx *x)
{
    size_t n = 0;
    struct grantd_client *list = NULL;
    struct api_page page;
    grantd_rc rc = grantd_store_client_list(x->store, x->req->arena, x->tenant.id, &list, &n);
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    if (!grantd_api_page(x, list, n, client_id_at, "client", &page))
        return;
    json_t *arr = json_array();
    for (size_t i = page.start; i < page.end; i++)
        json_array_append_new(arr, grantd_api_client_json(&list[i], NULL, x->now));
    json_t *next = page.next ? json_string(page.next) : json_null();
    grantd_api_json(x, 200, json_pack("{s:o,s:o}", "clients", arr, "next", next));
}

void grantd_api_client_create(struct api_ctx *x)
{
    struct grantd_client c;
    const char *why = NULL;
    char id[32], secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (grantd_api_client_parse(x->req->arena, x->req->body, x->req->body_len, 0, &c, &why) !=
        GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    grantd_rc rc = GRANTD_OK;
    if (!c.id && (rc = grantd_rules_random_id(id)) == GRANTD_OK)
        c.id = id;
    c.tenant = x->tenant.id;
    c.created_at = c.updated_at = x->now;
    c.tokens_after = grantd_clock_now_us();
    if (rc == GRANTD_OK && !c.is_public)
        rc = grantd_rules_new_secret(x->store, secret, c.secret_hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "client.create", "client", c.id,
                                  json_pack("{s:s,s:b}", "client_name", c.name, "public",
                                            c.is_public),
                                  grantd_store_client_put(x->store, &c));
    if (rc == GRANTD_OK) {
        answer_client(x, 201, &c, c.is_public ? NULL : secret);
    } else {
        grantd_api_store_fail(x, rc, "client", c.id);
    }
    explicit_bzero(secret, sizeof(secret));
}

void grantd_api_client_show(struct api_ctx *x)
{
    struct grantd_client c;
    if (load(x, &c))
        answer_client(x, 200, &c, NULL);
}

void grantd_api_client_update(struct api_ctx *x)
{
    struct grantd_client c;
    const char *why = NULL;
    if (!load(x, &c))
        return;
    if (grantd_api_client_parse(x->req->arena, x->req->body, x->req->body_len, 1, &c, &why) !=
        GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "client.update", "client", x->arg,
                                  grantd_audit_members(x->req->body, x->req->body_len),
                                  grantd_store_client_update(x->store, &c, x->now));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "client", x->arg);
        return;
    }
    answer_stored(x, NULL);
}

void grantd_api_client_delete(struct api_ctx *x)
{
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "client.delete", "client", x->arg, NULL,
                                  grantd_store_client_delete(x->store, x->tenant.id, x->arg));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "client", x->arg);
        return;
    }
    grantd_response_body(x->resp, 204, NULL, "", 0);
}

void grantd_api_client_disable(struct api_ctx *x)
{
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "client.disable", "client", x->arg, NULL,
                                  grantd_store_client_set_disabled(x->store, x->tenant.id,
                                                                   x->arg, 1,
                                                                   grantd_clock_now_us()));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "client", x->arg);
        return;
    }
    answer_stored(x, NULL);
}

/* enable, and secret (rotate): a new secret for a confidential client (enable: then the
 * client is enabled, with the old secret gone first, as `grantd client enable` does; a
 * public one is enabled without). */
static void new_secret(struct api_ctx *x, int enable, int64_t overlap)
{
    struct grantd_client c;
    unsigned char hash[GRANTD_SHA256_LEN];
    char secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (!load(x, &c))
        return;
    if (c.is_public && !enable) {
        grantd_api_bad(x, "public clients have no secret");
        return;
    }
    grantd_rc rc = GRANTD_OK, wrc = GRANTD_OK;
    if (!c.is_public)
        rc = grantd_rules_new_secret(x->store, secret, hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(x->store);
    if (rc != GRANTD_OK)
        goto out;
    if (!c.is_public)
        wrc = grantd_store_client_rotate_secret(x->store, x->tenant.id, x->arg, hash,
                                                overlap ? x->now + overlap : 0, x->now);
    if (wrc == GRANTD_OK && enable)
        wrc = grantd_store_client_set_disabled(x->store, x->tenant.id, x->arg, 0,
                                               grantd_clock_now_us());
    json_t *details = enable ? json_pack("{s:b}", "new_secret", !c.is_public)
                             : json_pack("{s:I}", "overlap", (json_int_t)overlap);
    rc = grantd_api_audit_end(x, enable ? "client.enable" : "client.secret_rotate", "client",
                              x->arg, details, wrc);
out:
    if (rc == GRANTD_OK) {
        answer_stored(x, c.is_public ? NULL : secret);
    } else {
        grantd_api_store_fail(x, rc, "client", x->arg);
    }
    explicit_bzero(secret, sizeof(secret));
}

void grantd_api_client_enable(struct api_ctx *x)
{
    new_secret(x, 1, 0);
}

void grantd_api_client_secret(struct api_ctx *x)
{
    int64_t overlap = 0;
    const char *why = NULL;
    if (grantd_api_overlap_parse(x->req->arena, x->req->body, x->req->body_len, &overlap,
                                 &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    new_secret(x, 0, overlap);
}
