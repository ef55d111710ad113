/* The HTML pages an end user sees: login, consent, out-of-band code, errors, and (ui/account.c)
 * the account page, the landing page and the page for an unknown path.
 *
 * Each function writes a complete response into resp: status, content type `text/html;
 * charset=utf-8`, a body allocated in req->arena, and six headers appended to whatever
 * resp already holds (so a handler may add Set-Cookie before or after; 6 of the
 * GRANTD_MAX_RESPONSE_HEADERS slots are used):
 *   Cache-Control: no-store, Pragma: no-cache, X-Frame-Options: DENY,
 *   Referrer-Policy: no-referrer, X-Content-Type-Options: nosniff, and
 *   Content-Security-Policy: default-src 'none'; style-src 'sha256-<inline style>';
 *     script-src 'sha256-<inline script>' (OOB page) or 'none' (all others);
 *     img-src <the profile's logo_url> or 'none'; frame-ancestors 'none'; base-uri 'none'
 * The inline style is the issuer's theme (ui/theme.h), so its hash is per theme.
 *
 * Pages are written in the language negotiated for the request (ui/i18n.h: ui_locales,
 * Accept-Language, the issuer's default) with the issuer's product name, logo, colours and
 * wording (profile.branding); every text of ours comes from the catalog. Values passed in
 * (a client's name, a sentence from the caller) are shown as given: callers take their
 * sentences from grantd_ui_say.
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
#include "ui/i18n.h"

/* Fields every form carries back unchanged: the authorization request (the raw query string
 * of GET /authorize, re-validated on every POST), the CSRF token bound to the session and
 * the binding of that request to the session (oauth/session.h: what the page showed is what
 * the POST may act on). */
struct grantd_ui_form {
    const char *action;   /* form action, e.g. "/login" or "<issuer>/login": from code or
                           * configuration; escaped but not validated, so never a value
                           * taken from the request */
    const char *request;  /* hidden field "request" */
    const char *csrf;     /* hidden field "csrf" */
    const char *binding;  /* hidden field "binding"; NULL: none */
};

