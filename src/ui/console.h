/* The developer console's pages (issue 13 item 2; the handler is oauth/console.c): the
 * developer's sign-in form, the list of their applications, the new-application form, an
 * application's page with its recent events, the delete confirmation, and the credentials
 * page that shows a Client ID and Secret once.
 *
 * The same standards as ui/pages.h: every response carries Cache-Control: no-store, the
 * frame and page headers and a CSP pinning the inline style (and, on the credentials page
 * only, the Copy buttons' script) by hash; every value is escaped; every form POSTs to the
 * console's URL with the session's CSRF token ("csrf") and what it asks for ("action").
 * Links to an application are that URL with ?app=ID. This module renders only: who may see
 * or change what is decided in oauth/console.c. */
#ifndef GRANTD_UI_CONSOLE_H
#define GRANTD_UI_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* The buttons' texts (profile.console.*; the handler fills in the catalog's, in the page's
 * language, where the profile has none). */
struct grantd_ui_console_labels {
    const char *create;  /* the new-application button, e.g. "Create Client" */
    const char *revoke;  /* e.g. "Revoke" */
    const char *enable;  /* e.g. "Enable" */
};

/* One application as the console shows it. */
struct grantd_ui_console_app {
    const char *client_id;
    const char *name;
    int disabled, is_public;
    const char *const *redirect_uris;
    size_t redirect_uri_count;
    const char *grants;       /* grant type names, space-separated */
    const char *scope;        /* space-separated; "" for none */
    const char *const *logout_uris; /* post-logout redirect URIs (OpenID Connect) */
    size_t logout_uri_count;
    int64_t created_at;
};

/* One entry of an application's recent events. */
struct grantd_ui_console_event {
    const char *action;       /* the audit action, e.g. "client.disable" */
    const char *actor;        /* who: a username, "an administrator", ... */
    int64_t at;
};

struct grantd_ui_console {
    const char *action;       /* the console's URL (from code): form action and link base */
    const char *csrf;
    const char *username;     /* who is signed in */
    struct grantd_ui_console_labels labels;
    const char *notice, *error; /* may be NULL */
    const struct grantd_ui_console_app *apps; /* the list page */
    size_t app_count;
    const struct grantd_ui_console_app *app;  /* the application and delete pages */
    const struct grantd_ui_console_event *events;
    size_t event_count;
    int reenable_new_id;      /* Enable gives a new Client ID too (said beside the button) */
};

/* A checkbox of the new-application form. */
struct grantd_ui_console_option {
    const char *field;              /* the checkbox's form field name (value "on") */
    const char *name, *description; /* description may be NULL */
    int checked;
};

struct grantd_ui_console_new {
    const char *action, *csrf, *username;
    struct grantd_ui_console_labels labels;
    /* what was typed, after a refusal; may be NULL */
    const char *name, *redirect_uris, *logout_uris;
    const struct grantd_ui_console_option *grants, *scopes;
    size_t grant_count, scope_count;
    const char *error;        /* may be NULL */
};

/* Shown once, on the GET right after create, rotate or enable (oauth/console_once.h). */
struct grantd_ui_console_credentials {
    const char *action;       /* the console's URL */
    const char *heading;      /* e.g. "Your application is ready" */
    const char *name;
    const char *client_id;
    const char *secret;       /* NULL for a public client */
    const char *note;         /* e.g. "The previous secret no longer works."; may be NULL */
};

struct grantd_ui_signin; /* ui/pages.h */

/* The console's sign-in form: POST action=login, username, password, csrf. */
void grantd_ui_console_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const struct grantd_ui_signin *v);
void grantd_ui_console_list_page(struct grantd_request *req, struct grantd_response *resp,
                                 unsigned status, const struct grantd_ui_console *v);
void grantd_ui_console_new_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console_new *v);
/* Details; Rotate secret (confidential, enabled), Revoke or Enable, a link to Delete; the
 * recent events. */
void grantd_ui_console_app_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console *v);
/* "Delete NAME?" with the Delete form (action=delete, app) and a way back. */
void grantd_ui_console_delete_page(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_ui_console *v);
/* Client ID and Secret with Copy buttons (their script is the only one the CSP allows) and
 * a warning that the secret is not shown again. Status 200. */
void grantd_ui_console_credentials_page(struct grantd_request *req,
                                        struct grantd_response *resp,
                                        const struct grantd_ui_console_credentials *v);

#endif
