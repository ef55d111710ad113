/* What the admin API's files share (api.c: authentication and routing; clients.c, users.c,
 * tenants.c: the handlers; json.c: records as JSON). Private to src/admin. */
#ifndef GRANTD_ADMIN_API_INT_H
#define GRANTD_ADMIN_API_INT_H

#include <stdint.h>

#include <jansson.h>

#include "http/app.h"
#include "http/request.h"
#include "store/store.h"

/* One admin request once it is authenticated and routed. */
struct api_ctx {
    struct grantd_request *req;
    struct grantd_response *resp;
    struct grantd_store *store;
    struct grantd_admin_key key;        /* who asks */
    struct grantd_tenant tenant;        /* the {tenant} of the path (routes that have one) */
    const struct grantd_issuer *iss;    /* the server's issuer of that tenant, or NULL when
                                           it is not served (created after the start) */
    const char *arg;                    /* the {id} of the path, or NULL */
    int64_t now;
};

typedef void (*api_handler_fn)(struct api_ctx *x);

/* Answers {"error": error, "error_description": why} with status. */
void grantd_api_fail(struct api_ctx *x, unsigned status, const char *error, const char *why);
/* 400 invalid_request with why. */
void grantd_api_bad(struct api_ctx *x, const char *why);
/* 404 not_found naming what ("client 'x'"), for absent records. */
void grantd_api_not_found(struct api_ctx *x, const char *what, const char *name);
/* The answer for a store failure: 404 for GRANTD_ENOTFOUND (what, name), 409 conflict for
 * GRANTD_EEXIST, else grantd_response_internal. */
void grantd_api_store_fail(struct api_ctx *x, grantd_rc rc, const char *what, const char *name);
/* 200 (or status) with body (consumed). */
void grantd_api_json(struct api_ctx *x, unsigned status, json_t *body);
/* Ends the change begun with grantd_store_audit_begin (admin/audit.h, grantd_audit_end)
 * with the admin key as the actor, in the path's tenant; on success also writes the
 * structured log event "admin_change" (the key's id and name, the action, the tenant and
 * the record's id; never a secret). details (may be NULL) is consumed. Returns the
 * change's result or the store's failure to record it. */
GRANTD_MUST_USE grantd_rc grantd_api_audit_end(struct api_ctx *x, const char *action,
                                               const char *kind, const char *id,
                                               json_t *details, grantd_rc rc);
/* The admin key of the request as an audit actor. */
struct grantd_actor grantd_api_actor(const struct api_ctx *x);
/* The "admin_change" log event of a change that committed (grantd_api_audit_end writes it). */
void grantd_api_change_logged(struct api_ctx *x, const char *action, const char *id);
/* ?limit= (1..500, default 100) and ?after= (NULL when absent), each at most once, for a
 * list the store pages itself (the audit trail). 0 with a 400 answered when malformed. */
int grantd_api_page_params(struct api_ctx *x, size_t *limit, const char **after);
/* One page of a list: records [start, end) of it, and next, the id to pass as ?after= for
 * the following page (NULL on the last). */
struct api_page {
    size_t start, end;
    const char *next;
};
/* The page that ?limit= (1..500, default 100) and ?after= (an id from the list) ask of the
 * n records of list, in the store's order, id(list, i) naming record i. 0 with a 400
 * answered when they are malformed or after names none of them ("after names no WHAT of
 * this tenant"). */
int grantd_api_page(struct api_ctx *x, const void *list, size_t n,
                    const char *(*id)(const void *list, size_t i), const char *what,
                    struct api_page *out);

/* Records as JSON (json.c). secret (may be NULL) is shown once, on create and rotation. */
json_t *grantd_api_client_json(const struct grantd_client *c, const char *secret, int64_t now);
json_t *grantd_api_user_json(const struct grantd_user *u);
json_t *grantd_api_tenant_json(struct api_ctx *x, const struct grantd_tenant *t);

/* The handlers (the table in api.c says which path and method each answers). */
void grantd_api_tenants_list(struct api_ctx *x);
void grantd_api_tenant_show(struct api_ctx *x);
void grantd_api_keys_list(struct api_ctx *x);
void grantd_api_keys_rotate(struct api_ctx *x);
void grantd_api_keys_revoke(struct api_ctx *x);
void grantd_api_clients_list(struct api_ctx *x);
void grantd_api_client_create(struct api_ctx *x);
void grantd_api_client_show(struct api_ctx *x);
void grantd_api_client_update(struct api_ctx *x);
void grantd_api_client_delete(struct api_ctx *x);
void grantd_api_client_disable(struct api_ctx *x);
void grantd_api_client_enable(struct api_ctx *x);
void grantd_api_client_secret(struct api_ctx *x);
void grantd_api_users_list(struct api_ctx *x);
void grantd_api_user_create(struct api_ctx *x);
void grantd_api_user_show(struct api_ctx *x);
void grantd_api_user_update(struct api_ctx *x);
void grantd_api_user_disable(struct api_ctx *x);
void grantd_api_user_enable(struct api_ctx *x);
void grantd_api_user_password(struct api_ctx *x);
void grantd_api_registration_token_create(struct api_ctx *x);
void grantd_api_audit_list(struct api_ctx *x);

#endif
