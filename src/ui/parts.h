/* Internal to ui/: pieces of markup that more than one page file writes (pages.c for the
 * authorization request's login, account.c for the account page's). Not the frame
 * (ui/layout.h) and not whole pages (ui/pages.h). */
#ifndef GRANTD_UI_PARTS_H
#define GRANTD_UI_PARTS_H

#include "ui/html.h"
#include "ui/theme.h"

/* The username and password fields with their labels in look's language (NULL: the default
 * look); username prefilled when non-empty (autofocus then goes to the password);
 * with_error: both point at the element id "error". */
void grantd_ui_login_fields(struct grantd_html *h, const struct grantd_ui_look *look,
                            const char *username, int with_error);

#endif
