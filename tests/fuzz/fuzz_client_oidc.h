/* The OpenID Connect client members every accepted client body must leave valid, shared by
 * fuzz_admin_body.c and fuzz_register.c (header-only so each target stays one .c file):
 * id_token_alg NULL (RS256) or one of the two names; post_logout_redirect_uris NULL or
 * single-spaced distinct URIs, at most GRANTD_CLIENT_MAX_URIS, each passing the post-logout
 * rule (admin/rules.h) with insecure http allowed only when insecure_ok. Only checks. */
#ifndef GRANTD_FUZZ_CLIENT_OIDC_H
#define GRANTD_FUZZ_CLIENT_OIDC_H

#include <string.h>

#include "admin/rules.h"
#include "fuzz_assert.h"
#include "oauth/redirect_uri.h"

static inline void fuzz_check_client_oidc(const struct grantd_client *c, int insecure_ok)
{
    FUZZ_CHECK(!c->id_token_alg || strcmp(c->id_token_alg, "RS256") == 0 ||
               strcmp(c->id_token_alg, "ES256") == 0);
    const char *list = c->post_logout_redirect_uris ? c->post_logout_redirect_uris : "";
    const char *seen[GRANTD_CLIENT_MAX_URIS];
    size_t n = 0;
    static char one[GRANTD_CLIENT_MAX_URIS][GRANTD_REDIRECT_URI_MAX + 1];
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        FUZZ_CHECK(len >= 1 && len <= GRANTD_REDIRECT_URI_MAX && n < GRANTD_CLIENT_MAX_URIS);
        memcpy(one[n], p, len);
        one[n][len] = '\0';
        FUZZ_CHECK(grantd_rules_post_logout_uri_why(one[n], insecure_ok) == NULL);
        for (size_t j = 0; j < n; j++)
            FUZZ_CHECK(strcmp(seen[j], one[n]) != 0);
        seen[n] = one[n];
        n++;
        p += len;
        FUZZ_CHECK(*p == '\0' || (p[1] != '\0' && p[1] != ' '));
        p += *p == ' ';
    }
}

#endif
