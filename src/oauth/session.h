/* Browser sessions for the login and consent pages.
 *
 * The cookie carries a 256-bit random id; the store keeps only its SHA-256. A session is
 * created before login (no user) so the login form already carries a CSRF token bound to
 * it, and is replaced by a new id at login (no session fixation). The CSRF token is
 * HMAC-SHA256(store key, "csrf" || id hash): nothing extra to store, and it changes with the
 * session. Cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age the session lifetime; Secure and
 * the __Host- name prefix when the issuer is https. */
#ifndef GRANTD_OAUTH_SESSION_H
#define GRANTD_OAUTH_SESSION_H

#include "http/request.h"
#include "store/store.h"
#include "token/opaque.h"

struct grantd_web_session {
    struct grantd_session rec;
    const char *csrf;       /* the token forms must carry back (arena) */
    unsigned char form_key[GRANTD_SHA256_LEN]; /* HMAC(store key, "form" || id hash) */
};

/* How long the binding of a login or consent form stays good (seconds). */
#define GRANTD_FORM_TTL_S 3600

/* The live session named by the request's cookie. GRANTD_ENOTFOUND when there is none, it
 * expired, or the cookie is malformed; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_web_session_load(struct grantd_request *req,
                                                  struct grantd_web_session *out);

/* Starts a new session for user_id (NULL before login), deleting old (may be NULL) first,
 * and sets its cookie on resp. */
GRANTD_MUST_USE grantd_rc grantd_web_session_start(struct grantd_request *req,
                                                   struct grantd_response *resp,
                                                   const struct grantd_web_session *old,
                                                   const char *user_id,
                                                   struct grantd_web_session *out);

/* The same for a login made on the login page of an authorization request: the session
 * remembers the request (its query string, as a SHA-256), so that one demanding a fresh
 * login (prompt=login, max_age) is satisfied by this login (grantd_web_session_login_for). */
GRANTD_MUST_USE grantd_rc grantd_web_session_login(struct grantd_request *req,
                                                   struct grantd_response *resp,
                                                   const struct grantd_web_session *old,
                                                   const char *user_id, const char *request,
                                                   struct grantd_web_session *out);

/* Ends s: deletes it in the store and expires its cookie on resp (Max-Age=0), so the browser
 * holds no session of this issuer afterwards (the end-session endpoint, oauth/logout.c). */
GRANTD_MUST_USE grantd_rc grantd_web_session_end(struct grantd_request *req,
                                                 struct grantd_response *resp,
                                                 const struct grantd_web_session *s);

/* 1 when s's login was made for the authorization request whose query string is request. */
int grantd_web_session_login_for(const struct grantd_web_session *s, const char *request);

/* The login and consent forms carry the authorization request they were shown for (hidden
 * field "request") and its binding (hidden field "binding"): "EXP.MAC", EXP the unix time
 * the form stops working (now + GRANTD_FORM_TTL_S), MAC the base64url HMAC-SHA256 under the
 * session's form key of EXP and the request's exact text. So a POST acts on the request the
 * page showed, for the session it was shown to, for a while: changing the request (another
 * client, scope, redirect URI, PKCE challenge, state, nonce), moving the form to another
 * session or keeping it for hours is refused. Nothing is stored. */
const char *grantd_web_session_bind(struct grantd_request *req, const struct grantd_web_session *s,
                                    const char *request);

enum grantd_form_binding {
    GRANTD_FORM_BOUND,    /* presented is the binding of request to s, still good */
    GRANTD_FORM_CHANGED,  /* absent, malformed, or not request's binding to s */
    GRANTD_FORM_EXPIRED,  /* request's binding to s, but past its time */
};
/* Splits a presented binding "EXP.MAC" (EXP 1 to 18 decimal digits, MAC 43 characters): 1
 * with *exp and *mac (pointing into presented) set, 0 for anything else (NULL included). */
int grantd_web_binding_split(const char *presented, long long *exp, const char **mac);
enum grantd_form_binding grantd_web_session_bound(struct grantd_request *req,
                                                  const struct grantd_web_session *s,
                                                  const char *request, const char *presented);

/* 1 when presented equals the session's CSRF token (constant time). */
int grantd_web_session_csrf_ok(const struct grantd_web_session *s, const char *presented);

#endif
