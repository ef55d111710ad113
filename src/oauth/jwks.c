/* The JWKS endpoint. The document is rendered once per key change by the keyring
 * (token/keys.c), so answering is a copy into the request arena.
 *
 * Caching: the answer keeps the no-store of every JSON answer here. A resource server that
 * meets an unknown kid refetches anyway, and with keys.publish_ahead = 0 (the default) a
 * rotated key signs at once, so a cached JWKS would only delay verification of new tokens. */
#include "oauth/endpoints.h"

#include <string.h>

#include "http/app.h"
#include "token/keys.h"

void grantd_jwks_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    const struct grantd_app *app = req->app;
    if (!req->iss->keyring) {
        grantd_response_internal(req, resp, GRANTD_ENOTFOUND);
        return;
    }
    const char *text = grantd_keyring_jwks(req->iss->keyring, req->arena, app->now());
    if (!text) {
        grantd_response_internal(req, resp, GRANTD_ESTORE);
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = text;
    resp->body_len = strlen(text);
    grantd_response_header(resp, "Cache-Control", "no-store");
    grantd_response_header(resp, "Pragma", "no-cache");
}
