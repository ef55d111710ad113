/* POST /revoke (RFC 7009). The caller authenticates like at the token endpoint. Revoking a
 * refresh token revokes its whole family (and so its access tokens); revoking an access
 * token leaves the refresh token alone. Unknown tokens and other clients' tokens answer 200
 * and are left alone: telling them apart would let a client probe for tokens. A
 * self-contained token (stored nowhere: token_issue.h) is revoked by storing a revoked row
 * under its jti's key, which token_find looks for first. */
#include <string.h>

#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/event.h"
#include "oauth/token_find.h"

/* Revokes the token t the caller owns. */
static grantd_rc revoke_owned(struct grantd_request *req, struct grantd_token *t,
                              enum grantd_token_where found)
{
    struct grantd_store *st = req->app->store;
    if (found == GRANTD_TOKEN_SELF_CONTAINED) {
        /* its revocation row, kept until it would have expired anyway; a concurrent
         * revocation that stored it first (EEXIST) did the same */
        t->revoked = 1;
        grantd_rc rc = grantd_store_token_put(st, t, 1);
        return rc == GRANTD_EEXIST ? GRANTD_OK : rc;
    }
    return t->kind == GRANTD_TOKEN_REFRESH
               ? grantd_store_token_revoke_family(st, req->iss->tenant, t->family,
                                                  req->app->now())
               : grantd_store_token_revoke(st, req->iss->tenant, t->hash, req->app->now());
}

static grantd_rc revoke(struct grantd_request *req, struct grantd_response *resp,
                        struct grantd_refusal *no)
{
    struct grantd_token_request t;
    grantd_rc rc = grantd_token_find_requested(req, 0, &t, no);
    if (rc != GRANTD_OK)
        return rc;
    if (t.found != GRANTD_TOKEN_ABSENT && strcmp(t.f.token.client_id, t.auth.client.id) == 0) {
        rc = revoke_owned(req, &t.f.token, t.found);
        if (rc == GRANTD_OK)
            grantd_event(req, "token_revoked", t.f.token.user_id, t.auth.client.id,
                         json_pack("{s:s}", "token_kind",
                                   t.f.token.kind == GRANTD_TOKEN_REFRESH ? "refresh_token"
                                                                         : "access_token"));
    }
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    resp->status = 200;
    grantd_response_header(resp, "Cache-Control", "no-store");
    return GRANTD_OK;
}

void grantd_revoke_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_rc rc = grantd_refusal_challenge_basic(&no, revoke(req, resp, &no));
    grantd_oauth_answer(req, resp, rc, &no);
}
