/* The admin API's audit trail: GET /v1/tenants/{t}/audit, the tenant's entries oldest
 * first, ?after=SEQ (the next of the page before) and ?limit= (1..500, default 100), and
 * ?target=KIND:ID (client, user, key or admin_key) for one record's entries. The answer is
 * {"events": [...], "next": SEQ or null}: next is set when more entries follow. A tenant
 * key sees its tenant only (api.c answers 404 for another); entries of admin keys of every
 * tenant (tenant 0) are listed by `grantd audit list` only.
 *
 * Not here: recording (admin/audit.h), the entry's JSON (audit.c). */
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"

void grantd_api_audit_list(struct api_ctx *x)
{
    struct grantd_audit_query q = {.tenant = x->tenant.id};
    const char *after = NULL, *target = NULL;
    struct grantd_audit *list = NULL;
    size_t n = 0;
    if (!grantd_api_page_params(x, &q.limit, &after))
        return;
    grantd_rc trc = grantd_params_get(&x->req->query, "target", &target);
    const char *why = "target is given twice";
    if (trc == GRANTD_EREPEATED ||
        grantd_audit_query_parse(x->req->arena, after, target, &q, &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    size_t limit = q.limit;
    q.limit = limit + 1; /* one more tells whether a next page exists */
    grantd_rc rc = grantd_store_audit_list(x->store, x->req->arena, &q, &list, &n);
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    json_t *events = json_array();
    for (size_t i = 0; i < n && i < limit; i++)
        json_array_append_new(events, grantd_audit_json(&list[i], x->tenant.name));
    json_t *next = n > limit ? json_integer((json_int_t)list[limit - 1].seq) : json_null();
    grantd_api_json(x, 200, json_pack("{s:o,s:o}", "events", events, "next", next));
}
