/* Steps of the browser flow shared by authorize.c, login.c and consent.c (internal to
 * src/oauth). */
#ifndef GRANTD_OAUTH_FLOW_H
#define GRANTD_OAUTH_FLOW_H

#include "oauth/authz_request.h"
#include "oauth/errors.h"
#include "oauth/session.h"

/* The session of the request and, when someone is logged in, the user (enabled). */
GRANTD_MUST_USE grantd_rc grantd_flow_session_user(struct grantd_request *req,
                                                   struct grantd_web_session *s,
                                                   int *have_session, struct grantd_user *u,
                                                   int *logged_in);

/* The session a sign-in form of the account page or the console is shown on: the request's
 * session s when it has one and nobody is signed in on it, else a new anonymous one started
 * in resp (its cookie set) in *fresh. *out points at the one whose CSRF token the form
 * carries. */
GRANTD_MUST_USE grantd_rc grantd_flow_anonymous_session(struct grantd_request *req,
                                                        struct grantd_response *resp,
                                                        struct grantd_web_session *s,
                                                        int have_session,
                                                        struct grantd_web_session *fresh,
                                                        struct grantd_web_session **out);

/* *ok = 1 with *u set when username and password are right and the user is enabled. An
 * unknown user costs the same argon2id work as a wrong password, and both get *ok = 0
 * (login.c; the account and console pages sign in with it too). *wait > 0 (seconds) when a
 * rate limit refused the try before the password was checked (oauth/ratelimit.h): the
 * caller answers 429 with grantd_ratelimit_login_text and grantd_ratelimit_retry_after.
 * Other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_flow_check_password(struct grantd_request *req,
                                                     const char *username, const char *password,
                                                     struct grantd_user *u, int *ok,
                                                     int64_t *wait);

/* The next step for a valid request: the login page, the consent page, or the code. */
void grantd_flow_continue(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, struct grantd_web_session *s,
                          int have_session, const struct grantd_user *u, int logged_in);

/* The login page for a, with the CSRF token of s. */
void grantd_flow_show_login(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_authz *a, const struct grantd_web_session *s,
                            unsigned status, const char *username, const char *error);

/* Reads the form of a page POST (login, consent) and validates the authorization request it
 * carries (field "request") into *a. GRANTD_OK with a->outcome VALID: go on; GRANTD_OK with
 * another outcome: the answer for the invalid request is written (an error page or an error
 * redirect); GRANTD_EREFUSED with a page refusal in *no for a form that is not a single
 * form-encoded body; other codes are internal failures. */
GRANTD_MUST_USE grantd_rc grantd_flow_read_form(struct grantd_request *req,
                                                struct grantd_response *resp,
                                                struct grantd_authz *a,
                                                struct grantd_refusal *no);

#endif
