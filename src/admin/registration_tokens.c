/* The admin API's initial access tokens for dynamic client registration (RFC 7591 §3):
 *   POST .../registration-tokens   {"expires_in": S, "uses": N} (both optional): 201 with
 *                                  the token, shown once, as `grantd registration-token
 *                                  create` prints it
 * The token works at POST /register of this tenant's issuer when its registration.mode is
 * token. Only its keyed hash is stored; the text exists here in a stack buffer that is
 * wiped, and in the answer. Not here: /register itself (oauth/register.c). */
#include <string.h>

#include "admin/api_int.h"
#include "admin/body.h"
#include "admin/rules.h"

void grantd_api_registration_token_create(struct api_ctx *x)
{
    struct grantd_registration_token t;
    int64_t expires_in = 0, uses = 1;
    const char *why = NULL;
    char id[32], text[GRANTD_REG_TOKEN_LEN] = "";
    if (grantd_api_registration_token_parse(x->req->arena, x->req->body, x->req->body_len,
                                            &expires_in, &uses, &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    memset(&t, 0, sizeof(t));
    t.id = id;
    t.tenant = x->tenant.id;
    t.created_at = x->now;
    t.expires_at = expires_in ? x->now + expires_in : 0;
    t.uses_left = uses ? uses : -1;
    grantd_rc rc = grantd_rules_random_id(id);
    if (rc == GRANTD_OK)
        rc = grantd_rules_new_token(x->store, GRANTD_IAT_PREFIX, text, t.hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "registration_token.create", "registration_token", t.id,
                                  json_pack("{s:o,s:o}", "uses",
                                            uses ? json_integer(uses) : json_null(),
                                            "expires_at",
                                            t.expires_at ? json_integer(t.expires_at)
                                                         : json_null()),
                                  grantd_store_registration_token_put(x->store, &t));
    if (rc == GRANTD_OK) {
        grantd_api_json(x, 201,
                        json_pack("{s:s,s:s,s:s,s:o,s:o,s:I}", "id", t.id, "tenant",
                                  x->tenant.name, "token", text, "expires_at",
                                  t.expires_at ? json_integer(t.expires_at) : json_null(),
                                  "uses", uses ? json_integer(uses) : json_null(),
                                  "created_at", (json_int_t)t.created_at));
    } else {
        grantd_api_store_fail(x, rc, "registration token", t.id);
    }
    explicit_bzero(text, sizeof(text));
}
