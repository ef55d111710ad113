/* The JWKS endpoint. The document is rendered once per key change by the keyring
 * (token/keys.c), so answering is a copy into the request arena.
 *
 * Caching: a rotated key is published keys.publish_ahead seconds before it signs (an hour
 * by default), and this server shows it within keys.reload seconds. A copy of the JWKS
 * fetched just before it appeared must expire before its first token exists, so the answer
 * may be cached for half of publish_ahead, less when reload leaves less than that; with no
 * such window (publish_ahead = 0: a new key signs at once) it is no-store, since a cached
 * JWKS would only delay verification of new tokens. */
#include "oauth/endpoints.h"

#include <string.h>

#include "http/app.h"
#include "token/keys.h"

/* Seconds a cache may keep the JWKS of an issuer with settings cfg (0: none). */
static int64_t max_age(const struct grantd_config *cfg)
{
    int64_t half = cfg->keys.publish_ahead / 2;
    int64_t left = cfg->keys.publish_ahead - cfg->keys.reload;
    int64_t age = half < left ? half : left;
    return age > 0 ? age : 0;
}

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
    int64_t age = max_age(req->iss->cfg);
    if (age > 0) {
        grantd_response_header(resp, "Cache-Control",
                               grantd_arena_printf(req->arena, "public, max-age=%lld",
                                                   (long long)age));
        return;
    }
    grantd_response_header(resp, "Cache-Control", "no-store");
    grantd_response_header(resp, "Pragma", "no-cache");
}
