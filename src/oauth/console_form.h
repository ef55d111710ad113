/* The developer console's new-application form (untrusted: whatever a browser POSTs) as the
 * admin API's client body (admin/body.h), so that one parser and its rules decide what a
 * client may hold. A pure function, fuzzed by tests/fuzz/fuzz_console_form.c.
 *
 * Fields: name (client_name), redirect_uris (one URI per line: CR, LF or both end a line,
 * spaces and tabs around it are dropped, blank lines skipped), g.GRANT ("on": the grant type
 * GRANT of admin/rules.h), s.SCOPE (the issuer's scope SCOPE, one of scopes[]) and
 * post_logout_redirect_uris (OpenID Connect; one per line, as redirect_uris; left out of
 * the body when it holds none). Boxes naming anything else are ignored. Not here: the page
 * (ui/console.c), the change (oauth/console.c). */
#ifndef GRANTD_OAUTH_CONSOLE_FORM_H
#define GRANTD_OAUTH_CONSOLE_FORM_H

#include <stddef.h>

#include "core/config.h"
#include "core/mem.h"
#include "http/params.h"

/* The checkbox field of option name of kind ("g" grants, "s" scopes): "KIND.NAME", in a.
 * Distinct names, since the form parser refuses a repeated parameter. */
const char *grantd_console_box(struct grantd_arena *a, const char *kind, const char *name);

/* The body as JSON text in a: {"client_name", "redirect_uris", "grant_types", "scope"},
 * and "post_logout_redirect_uris" when the form names any.
 * Never NULL. */
const char *grantd_console_form_body(struct grantd_arena *a, const struct grantd_params *form,
                                     const struct grantd_scope_info *scopes,
                                     size_t scope_count);

#endif
