/* Internal to src/oauth: the pure piece of the end-session endpoint (oauth/logout.c) that
 * unit tests reach: where the browser is sent back to. Not here: the handler (declared in
 * oauth/endpoints.h) and anything that reads the session or the store. */
#ifndef GRANTD_OAUTH_LOGOUT_H
#define GRANTD_OAUTH_LOGOUT_H

#include "core/mem.h"

/* 1 when uri is, byte for byte, one of the space-separated registered URIs (NULL or "":
 * none). No normalisation: RP-Initiated Logout 1.0 §3 asks for an exact match. */
int grantd_logout_uri_registered(const char *registered, const char *uri);

/* The Location for a registered post_logout_redirect_uri with the relying party's state
 * (NULL or "": none) appended as a query parameter, URL-encoded: after '?' when uri has no
 * query, after '&' when it has one (nothing more when the query already ends in '?' or '&'),
 * and before a fragment. In arena a. */
const char *grantd_logout_location(struct grantd_arena *a, const char *uri, const char *state);

#endif
