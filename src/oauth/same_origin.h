/* Refusing a browser form posted from another site (login, consent, account, console): the
 * session cookie is SameSite=Lax and every form carries a CSRF token, and on top of that a
 * POST whose browser says it comes from another site is refused before anything is read.
 *
 * The browser's word: Sec-Fetch-Site (Fetch Metadata) when present, where only "same-origin"
 * and "none" (typed or bookmarked by the person) pass; else Origin, which must be the
 * issuer's own origin (scheme, host and port of its configured URL: behind a proxy that is
 * the public origin, not the listener's). A request with neither, or with `Origin: null`
 * (what a page with Referrer-Policy no-referrer makes an older browser send), passes: those
 * are non-browser clients and old browsers, for which the cookie and CSRF token still hold.
 *
 * Not here: the end-session endpoint (POST /logout), which a client's page may post to from
 * its own site (OpenID Connect RP-Initiated Logout), and the API endpoints, which no browser
 * form posts to with credentials. */
#ifndef GRANTD_OAUTH_SAME_ORIGIN_H
#define GRANTD_OAUTH_SAME_ORIGIN_H

#include "http/request.h"
#include "oauth/errors.h"

/* 1 when the request's browser says it comes from another site than the issuer's. */
int grantd_cross_site(struct grantd_request *req);

/* GRANTD_EREFUSED with a 403 page in *no when grantd_cross_site, else GRANTD_OK. */
GRANTD_MUST_USE grantd_rc grantd_refuse_cross_site(struct grantd_request *req,
                                                   struct grantd_refusal *no);

#endif
