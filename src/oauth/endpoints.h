/* Every endpoint's handler, for the route table (oauth/routes.c) and nothing else. Each is
 * one file of src/oauth named after it; what the endpoint does is said there. */
#ifndef GRANTD_OAUTH_ENDPOINTS_H
#define GRANTD_OAUTH_ENDPOINTS_H

#include "http/request.h"

/* health.c: GET /health/live (200 while serving) and /health/ready (503 when the store does
 * not answer or is not migrated). */
void grantd_health_live(struct grantd_request *req, struct grantd_response *resp);
void grantd_health_ready(struct grantd_request *req, struct grantd_response *resp);
/* authorize.c: GET /authorize (RFC 6749 §4.1.1). */
void grantd_authorize_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* login.c: POST /login, the login form. */
void grantd_login_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* consent.c: POST /consent, the consent form. */
void grantd_consent_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* account.c: GET and POST /account, the end user's account page (applications they have
 * authorized, revoke, sign out), and the answer for a path no route serves (a page for a
 * browser, the JSON 404 otherwise). */
void grantd_account_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_account_post_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_not_found_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* console.c: GET and POST /console, the developer console (issue 13 item 2): a developer's
 * own applications, created, rotated, revoked, enabled and deleted in the browser. */
void grantd_console_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_console_post_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* logout.c: GET and POST /logout, the end-session endpoint (OpenID Connect RP-Initiated
 * Logout 1.0): ends the browser's session and sends it back to the relying party. */
void grantd_logout_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* token.c: POST /token (RFC 6749 §3.2). */
void grantd_token_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* userinfo.c: GET /userinfo, the first bearer-protected resource (RFC 6750). */
void grantd_userinfo_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* introspect.c: POST /introspect (RFC 7662). */
void grantd_introspect_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* revoke.c: POST /revoke (RFC 7009). */
void grantd_revoke_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* metadata.c: GET /.well-known/oauth-authorization-server (RFC 8414). */
void grantd_metadata_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* metadata.c: GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0). */
void grantd_openid_configuration_endpoint(struct grantd_request *req,
                                          struct grantd_response *resp);
/* jwks.c: GET /jwks.json, the issuer's published signing keys (RFC 7517). */
void grantd_jwks_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* register.c: dynamic client registration, POST /register (RFC 7591) and GET, PUT, DELETE
 * /register/CLIENT_ID (RFC 7592); routed only when the issuer's registration.mode is on. */
void grantd_register_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* check.c, on the admin listener only: /check (any method), for proxies in front of an API,
 * and GET /check/error/REASON, the API's error body for a reason (core/reason.h). */
void grantd_check_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* GET /v1/revocations on the admin listener: the revocation feed (revocations.c). */
void grantd_revocations_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_check_error_endpoint(struct grantd_request *req, struct grantd_response *resp);
/* metrics.c: GET /metrics on the admin listener, the Prometheus text format. */
void grantd_metrics_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