struct grantd_ui_login {
    struct grantd_ui_form form;
    const char *client_name;  /* who is asking; NULL or "" shows "the application" */
    const char *username;     /* prefilled after a failed attempt; may be NULL */
    const char *error;        /* a sentence shown above the form in a role="alert"
                               * element; may be NULL */
    const char *restart;      /* with a prefilled username: the URL of a fresh login page
                               * for the same request, linked as "Not you? Use another
                               * account" (from code: issuer URL + validated request); NULL:
                               * no link */
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
    const char *redirect_host; /* where the answer goes: "You will be sent to HOST"; NULL:
                                * "You will get a code to copy into the application" */
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
 * POSTed with request and csrf to form.action. Beside "Signed in as", a second form to the
 * same action with decision "signout" ("Not you? Sign out"). */
void grantd_ui_consent_page(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_ui_consent *v);

/* The out-of-band page, status 200: the code as text (element id "code") that wraps at any
 * width, never clipped, with a Copy button (id "copy") that its inline script reveals
 * (without JavaScript the button stays hidden; one tap selects the whole code), and its
 * expiry. */
void grantd_ui_oob_page(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_ui_oob *v);

/* An error page (e.g. 400 for an unknown client or redirect URI): a title (used for both
 * <title> and the heading; NULL shows "Something went wrong") and a sentence (may be NULL). */
void grantd_ui_error_page(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, const char *title, const char *message);

/* A problem told to a person: what happened, what to do next, and the protocol's words only
 * in a small "Details" line at the end. */
struct grantd_ui_problem {
    const char *title;      /* heading and <title>; NULL shows "Something went wrong" */
    const char *what;       /* what happened, in plain words; may be NULL */
    const char *next;       /* what to do now; may be NULL */
    const char *detail;     /* e.g. "access_denied"; NULL: no details line */
    const char *link;       /* a way on (from code or configuration, never the request);
                             * NULL: none */
    const char *link_text;  /* its words */
};

/* The problem page with status (400, 403, 404, 500, ...). */
void grantd_ui_problem_page(struct grantd_request *req, struct grantd_response *resp,
                            unsigned status, const struct grantd_ui_problem *v);

/* A text of the catalog (ui/i18n.h) in the language the page for req is written in, with
 * the issuer's wording: for the sentences the protocol side hands to the functions above
 * (a failed sign-in, why a request was refused). Never NULL; static or configuration
 * storage. */
const char *grantd_ui_say(struct grantd_request *req, enum grantd_text id);

/* ---- ui/account.c ---- */

/* One application the user has authorized. */
struct grantd_ui_grant {
    const char *client_id;    /* the Revoke form's value */
    const char *client_name;  /* NULL or "" shows the client id */
    const struct grantd_ui_scope *scopes;
    size_t scope_count;       /* 0: "No specific permissions" */
    int64_t since;            /* unix seconds: shown as a UTC date */
};

struct grantd_ui_account {
    const char *action;       /* every form's action (the account path; from code) */
    const char *csrf;
    const char *username;
    const char *account;      /* may be NULL */
    const struct grantd_ui_grant *grants;
    size_t grant_count;
    const char *notice;       /* a confirmation in a role="status" element; may be NULL */
    const char *error;        /* a sentence in a role="alert" element; may be NULL */
};

/* The account page: who is signed in, each authorized application with its scopes, since
 * when, and a Revoke button (POST action=revoke, client_id, csrf), and a Sign out button
 * (POST action=signout, csrf). */
void grantd_ui_account_page(struct grantd_request *req, struct grantd_response *resp,
                            unsigned status, const struct grantd_ui_account *v);

/* A page's own sign-in form (the account page's, the console's): POST action=login,
 * username, password, csrf to action. notice (e.g. "You are signed out.") and error may be
 * NULL; username is the one to show again (NULL: empty). */
struct grantd_ui_signin {
    const char *action, *csrf, *username, *notice, *error;
};
void grantd_ui_account_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const struct grantd_ui_signin *v);

/* What a browser gets at the issuer's root (status 200) or at a path nothing serves (404):
 * where it is, and a link to the account page (account, from code). */
void grantd_ui_landing_page(struct grantd_request *req, struct grantd_response *resp,
                            const char *account);
void grantd_ui_not_found_page(struct grantd_request *req, struct grantd_response *resp,
                              const char *account);

/* ---- ui/logout.c ---- */

/* One parameter of the end-session request, carried back unchanged by the confirmation
 * form as a hidden field. */
struct grantd_ui_field {
    const char *name, *value;
};

/* The end-session endpoint's confirmation (RP-Initiated Logout 1.0 §2, when the request
 * cannot be tied to the user signed in): "Sign out of PRODUCT?" (the issuer's product name,
 * else its URL), which application asks, who is signed in, and one form POSTing csrf, the
 * fields and a button named "confirm": "yes" (Sign out, the primary one) or "no" (Stay
 * signed in). Status 200. */
struct grantd_ui_logout {
    const char *action;        /* the end-session URL (from code) */
    const char *csrf;
    const char *client_name;   /* NULL: no application is named; "" shows "An application" */
    const char *username;      /* "Signed in as"; NULL or "" omits the line */
    const struct grantd_ui_field *fields;
    size_t field_count;
};
void grantd_ui_logout_page(struct grantd_request *req, struct grantd_response *resp,
                           const struct grantd_ui_logout *v);

/* "You are signed out" (200), and "You are still signed in" after Stay signed in (200);
 * both link to the account page (account, from code). */
void grantd_ui_signed_out_page(struct grantd_request *req, struct grantd_response *resp,
                               const char *account);
void grantd_ui_still_signed_in_page(struct grantd_request *req, struct grantd_response *resp,
                                    const char *account);

#endif
