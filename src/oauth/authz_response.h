/* Answers to an authorization request (RFC 6749 §4.1.2, RFC 9207): a redirect carrying a
 * code or an error, with state echoed and iss always present, or, for an out-of-band client,
 * a page. GET requests redirect with 302; answers to a form POST use 303. */
#ifndef GRANTD_OAUTH_AUTHZ_RESPONSE_H
#define GRANTD_OAUTH_AUTHZ_RESPONSE_H

#include "oauth/authz_request.h"

/* Answers a->outcome when it is not GRANTD_AUTHZ_VALID: an error page (400) or an error
 * redirect. */
void grantd_authz_answer_invalid(struct grantd_request *req, struct grantd_response *resp,
                                 const struct grantd_authz *a);

/* Redirects error e back to the client (or shows it when out of band). */
void grantd_authz_redirect_error(struct grantd_request *req, struct grantd_response *resp,
                                 const struct grantd_authz *a, enum grantd_oauth_error e,
                                 const char *description);

/* Mints and stores a code for user_id (who logged in at auth_time) and sends it to the
 * client: redirect, or the out-of-band page. */
void grantd_authz_issue_code(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_authz *a, const char *user_id,
                             int64_t auth_time);

#endif
