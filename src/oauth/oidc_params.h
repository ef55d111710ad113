/* The OpenID Connect authorization request's own value syntaxes (Core 1.0 §3.1.2.1):
 * prompt's space-separated values and max_age's seconds. Pure functions of the text, for
 * authz_request.c (which decides what the values mean for the flow) and the fuzz target. */
#ifndef GRANTD_OAUTH_OIDC_PARAMS_H
#define GRANTD_OAUTH_OIDC_PARAMS_H

#include <stdint.h>

#include "core/mem.h"

/* prompt values (bits) */
enum grantd_prompt {
    GRANTD_PROMPT_NONE = 1,         /* answer without any page, or login_required and co */
    GRANTD_PROMPT_LOGIN = 2,        /* sign in again */
    GRANTD_PROMPT_CONSENT = 4,      /* ask consent even when it is remembered */
};

/* The bits of prompt's values (NULL or "" is 0; repeated values and extra spaces are
 * accepted). NULL with *bits set, or the reason (English, in a) when a value is unknown or
 * none is combined with another. */
const char *grantd_prompt_parse(struct grantd_arena *a, const char *prompt, unsigned *bits);

/* max_age as seconds (at most 12 decimal digits, no sign or space); -1 when it is no such
 * number. */
int64_t grantd_max_age_parse(const char *max_age);

#endif
