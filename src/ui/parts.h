/* Internal to ui/: pieces of markup that more than one page file writes (pages.c for the
 * authorization request's login, account.c and console.c for theirs). Not the frame
 * (ui/layout.h) and not whole pages (ui/pages.h). */
#ifndef GRANTD_UI_PARTS_H
#define GRANTD_UI_PARTS_H

#include "ui/html.h"
#include "ui/theme.h"

/* Declares `look`, the look of the page of req (ui/theme.h: the issuer's branding and
 * language), for a page function to pass to the frame and the catalog. */
#define GRANTD_UI_LOOK(req)                        \
    struct grantd_ui_look look_of_page_;           \
    const struct grantd_ui_look *look = &look_of_page_; \
    grantd_ui_look_get((req), &look_of_page_)

/* The username and password fields with their labels in look's language (NULL: the default
 * look); username prefilled when non-empty (autofocus then goes to the password);
 * with_error: both point at the element id "error". */
void grantd_ui_login_fields(struct grantd_html *h, const struct grantd_ui_look *look,
                            const char *username, int with_error);

/* <form method="post" action="ACTION"> with the hidden fields csrf=CSRF and action=WHAT
 * (all escaped); the caller writes the rest and </form>. */
void grantd_ui_form_open(struct grantd_html *h, const char *action, const char *csrf,
                         const char *what);

/* The page's notice (role status) and error (id "error", role alert), each when non-empty. */
void grantd_ui_message(struct grantd_html *h, const char *notice, const char *error);

/* The row of a page's two choices, closing its form: two submit buttons named name, the
 * first (the primary action, first in tab order) with value first and text first_text. */
void grantd_ui_choices(struct grantd_html *h, const char *name, const char *first,
                       const char *first_text, const char *second, const char *second_text);

#endif
