/* The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3) and its validation.
 *
 * Validation runs in the order the security rules demand: client_id and redirect_uri
 * first; while either is in doubt the outcome is an error *page*, never a redirect. Only
 * then are the other parameters checked, and their errors go back to the (now trusted)
 * redirect URI. The same validation runs on GET /authorize and again on every POST of the
 * login and consent forms, which carry the original query string back. */
#ifndef GRANTD_OAUTH_AUTHZ_REQUEST_H
#define GRANTD_OAUTH_AUTHZ_REQUEST_H

#include "http/request.h"
#include "oauth/errors.h"
#include "oauth/oidc_params.h"
#include "store/store.h"

enum grantd_authz_outcome {
    GRANTD_AUTHZ_VALID,     /* go on: login, consent, code */
    GRANTD_AUTHZ_PAGE,      /* show an error page (client or redirect URI not trusted) */
    GRANTD_AUTHZ_REDIRECT,  /* send error back to the redirect URI */
};

struct grantd_authz {
    /* parameters as received (decoded; NULL when absent) */
    const char *client_id, *redirect_uri, *response_type, *scope, *state;
    const char *code_challenge, *code_challenge_method;
    /* OpenID Connect Core 1.0 §3.1.2.1 */
    const char *nonce, *prompt, *max_age, *login_hint, *id_token_hint;
    const char *raw;                /* the query string they came from */

    /* resolved when valid */
    struct grantd_client client;
    const char *redirect;           /* where to send the answer; NULL = out of band */
    const char **scopes;            /* granted scope tokens */
    size_t scope_count;
    const char *scope_text;         /* the same, space-joined */
    const char *resources;          /* RFC 8707 resources asked for, space-joined; "" none */
    int openid;                     /* the granted scopes include openid */
    unsigned prompts;               /* enum grantd_prompt bits */
    int64_t max_age_s;              /* max_age in seconds; -1 when absent */
    const char *hint_sub;           /* the sub of a valid id_token_hint; NULL: none */

    /* the outcome */
    enum grantd_authz_outcome outcome;
    enum grantd_oauth_error error;  /* for GRANTD_AUTHZ_REDIRECT */
    const char *why;                /* error_description, or the page's sentence */
    int bad_redirect;               /* GRANTD_AUTHZ_PAGE: the client is known, its redirect
                                       URI is the trouble (else the client is) */
};

/* Validates the authorization request in the query string raw (without '?'). Fills *a and
 * returns GRANTD_OK whatever the outcome; another code only for a store failure. */
GRANTD_MUST_USE grantd_rc grantd_authz_validate(struct grantd_request *req, const char *raw,
                                                struct grantd_authz *a);

#endif
