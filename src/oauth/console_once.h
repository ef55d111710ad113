/* The developer console's credentials, shown once after the POST that made them (create,
 * rotate, enable) without a page the browser would POST again on reload: the POST answers a
 * 303 to CONSOLE?credentials=once and hands the page's values over in a short-lived cookie,
 * sealed (AES-256-GCM, core/seal.h) under a key derived from the store's hash key and the
 * session's id hash, so it opens only in the session that made it, and only for
 * GRANTD_CONSOLE_ONCE_TTL seconds. The GET that shows it deletes the cookie at once: a
 * reload, the back button or another tab finds nothing, and the store never holds the
 * secret. Cookie: HttpOnly, SameSite=Strict, Path=/, Secure on an https issuer.
 *
 * Not here: the page (ui/console.c), the changes (oauth/console.c). */
#ifndef GRANTD_OAUTH_CONSOLE_ONCE_H
#define GRANTD_OAUTH_CONSOLE_ONCE_H

#include "http/request.h"
#include "oauth/session.h"
#include "ui/console.h"

#define GRANTD_CONSOLE_ONCE_TTL 120

/* Seals v for session s into the cookie on resp. */
GRANTD_MUST_USE grantd_rc grantd_console_once_put(struct grantd_request *req,
                                                  struct grantd_response *resp,
                                                  const struct grantd_web_session *s,
                                                  const struct grantd_ui_console_credentials *v);

/* Opens the request's cookie for session s into *v (strings in the arena) and deletes the
 * cookie on resp. GRANTD_ENOTFOUND when there is none, it is another session's, expired or
 * tampered with (the cookie is deleted all the same). */
GRANTD_MUST_USE grantd_rc grantd_console_once_take(struct grantd_request *req,
                                                   struct grantd_response *resp,
                                                   const struct grantd_web_session *s,
                                                   struct grantd_ui_console_credentials *v);

#endif
