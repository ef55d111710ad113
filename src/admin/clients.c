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
 * Each change and its audit entry are one transaction (admin/client_ops.h, shared with the
 * developer console), plus one admin_change log event. Secrets exist here only in a stack buffer that is wiped, and in
 * the answer. */
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"
#include "admin/body.h"
#include "admin/client_ops.h"
#include "admin/rules.h"

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
    struct grantd_actor who = grantd_api_actor(x);
    grantd_rc rc = grantd_client_ops_create(x->store, &who, x->tenant.id, x->now, &c, id, secret);
    if (rc == GRANTD_OK) {
        grantd_api_change_logged(x, "client.create", c.id);
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
    struct grantd_actor who = grantd_api_actor(x);
    grantd_rc rc = grantd_client_ops_delete(x->store, &who, x->tenant.id, x->now, x->arg);
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "client", x->arg);
        return;
    }
    grantd_api_change_logged(x, "client.delete", x->arg);
    grantd_response_body(x->resp, 204, NULL, "", 0);
}

void grantd_api_client_disable(struct api_ctx *x)
{
    struct grantd_actor who = grantd_api_actor(x);
    grantd_rc rc = grantd_client_ops_disable(x->store, &who, x->tenant.id, x->now, x->arg);
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "client", x->arg);
        return;
    }
    grantd_api_change_logged(x, "client.disable", x->arg);
    answer_stored(x, NULL);
}

/* enable, and secret (rotate): a new secret for a confidential client (enable: then the
 * client is enabled, with the old secret gone first, as `grantd client enable` does; a
 * public one is enabled without). */
static void new_secret(struct api_ctx *x, int enable, int64_t overlap)
{
    struct grantd_client c;
    char secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (!load(x, &c))
        return;
    if (c.is_public && !enable) {
        grantd_api_bad(x, "public clients have no secret");
        return;
    }
    struct grantd_actor who = grantd_api_actor(x);
    const char *action = enable ? "client.enable" : "client.secret_rotate";
    grantd_rc rc = grantd_client_ops_new_secret(x->store, &who, x->now, &c, enable, overlap,
                                                secret);
    if (rc == GRANTD_OK) {
        grantd_api_change_logged(x, action, x->arg);
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
