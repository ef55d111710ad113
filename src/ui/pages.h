/* The HTML pages an end user sees: login, consent, out-of-band code, and errors.
 *
 * Each function writes a complete response into resp: status, content type `text/html;
 * charset=utf-8`, a body allocated in req->arena, and six headers appended to whatever
 * resp already holds (so a handler may add Set-Cookie before or after; 6 of the
 * GRANTD_MAX_RESPONSE_HEADERS slots are used):
 *   Cache-Control: no-store, Pragma: no-cache, X-Frame-Options: DENY,
 *   Referrer-Policy: no-referrer, X-Content-Type-Options: nosniff, and
 *   Content-Security-Policy: default-src 'none'; style-src 'sha256-<inline style>';
 *     script-src 'sha256-<inline script>' (OOB page) or 'none' (all others);
 *     img-src 'none'; frame-ancestors 'none'; base-uri 'none'
 * The CSP deliberately has no form-action: Chromium applies it to the redirect that follows
 * a POST, which would block the 303 to the client's redirect URI.
 *
 * Every value is escaped for the context it lands in (text or double-quoted attribute;
 * ui/html.h). UTF-8 passes through unchanged. A NULL string is treated as absent or empty
 * as each field says. The functions cannot fail: memory exhaustion aborts, and a page that
 * would exceed GRANTD_HTML_MAX (256 KiB; only a huge `request` value can do that) is
 * replaced by a 400 "Request too large" page with the same headers.
 *
 * This module renders only: it never reads the store or decides anything. */
#ifndef GRANTD_UI_PAGES_H
#define GRANTD_UI_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* Fields every form carries back unchanged: the authorization request (the raw query string
 * of GET /authorize, re-validated on every POST) and the CSRF token bound to the session. */
struct grantd_ui_form {
    const char *action;   /* form action, e.g. "/login" or "<issuer>/login": from code or
                           * configuration; escaped but not validated, so never a value
                           * taken from the request */
    const char *request;  /* hidden field "request" */
    const char *csrf;     /* hidden field "csrf" */
};

struct grantd_ui_login {
    struct grantd_ui_form form;
    const char *client_name;  /* who is asking; NULL or "" shows "the application" */
    const char *username;     /* prefilled after a failed attempt; may be NULL */
    const char *error;        /* a sentence shown above the form in a role="alert"
                               * element; may be NULL */
};

struct grantd_ui_scope {
    const char *name;
    const char *description;  /* may be NULL: the name is shown alone */
};

struct grantd_ui_consent {
    struct grantd_ui_form form;
    const char *client_name;  /* NULL or "" shows "An application" */
    const char *username;     /* "Signed in as ..."; NULL or "" omits the line */
    const char *account;      /* "(account ...)" after the username; may be NULL */
    const struct grantd_ui_scope *scopes;  /* shown in this order */
    size_t scope_count;       /* 0: a sentence saying no specific permissions are asked */
};

struct grantd_ui_oob {
    const char *client_name;  /* NULL or "" shows "the application" */
    const char *code;
    int64_t expires_in;       /* seconds the code stays valid: shown as "N seconds" below
                               * 120, whole minutes (rounded down) from 120; < 0 shows 0 */
};

/* Login form: POSTs username, password, request, csrf to form.action. status is 200, or 401
 * after a failed attempt. Autofocus goes to the username field, or to the password field
 * when username is prefilled. */
void grantd_ui_login_page(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, const struct grantd_ui_login *v);

/* Consent form, status 200: two submit buttons named "decision", values "authorize" and
 * "cancel", labelled Authorize and Cancel (in that order; Authorize is the primary one),
 * POSTed with request and csrf to form.action. */
void grantd_ui_consent_page(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_ui_consent *v);

/* The out-of-band page, status 200: the code in a read-only field (id "code") with a Copy
 * button (id "copy") that its inline script reveals (without JavaScript the button stays
 * hidden and the field is selected by hand), and its expiry. */
void grantd_ui_oob_page(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_ui_oob *v);

/* An error page (e.g. 400 for an unknown client or redirect URI): a title (used for both
 * <title> and the heading; NULL shows "Something went wrong") and a sentence (may be NULL). */
void grantd_ui_error_page(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, const char *title, const char *message);

#endif
