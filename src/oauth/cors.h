/* Cross-origin reads for browser-based applications (the Fetch standard's CORS protocol).
 *
 * A single-page application runs at one origin and talks to grantd at another. A browser
 * lets its script read grantd's answer only when the answer names the script's origin in
 * Access-Control-Allow-Origin. grantd names it:
 *   - on the public documents (discovery, JWKS: routes flagged GRANTD_ROUTE_CORS_ANY): "*",
 *     to every origin;
 *   - on the endpoints a client calls (/token, /revoke, /userinfo: GRANTD_ROUTE_CORS_CLIENT):
 *     the request's Origin, only when it is the origin of one of the calling client's
 *     registered redirect URIs (the client authenticated, or the client of the presented
 *     token). Registering a redirect URI already says the client's page lives there; there
 *     is nothing else to configure. Anyone else's script gets the answer hidden.
 * Preflights (OPTIONS with Access-Control-Request-Method) of those routes are answered by the
 * server (http/server.c) for any origin: a preflight carries no credential and its answer
 * no data; the actual answer decides. Not here: cookies (no endpoint above reads one, so
 * Access-Control-Allow-Credentials is never sent). */
#ifndef GRANTD_OAUTH_CORS_H
#define GRANTD_OAUTH_CORS_H

#include <stddef.h>

#include "http/request.h"
#include "store/store.h"

/* The serialized origin of a URI or an Origin header value, in a: lower-case scheme "http"
 * or "https", "://", lower-case host (a bracketed IPv6 literal kept as written), and ":PORT"
 * unless it is the scheme's default (80, 443). NULL for anything else: another scheme, "null",
 * userinfo, an empty host or port, a port over 65535, a host holding a '*' (a wildcard
 * redirect URI names no one origin). What follows the authority (path, query, fragment) is
 * ignored for a URI; an Origin value must end there. */
const char *grantd_cors_origin(struct grantd_arena *a, const char *uri, int is_origin_header);

/* For a request routed to a GRANTD_ROUTE_CORS_CLIENT endpoint: when its Origin header is the
 * origin of one of c's redirect URIs, the answer will name that Origin (req->cors_allow). */
void grantd_cors_allow_client(struct grantd_request *req, const struct grantd_client *c);

#endif
