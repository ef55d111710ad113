/* Steps of the browser flow shared by authorize.c and login.c (internal to src/oauth). */
#ifndef GRANTD_OAUTH_FLOW_H
#define GRANTD_OAUTH_FLOW_H

#include "oauth/authz_request.h"
#include "oauth/session.h"

/* The session of the request and, when someone is logged in, the user (enabled). */
GRANTD_MUST_USE grantd_rc grantd_flow_session_user(struct grantd_request *req,
                                                   struct grantd_web_session *s,
                                                   int *have_session, struct grantd_user *u,
                                                   int *logged_in);

/* The next step for a valid request: the login page, the consent page, or the code. */
void grantd_flow_continue(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, struct grantd_web_session *s,
                          int have_session, const struct grantd_user *u, int logged_in);

/* The login page for a, with the CSRF token of s. */
void grantd_flow_show_login(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_authz *a, const struct grantd_web_session *s,
                            unsigned status, const char *username, const char *error);

#endif
